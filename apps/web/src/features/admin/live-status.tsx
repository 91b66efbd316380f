"use client";

import { useCallback, useState } from "react";

/** While the live stream is down, views poll at this interval instead. */
export const POLL_WHILE_OFFLINE_MS = 10_000;

export type LiveState = "connecting" | "live" | "polling";

/**
 * Tracks a tRPC subscription used for live updates: `pollingInterval` is false while the stream
 * is up and a polling interval while it is not, so a dropped stream never freezes the view.
 */
export function useLiveUpdates() {
  const [state, setState] = useState<LiveState>("connecting");
  const onStarted = useCallback(() => setState("live"), []);
  const onError = useCallback(() => setState("polling"), []);
  return {
    state,
    onStarted,
    onError,
    pollingInterval: state === "live" ? (false as const) : POLL_WHILE_OFFLINE_MS,
  };
}

export function LiveStatus({
  state,
  unconfirmed = false,
}: {
  state: LiveState;
  /** The source of the updates (LiveKit) does not answer: what is shown may be stale. */
  unconfirmed?: boolean;
}) {
  const label = unconfirmed
    ? "Not confirmed: LiveKit is down"
    : state === "live"
      ? "Live"
      : state === "connecting"
        ? "Connecting…"
        : "Refreshing every 10 s";
  const dot = unconfirmed
    ? "bg-destructive"
    : state === "live"
      ? "bg-success"
      : state === "connecting"
        ? "bg-muted-foreground/50"
        : "bg-warning";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs" role="status">
      <span aria-hidden="true" className={`size-2 rounded-full ${dot}`} />
      {label}
    </span>
  );
}
