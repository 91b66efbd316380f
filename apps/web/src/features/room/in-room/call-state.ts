import type { DisconnectReason } from "livekit-client";

import type { RoomFailure, RoomFailureKind } from "../room-failures";
import { failureFromConnectError, failureFromDisconnect } from "./classify";

/** Where one connection to the call stands. */
export type CallState =
  | { status: "connecting" }
  | { status: "connected" }
  | { status: "failed"; failure: RoomFailure }
  /** Left on purpose (Leave, another page, the tab closing): nothing to report. */
  | { status: "left" };

export type CallEvent =
  | { type: "connected" }
  | { type: "connect-failed"; error: unknown }
  /** `endedByYou`: this person pressed End meeting (the end then reads "You ended the meeting"). */
  | { type: "disconnected"; reason?: DisconnectReason; endedByYou?: boolean }
  /** The server said a moderator removed this person, ended the meeting or deleted the room. */
  | { type: "notice"; failure: RoomFailure }
  | { type: "leave" };

export const CONNECTING: CallState = { status: "connecting" };

/**
 * Failures that say what happened rather than how the connection broke. When LiveKit disconnects
 * someone on purpose (this account joined from another tab, a moderator removed them) the
 * connection may also break (the join's peer connection fails, the signal closes), and that
 * second, vaguer error must not replace the first — nor come first and hide it.
 */
const KNOWN_CAUSE: ReadonlySet<RoomFailureKind> = new Set([
  "duplicate",
  "kicked",
  "ended",
  "deleted",
  "full",
  "token-rejected",
]);

const knownCause = (failure: RoomFailure) => KNOWN_CAUSE.has(failure.kind);

function fail(state: CallState, failure: RoomFailure): CallState {
  if (state.status === "failed" && (knownCause(state.failure) || !knownCause(failure))) return state;
  return { status: "failed", failure };
}

/** The next state of a connection after something happened to it. */
export function nextCallState(state: CallState, event: CallEvent): CallState {
  if (state.status === "left") return state;
  switch (event.type) {
    case "leave":
      return { status: "left" };
    case "connected":
      return state.status === "connecting" ? { status: "connected" } : state;
    case "connect-failed":
      return fail(state, failureFromConnectError(event.error));
    case "notice":
      return fail(state, event.failure);
    case "disconnected": {
      const disconnect = failureFromDisconnect(event.reason);
      if (!disconnect) return state;
      const failure =
        disconnect.kind === "ended" ? { ...disconnect, byYou: event.endedByYou ?? false } : disconnect;
      // While connecting, a vague disconnect is followed by connect()'s own, more precise error.
      if (state.status === "connecting" && !knownCause(failure)) return state;
      return fail(state, failure);
    }
  }
}
