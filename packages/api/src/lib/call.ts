// Constants the call's code shares with the server without loading zod (the room page ships
// without it).

/**
 * The longest chat message, in characters as people count them: Unicode code points, so an emoji
 * is one (JavaScript's `length` counts UTF-16 units, two for most emoji). The server's check and
 * the call's decoders and message box all measure with `chatLength`.
 */
export const CHAT_MESSAGE_MAX = 2000;

export const CHAT_TOO_LONG = `Messages can be at most ${CHAT_MESSAGE_MAX} characters.`;

/** A chat message's length in characters (code points). */
export function chatLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The text cut to at most `CHAT_MESSAGE_MAX` characters, never inside one. */
export function clipChatText(text: string): string {
  return chatLength(text) <= CHAT_MESSAGE_MAX ? text : Array.from(text).slice(0, CHAT_MESSAGE_MAX).join("");
}

/** The LiveKit data topic on which the server delivers chat events to everyone in the call. */
export const CHAT_TOPIC = "parlor.chat";

/** The participant attribute holding when a hand went up (ISO time); absent when it is down. */
export const HAND_ATTRIBUTE = "parlor.hand";

/** The LiveKit data topic for reactions, and the reactions there are. */
export const REACTION_TOPIC = "parlor.reaction";
export const REACTIONS = ["👍", "👏", "😂", "🎉", "❤️", "😮"] as const;
export type Reaction = (typeof REACTIONS)[number];

/** Guest links last a day by default and a month at most. */
export const GUEST_LINK_DEFAULT_HOURS = 24;
export const GUEST_LINK_MAX_HOURS = 30 * 24;

/** LiveKit identities of guests (people without an account, let in by a guest link) start with this. */
export const GUEST_IDENTITY_PREFIX = "guest-";
export const isGuestIdentity = (identity: string) => identity.startsWith(GUEST_IDENTITY_PREFIX);
/** Participant attribute the server sets on guests' tokens ("1"), so every client can mark them. */
export const GUEST_ATTRIBUTE = "parlor.guest";

/**
 * The LiveKit data topic on which the server tells people what a moderator did to them (only the
 * server sends on it): "Ada muted your microphone", "Ada ended the meeting", "Ada deleted this room".
 */
export const MODERATION_TOPIC = "parlor.moderation";
export type ModerationNotice =
  | { type: "muted"; kind: "audio" | "video"; by: string }
  | { type: "removed"; by: string }
  | { type: "ended"; by: string }
  | { type: "deleted"; by: string };
