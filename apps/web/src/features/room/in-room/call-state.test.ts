import { ConnectionError, DisconnectReason } from "livekit-client";
import { describe, expect, it } from "vitest";

import { CONNECTING, nextCallState, type CallEvent, type CallState } from "./call-state";

const run = (...events: CallEvent[]): CallState => events.reduce(nextCallState, CONNECTING);
const kindOf = (state: CallState) => (state.status === "failed" ? state.failure.kind : state.status);

const duplicate: CallEvent = { type: "disconnected", reason: DisconnectReason.DUPLICATE_IDENTITY };
const pcFailed: CallEvent = {
  type: "connect-failed",
  error: ConnectionError.internal("could not establish pc connection"),
};

describe("nextCallState", () => {
  it("connects, then a disconnect from the server says why", () => {
    expect(kindOf(run({ type: "connected" }))).toBe("connected");
    expect(kindOf(run({ type: "connected" }, duplicate))).toBe("duplicate");
    expect(
      kindOf(run({ type: "connected" }, { type: "disconnected", reason: DisconnectReason.SIGNAL_CLOSE })),
    ).toBe("lost");
  });

  it("joining from another tab while this one connects is never a network error, whichever comes first", () => {
    expect(kindOf(run(duplicate, pcFailed))).toBe("duplicate");
    expect(kindOf(run(pcFailed, duplicate))).toBe("duplicate");
    expect(
      kindOf(
        run({ type: "connected" }, duplicate, {
          type: "disconnected",
          reason: DisconnectReason.SIGNAL_CLOSE,
        }),
      ),
    ).toBe("duplicate");
  });

  it("a connect failure alone says the server is unreachable; a vague disconnect while connecting waits for it", () => {
    expect(kindOf(run(pcFailed))).toBe("unreachable");
    const waiting = run({ type: "disconnected", reason: DisconnectReason.UNKNOWN_REASON });
    expect(kindOf(waiting)).toBe("connecting");
    expect(kindOf(nextCallState(waiting, pcFailed))).toBe("unreachable");
  });

  it("a removal or the end of the meeting replaces a vague failure, not the other way round", () => {
    const removed: CallEvent = { type: "disconnected", reason: DisconnectReason.PARTICIPANT_REMOVED };
    expect(kindOf(run(pcFailed, removed))).toBe("kicked");
    expect(kindOf(run({ type: "connected" }, removed, pcFailed))).toBe("kicked");
  });

  it("after leaving on purpose nothing more is reported", () => {
    expect(kindOf(run({ type: "connected" }, { type: "leave" }, duplicate))).toBe("left");
    expect(kindOf(run({ type: "leave" }, pcFailed, { type: "connected" }))).toBe("left");
    expect(
      kindOf(run({ type: "connected" }, { type: "disconnected", reason: DisconnectReason.CLIENT_INITIATED })),
    ).toBe("connected");
  });

  it("returns the same state when nothing changes (no needless re-render)", () => {
    const connected = run({ type: "connected" });
    expect(nextCallState(connected, { type: "connected" })).toBe(connected);
    const failed = run(duplicate);
    expect(nextCallState(failed, pcFailed)).toBe(failed);
  });
});
