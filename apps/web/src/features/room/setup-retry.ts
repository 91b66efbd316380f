"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import type { RoomPhase } from "./room-store";

/** Failures that trying again cannot fix: the person has to act (sign in, ask for access). */
const FINAL_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"]);

export function isRetryable(code: string | null): boolean {
  return code === null || !FINAL_CODES.has(code);
}

/** Seconds to wait before the `attempt`th automatic retry (1-based): 2, 4, 8, 16, then every 30. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(30, 2 ** Math.max(1, attempt));
}

export interface SetupRetry {
  /** Seconds until the next automatic retry; null when none is scheduled. */
  secondsLeft: number | null;
  /** Automatic and manual retries since the last success. */
  attempts: number;
  /** Retries now (the next automatic one, if this fails too, waits longer). */
  retryNow: () => void;
}

/**
 * Retries a failed room set-up by itself with a growing back-off while the failure is one that
 * trying again can fix, counting down each second so the page can say "retrying in n s". A
 * success resets the back-off; a final failure (no access, signed out) schedules nothing.
 */
export function useSetupRetry({
  phase,
  errorCode,
  retry,
  now = Date.now,
}: {
  phase: RoomPhase;
  errorCode: string | null;
  retry: () => void;
  now?: () => number;
}): SetupRetry {
  const [attempts, setAttempts] = useState(0);
  const [dueAt, setDueAt] = useState<number | null>(null);
  const [clock, setClock] = useState(() => now());
  const retryRef = useRef(retry);
  retryRef.current = retry;

  if (phase === "ready" && attempts !== 0) setAttempts(0);

  // A new failure: schedule the next attempt.
  const failed = phase === "failed";
  const retryable = failed && isRetryable(errorCode);
  useEffect(() => {
    if (!retryable) {
      setDueAt(null);
      return;
    }
    const start = now();
    setClock(start);
    setDueAt(start + retryDelaySeconds(attempts + 1) * 1000);
    // `attempts` is read when the failure arrives, not followed: a retry changes it on purpose.
  }, [retryable, now]);

  // The countdown, and the retry when it reaches zero.
  useEffect(() => {
    if (dueAt === null) return;
    const timer = setInterval(() => {
      const t = now();
      setClock(t);
      if (t >= dueAt) {
        setDueAt(null);
        setAttempts((n) => n + 1);
        retryRef.current();
      }
    }, 250);
    return () => clearInterval(timer);
  }, [dueAt, now]);

  const retryNow = useCallback(() => {
    setDueAt(null);
    setAttempts((n) => n + 1);
    retryRef.current();
  }, []);

  return {
    secondsLeft: dueAt === null ? null : Math.max(1, Math.ceil((dueAt - clock) / 1000)),
    attempts,
    retryNow,
  };
}
