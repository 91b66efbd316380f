"use client";

import { Button } from "@parlor/ui/button";
import { AlertTriangleIcon, ArrowLeftIcon, LogInIcon, RotateCwIcon } from "lucide-react";
import Link from "next/link";
import { useEffect, useState } from "react";

import type { InitStep, RoomPhase } from "../room-store";
import type { SetupRetry } from "../setup-retry";

/** The room's set-up as the join panel shows it (it runs beside the preview). */
export interface SetupStatus {
  phase: RoomPhase;
  step: InitStep | null;
  /** The last failure, kept while a retry runs so the panel can say it is trying again. */
  failure: { title: string; message: string; code: string | null } | null;
  retry: SetupRetry;
  /** When the session ended: sign in again instead of retrying. */
  signInHref?: string;
  teamHref: string;
}

export const STEP_TEXT: Record<InitStep, string> = {
  ensure: "Setting up the room",
  connectionDetails: "Getting connection details",
};

/** Whole seconds since `active` became true (0 while false), ticking each second. */
export function useElapsedSeconds(active: boolean): number {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [, setTick] = useState(0);
  if (active && startedAt === null) setStartedAt(Date.now());
  if (!active && startedAt !== null) setStartedAt(null);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return startedAt === null ? 0 : Math.floor((Date.now() - startedAt) / 1000);
}

/**
 * A failed set-up inside the join panel: what failed and why, when the next automatic attempt
 * comes ("Retrying in 4 s"), and Retry now. While an attempt runs it says so, so a retry never
 * just flashes. The preview beside it keeps working throughout.
 */
export function SetupFailure({ status }: { status: SetupStatus }) {
  const { failure, retry, phase } = status;
  if (!failure) return null;
  const trying = phase === "initializing";
  const final = status.signInHref !== undefined || retry.secondsLeft === null;
  return (
    <div
      role="alert"
      data-testid="setup-failure"
      data-code={failure.code ?? "error"}
      data-retrying={trying ? "true" : "false"}
      className="grid gap-3 rounded-lg border border-destructive/30 bg-destructive/5 p-4 text-sm dark:border-destructive/40 dark:bg-destructive/10"
    >
      <div className="flex items-start gap-2.5">
        <AlertTriangleIcon className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
        <div className="grid min-w-0 gap-1">
          <p className="font-medium text-destructive">{failure.title}</p>
          <p className="break-words text-muted-foreground">{failure.message}</p>
          <p className="text-xs text-muted-foreground" aria-live="polite" data-testid="setup-retry-status">
            {trying
              ? `Trying again now (attempt ${retry.attempts + 1})…`
              : retry.secondsLeft !== null
                ? `Retrying in ${retry.secondsLeft} s. Your camera and microphone check keeps working meanwhile.`
                : null}
          </p>
        </div>
      </div>
      <div className="flex flex-wrap gap-2">
        {status.signInHref ? (
          <Button asChild size="sm">
            <Link href={status.signInHref}>
              <LogInIcon aria-hidden="true" />
              Sign in again
            </Link>
          </Button>
        ) : final && !trying ? null : (
          // Only where trying again can help (not when access was refused: removed, no access).
          <Button type="button" size="sm" variant="outline" onClick={retry.retryNow} pending={trying}>
            {trying ? null : <RotateCwIcon aria-hidden="true" />}
            {trying ? "Retrying…" : "Retry now"}
          </Button>
        )}
        <Button asChild size="sm" variant={final && !status.signInHref ? "default" : "ghost"}>
          <Link href={status.teamHref}>
            <ArrowLeftIcon aria-hidden="true" />
            Back to team
          </Link>
        </Button>
      </div>
    </div>
  );
}
