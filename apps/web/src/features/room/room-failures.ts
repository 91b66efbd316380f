/**
 * Why a room could not be joined or was left involuntarily, in words a person can act on. Kept
 * free of livekit-client so the pre-join screen can show these without loading it; the in-room
 * code classifies LiveKit's errors into these kinds (see `in-room/classify.ts`).
 */

export type RoomFailureKind =
  | "unreachable"
  | "token-rejected"
  | "full"
  | "kicked"
  | "ended"
  | "deleted"
  | "duplicate"
  | "lost"
  | "crashed";

export interface RoomFailure {
  kind: RoomFailureKind;
  /** The underlying error's message, for the details line. */
  detail?: string;
  /** Who removed you, ended the meeting or deleted the room (the server's notice says). */
  by?: string;
  /** You ended the meeting yourself. */
  byYou?: boolean;
}

export interface FailureText {
  title: string;
  description: string;
  /** Whether trying again can help (else the one way on is back to the team). */
  retry: boolean;
  /** The retry button's words, when "Retry" does not say what it does. */
  retryLabel?: string;
}

export const FAILURE_TEXT: Record<RoomFailureKind, FailureText> = {
  unreachable: {
    title: "Can't reach the video server",
    description:
      "Parlor set up the room, but your browser could not connect to the video server. Check your internet connection (and any VPN or firewall), then try again. If it keeps happening, ask your administrator to check LiveKit.",
    retry: true,
  },
  "token-rejected": {
    title: "The video server refused to let you in",
    description:
      "Your pass for this room was not accepted — it may have expired, or the server's keys changed. Trying again gets you a fresh one.",
    retry: true,
  },
  full: {
    title: "This room is full",
    description:
      "The room has reached its participant limit. Try again when someone leaves, or ask the team to use another room.",
    retry: true,
  },
  kicked: {
    title: "You were removed from the call",
    description: "A moderator removed you from this call. You can come back to this room in 5 minutes.",
    retry: false,
  },
  ended: {
    title: "The meeting has ended",
    description:
      "The meeting was ended for everyone. The room stays: anyone in the team can start a new meeting in it.",
    retry: false,
  },
  deleted: {
    title: "This room was deleted",
    description:
      "The room no longer exists, so its meeting ended. Its team's other rooms are on the team page.",
    retry: false,
  },
  duplicate: {
    title: "You joined from another tab",
    description:
      "You are in this call from another tab or device, so this one was disconnected. Use here to move the call back to this tab (the other one leaves the call).",
    retry: true,
    retryLabel: "Use here",
  },
  lost: {
    title: "Connection lost",
    description:
      "The connection to the call dropped and could not be restored. Check your network, then rejoin.",
    retry: true,
  },
  crashed: {
    title: "Something went wrong in the room",
    description: "An unexpected error stopped the call view. Rejoining usually fixes it.",
    retry: true,
  },
};

/** The failure's text for this person: who did it, and what it means for them. */
export function failureText(failure: RoomFailure): FailureText {
  const base = FAILURE_TEXT[failure.kind];
  const by = failure.by;
  switch (failure.kind) {
    case "kicked":
      return by
        ? {
            ...base,
            description: `${by} removed you from this call. You can come back to this room in 5 minutes.`,
          }
        : base;
    case "ended":
      if (failure.byYou) {
        return {
          ...base,
          title: "You ended the meeting",
          description:
            "Everyone was disconnected. The room stays: anyone in the team can start a new meeting in it.",
        };
      }
      return by
        ? {
            ...base,
            description: `${by} ended the meeting for everyone. The room stays: anyone in the team can start a new meeting in it.`,
          }
        : base;
    case "deleted":
      return by ? { ...base, description: `${by} deleted this room, which ended its meeting.` } : base;
    default:
      return base;
  }
}
