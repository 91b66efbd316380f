import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { RoomPhase } from "./room-store";
import { isRetryable, retryDelaySeconds, useSetupRetry } from "./setup-retry";

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2030-01-01T10:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(initial: { phase: RoomPhase; errorCode: string | null }) {
  const retry = vi.fn();
  const hook = renderHook(
    (props: { phase: RoomPhase; errorCode: string | null }) => useSetupRetry({ ...props, retry }),
    { initialProps: initial },
  );
  return { retry, hook };
}

describe("retrying a failed room set-up", () => {
  it("backs off 2, 4, 8, 16 s, then every 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelaySeconds)).toEqual([2, 4, 8, 16, 30, 30, 30]);
  });

  it("only retries what trying again can fix", () => {
    expect(isRetryable("SERVICE_UNAVAILABLE")).toBe(true);
    expect(isRetryable("TOO_MANY_REQUESTS")).toBe(true);
    expect(isRetryable(null)).toBe(true);
    for (const code of ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"])
      expect(isRetryable(code)).toBe(false);
  });

  it("counts down each second and retries when the countdown ends, waiting longer each time", () => {
    const { retry, hook } = setup({ phase: "failed", errorCode: "SERVICE_UNAVAILABLE" });
    expect(hook.result.current.secondsLeft).toBe(2);
    act(() => void vi.advanceTimersByTime(1000));
    expect(hook.result.current.secondsLeft).toBe(1);
    act(() => void vi.advanceTimersByTime(1000));
    expect(retry).toHaveBeenCalledTimes(1);
    expect(hook.result.current.secondsLeft).toBeNull();

    // The retry runs, then fails again: the next wait is longer.
    hook.rerender({ phase: "initializing", errorCode: null });
    hook.rerender({ phase: "failed", errorCode: "SERVICE_UNAVAILABLE" });
    expect(hook.result.current.attempts).toBe(1);
    expect(hook.result.current.secondsLeft).toBe(4);
    act(() => void vi.advanceTimersByTime(3900));
    expect(retry).toHaveBeenCalledTimes(1);
    act(() => void vi.advanceTimersByTime(200));
    expect(retry).toHaveBeenCalledTimes(2);
  });

  it("Retry now retries at once and cancels the scheduled attempt", () => {
    const { retry, hook } = setup({ phase: "failed", errorCode: "SERVICE_UNAVAILABLE" });
    act(() => hook.result.current.retryNow());
    expect(retry).toHaveBeenCalledTimes(1);
    expect(hook.result.current.secondsLeft).toBeNull();
    act(() => void vi.advanceTimersByTime(10_000));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it("schedules nothing for a failure that needs the person (signed out, no access)", () => {
    const { retry, hook } = setup({ phase: "failed", errorCode: "UNAUTHORIZED" });
    expect(hook.result.current.secondsLeft).toBeNull();
    act(() => void vi.advanceTimersByTime(60_000));
    expect(retry).not.toHaveBeenCalled();
  });

  it("a success resets the back-off", () => {
    const { hook } = setup({ phase: "failed", errorCode: "SERVICE_UNAVAILABLE" });
    act(() => void vi.advanceTimersByTime(2000));
    hook.rerender({ phase: "ready", errorCode: null });
    expect(hook.result.current.attempts).toBe(0);
    hook.rerender({ phase: "failed", errorCode: "SERVICE_UNAVAILABLE" });
    expect(hook.result.current.secondsLeft).toBe(2);
  });
});
