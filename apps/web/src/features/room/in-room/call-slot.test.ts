import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { JoinChoices } from "../join-choices";
import type { ConnectionDetails } from "../room-store";
import { createCallSlot, type CallConnection } from "./call-connection";

const details = (roomName: string) => ({ roomName }) as unknown as ConnectionDetails;
const choices = () => ({ participantName: "Ada" }) as unknown as JoinChoices;

/** A slot whose connections are recorded, with whether each was left. */
function slotWithConnections() {
  const made: { connection: CallConnection; left: boolean }[] = [];
  const slot = createCallSlot(() => {
    const record = { connection: {} as CallConnection, left: false };
    record.connection = {
      leave: async () => {
        record.left = true;
      },
    } as CallConnection;
    made.push(record);
    return record.connection;
  });
  return { slot, made };
}

describe("the tab's call slot", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps one connection across the view's unmount and mount again (Strict Mode)", () => {
    const { slot, made } = slotWithConnections();
    const join = [details("a"), choices()] as const;
    const first = slot.acquire(...join);
    slot.release(first);
    expect(slot.acquire(...join)).toBe(first);
    vi.runAllTimers();
    expect(made).toHaveLength(1);
    expect(made[0]!.left).toBe(false);
  });

  it("connects when Join is pressed, and the view takes that connection over", () => {
    const { slot, made } = slotWithConnections();
    const join = [details("a"), choices()] as const;
    slot.reserve(...join);
    expect(made).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(slot.acquire(...join)).toBe(made[0]!.connection);
    // Taken over: the reservation's deadline no longer applies.
    vi.runAllTimers();
    expect(made[0]!.left).toBe(false);
    // Pressing again (or the page re-running its effect) leaves the joined call as it is.
    slot.reserve(...join);
    vi.runAllTimers();
    expect(made).toHaveLength(1);
    expect(made[0]!.left).toBe(false);
  });

  it("leaves a connection its view never took, and another join replaces the held one", () => {
    const { slot, made } = slotWithConnections();
    slot.reserve(details("a"), choices(), 5_000);
    vi.advanceTimersByTime(4_999);
    expect(made[0]!.left).toBe(false);
    vi.advanceTimersByTime(1);
    expect(made[0]!.left).toBe(true);

    slot.reserve(details("b"), choices());
    slot.acquire(details("c"), choices());
    expect(made.map((m) => m.left)).toEqual([true, true, false]);
  });
});
