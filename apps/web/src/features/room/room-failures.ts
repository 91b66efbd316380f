/**
 * Why a room could not be joined or was left involuntarily, in words a person can act on. Kept
 * free of livekit-client so the pre-join screen can show these without loading it; the in-room
 * code classifies LiveKit's errors into these kinds (see `in-room/classify.ts`).
 */

export type RoomFailureKind =
  "unreachable" | "token-rejected" | "full" | "kicked" | "ended" | "duplicate" | "lost" | "crashed";

export interface RoomFailure {
  kind: RoomFailureKind;
  /** The underlying error's message, for the details line. */
  detail?: string;
}

export interface FailureText {
  title: string;
  description: string;
  /** Whether trying again can help. */
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
    title: "You were removed from the room",
    description:
      "A team admin removed you from this call. You can't rejoin this room for a few minutes; go back to the team, or try again later.",
    retry: true,
  },
  ended: {
    title: "The meeting has ended",
    description:
      "A team admin ended this meeting for everyone (or the room was deleted). You can start a new one in this room by rejoining.",
    retry: true,
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
