"use client";

import { Alert, AlertDescription } from "@parlor/ui/alert";
import { CircleAlertIcon, ClockIcon } from "lucide-react";
import { useCallback, useState } from "react";

import { formatWait, useCountdown } from "@/lib/use-countdown";
import { describeError, type ClientError } from "@/trpc/errors";

/**
 * Tracks a throttled call's `retryAfterSeconds`: `note` it from a failed call; `seconds` counts
 * down to when trying again makes sense.
 */
export function useRetryAfter() {
  const [until, setUntil] = useState<number | null>(null);
  const seconds = useCountdown(until);
  const note = useCallback((error: ClientError | Error) => {
    const info = describeError(error);
    if (info.code === "TOO_MANY_REQUESTS" && info.retryAfterSeconds) {
      setUntil(Date.now() + info.retryAfterSeconds * 1_000);
    }
  }, []);
  /** True once a countdown has run out: the throttle has passed. */
  const over = until !== null && seconds === 0;
  return { seconds, over, note };
}

/**
 * A failed form submission's message, when it is not about one field (those show beside the
 * field). Throttling shows as a warning with a live countdown.
 */
export function FormAlert({
  error,
  waitSeconds = 0,
  waitOver = false,
  className,
  standalone = false,
}: {
  error: ClientError | Error | null | undefined;
  waitSeconds?: number;
  /** The throttle's countdown has run out: say so instead of repeating the old wait. */
  waitOver?: boolean;
  className?: string;
  /** Also show errors about a field: for forms that have no such field to show them beside. */
  standalone?: boolean;
}) {
  if (!error) return null;
  const info = describeError(error);
  if (!standalone && Object.keys(info.fieldErrors).length > 0) return null;
  const throttled = info.code === "TOO_MANY_REQUESTS";
  if (throttled && waitOver) {
    return (
      <Alert className={className}>
        <ClockIcon aria-hidden="true" />
        <AlertDescription>
          <p>You can try again now.</p>
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <Alert variant={throttled ? "warning" : "destructive"} className={className}>
      {throttled ? <ClockIcon aria-hidden="true" /> : <CircleAlertIcon aria-hidden="true" />}
      <AlertDescription>
        <p>{throttled && waitSeconds > 0 ? withoutStatedWait(info.message) : info.message}</p>
        {throttled && waitSeconds > 0 ? (
          <p className="font-medium tabular-nums">You can try again in {formatWait(waitSeconds)}.</p>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}

/**
 * The server's throttling message states the wait as it was when it answered ("… Please try again
 * in 30 seconds."); beside the live countdown that sentence would disagree with it, so it goes.
 */
export function withoutStatedWait(message: string): string {
  return message.replace(/\s*Please try again in [^.]+\.\s*$/, "").trim() || message;
}
