"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** True once rendering in the browser (false during the server render and hydration). */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

const DAY = 86_400_000;

/** "today", "tomorrow", "in 5 days", "in 3 hours". */
export function relativeFromNow(date: Date, now = Date.now()): string {
  const ms = date.getTime() - now;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (Math.abs(ms) < DAY) {
    const hours = Math.round(ms / 3_600_000);
    if (hours === 0) return format.format(Math.round(ms / 60_000), "minute");
    return format.format(hours, "hour");
  }
  return format.format(Math.round(ms / DAY), "day");
}

/**
 * A date in the reader's own time zone and language. The server does not know either, so the
 * server render shows the date in UTC and the browser fills in the local one after hydration.
 */
export function LocalDate({ value, relative = false }: { value: Date; relative?: boolean }) {
  const isClient = useIsClient();
  const absolute = new Intl.DateTimeFormat(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: isClient ? undefined : "UTC",
  }).format(value);
  return (
    <time dateTime={value.toISOString()} title={isClient ? absolute : undefined}>
      {relative && isClient ? relativeFromNow(value) : isClient ? absolute : value.toISOString().slice(0, 10)}
    </time>
  );
}
