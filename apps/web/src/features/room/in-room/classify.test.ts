import { ConnectionError, DisconnectReason } from "livekit-client";
import { describe, expect, it } from "vitest";

import { failureFromConnectError, failureFromDisconnect } from "./classify";

describe("failureFromConnectError", () => {
  it("an unreachable server", () => {
    expect(
      failureFromConnectError(ConnectionError.serverUnreachable("could not establish signal connection"))
        .kind,
    ).toBe("unreachable");
    expect(failureFromConnectError(ConnectionError.websocket("WS closed unexpectedly")).kind).toBe(
      "unreachable",
    );
    expect(failureFromConnectError(ConnectionError.timeout("room connection has timed out")).kind).toBe(
      "unreachable",
    );
    expect(
      failureFromConnectError(ConnectionError.serviceNotFound("v1 RTC path not found", "v0-rtc")).kind,
    ).toBe("unreachable");
    expect(failureFromConnectError(new TypeError("Failed to fetch")).kind).toBe("unreachable");
  });

  it("a rejected token", () => {
    expect(
      failureFromConnectError(ConnectionError.notAllowed("invalid token: token is expired", 401)).kind,
    ).toBe("token-rejected");
    expect(failureFromConnectError(ConnectionError.notAllowed("permissions denied", 403)).kind).toBe(
      "token-rejected",
    );
  });

  it("a full room", () => {
    expect(
      failureFromConnectError(ConnectionError.notAllowed("room has exceeded its max participants", 403)).kind,
    ).toBe("full");
    expect(
      failureFromConnectError(ConnectionError.leaveRequest("limit exceeded", DisconnectReason.JOIN_FAILURE))
        .kind,
    ).toBe("full");
  });

  it("a room that no longer exists", () => {
    expect(
      failureFromConnectError(ConnectionError.notAllowed("requested room does not exist", 404)).kind,
    ).toBe("ended");
  });

  it("a leave request during connection uses its reason", () => {
    expect(
      failureFromConnectError(ConnectionError.leaveRequest("removed", DisconnectReason.PARTICIPANT_REMOVED))
        .kind,
    ).toBe("kicked");
  });

  it("keeps the error's message as the detail", () => {
    expect(failureFromConnectError(ConnectionError.serverUnreachable("nope")).detail).toBe("nope");
  });
});

describe("failureFromDisconnect", () => {
  it("leaving on purpose is not a failure", () => {
    expect(failureFromDisconnect(DisconnectReason.CLIENT_INITIATED)).toBeNull();
  });

  it.each([
    [DisconnectReason.PARTICIPANT_REMOVED, "kicked"],
    [DisconnectReason.ROOM_DELETED, "ended"],
    [DisconnectReason.ROOM_CLOSED, "ended"],
    [DisconnectReason.DUPLICATE_IDENTITY, "duplicate"],
    [DisconnectReason.SIGNAL_CLOSE, "lost"],
    [DisconnectReason.SERVER_SHUTDOWN, "lost"],
    [undefined, "lost"],
  ])("%s → %s", (reason, kind) => {
    expect(failureFromDisconnect(reason)?.kind).toBe(kind);
  });
});
