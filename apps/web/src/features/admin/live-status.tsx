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

export function LiveStatus({ state }: { state: LiveState }) {
  const label = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Refreshing every 10 s";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs" role="status">
      <span
        aria-hidden="true"
        className={`size-2 rounded-full ${state === "live" ? "bg-success" : state === "connecting" ? "bg-muted-foreground/50" : "bg-warning"}`}
      />
      {label}
    </span>
  );
}
