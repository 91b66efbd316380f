import { ConnectionError, ConnectionErrorReason, DisconnectReason } from "livekit-client";

import type { RoomFailure } from "../room-failures";

const FULL = /max(imum)? ?participants|room is full|participant limit|limit exceeded|resource.?exhausted/i;

/** Why `room.connect()` failed, as one of the failure pages. */
export function failureFromConnectError(error: unknown): RoomFailure {
  const detail = error instanceof Error ? error.message : String(error);
  if (FULL.test(detail)) return { kind: "full", detail };
  if (error instanceof ConnectionError) {
    switch (error.reason) {
      case ConnectionErrorReason.NotAllowed: {
        if (error.status === 404 || /room does not exist/i.test(detail)) return { kind: "ended", detail };
        if (error.status === 429) return { kind: "full", detail };
        return { kind: "token-rejected", detail };
      }
      case ConnectionErrorReason.LeaveRequest:
        return failureFromDisconnect(error.context as DisconnectReason) ?? { kind: "lost", detail };
      case ConnectionErrorReason.ServerUnreachable:
      case ConnectionErrorReason.WebSocket:
      case ConnectionErrorReason.Timeout:
      case ConnectionErrorReason.ServiceNotFound:
      case ConnectionErrorReason.InternalError:
        return { kind: "unreachable", detail };
      default:
        return { kind: "unreachable", detail };
    }
  }
  return { kind: "unreachable", detail };
}

/** Why the room disconnected; null when we left on purpose. */
export function failureFromDisconnect(reason: DisconnectReason | undefined): RoomFailure | null {
  switch (reason) {
    case DisconnectReason.CLIENT_INITIATED:
      return null;
    case DisconnectReason.PARTICIPANT_REMOVED:
      return { kind: "kicked" };
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
      return { kind: "ended" };
    case DisconnectReason.DUPLICATE_IDENTITY:
      return { kind: "duplicate" };
    case DisconnectReason.JOIN_FAILURE:
      return { kind: "unreachable", detail: "The video server could not add you to the room." };
    default:
      return {
        kind: "lost",
        detail: reason === undefined ? undefined : `Reason: ${DisconnectReason[reason] ?? reason}`,
      };
  }
}
