"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import {
  AlertTriangleIcon,
  ArrowLeftIcon,
  LogInIcon,
  PhoneOffIcon,
  RotateCwIcon,
  Trash2Icon,
  UserXIcon,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { useEffect, useRef } from "react";

const ENDING_ICON: Partial<Record<string, LucideIcon>> = {
  kicked: UserXIcon,
  ended: PhoneOffIcon,
  deleted: Trash2Icon,
};

/**
 * A failure that stops you from being in the room: what happened, and the ways out (Retry runs
 * the room's initialization again, offered only where it can help; Back to team leaves).
 */
export function RoomFailureCard({
  title,
  description,
  detail,
  teamHref,
  onRetry,
  retrying,
  retryLabel = "Retry",
  signInHref,
  kind,
  where,
}: {
  title: string;
  description: string;
  detail?: string | null;
  teamHref: string;
  onRetry?: () => void;
  retrying?: boolean;
  /** The retry button's words (default "Retry"). */
  retryLabel?: string;
  /** When the session ended: sign in again instead of retrying. */
  signInHref?: string;
  kind: string;
  /** Which room, e.g. "Standup · Acme". */
  where?: string;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Move focus to the news, so keyboard and screen-reader users land on it.
  useEffect(() => headingRef.current?.focus(), [title]);

  return (
    <Card className="w-full max-w-lg gap-5 p-6" role="alert" data-testid="room-failure" data-kind={kind}>
      <div className="flex items-start gap-3">
        {ENDING_ICON[kind] ? (
          // An ending someone chose (removed, ended, deleted) is news, not a fault.
          <span className="mt-0.5 flex size-9 shrink-0 items-center justify-center rounded-full bg-muted text-muted-foreground">
            {(() => {
              const Icon = ENDING_ICON[kind]!;
              return <Icon className="size-5" aria-hidden="true" />;
            })()}
          </span>
        ) : (
          <span className="mt-0.5 flex size-9 shrink-0 items-center justify-center rounded-full bg-destructive/10 text-destructive">
            <AlertTriangleIcon className="size-5" aria-hidden="true" />
          </span>
        )}
        <div className="grid min-w-0 gap-1.5">
          {where ? <p className="truncate text-xs font-medium text-muted-foreground">{where}</p> : null}
          <h1 ref={headingRef} tabIndex={-1} className="text-lg font-semibold outline-none">
            {title}
          </h1>
          <p className="text-sm text-muted-foreground">{description}</p>
          {detail && detail !== description ? (
            <p className="text-xs break-words text-muted-foreground/80">Details: {detail}</p>
          ) : null}
        </div>
      </div>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {/* The way on when trying again cannot help (removed, ended, deleted). */}
        <Button asChild variant={signInHref || onRetry ? "outline" : "default"}>
          <Link href={teamHref}>
            <ArrowLeftIcon aria-hidden="true" />
            Back to team
          </Link>
        </Button>
        {signInHref ? (
          <Button asChild>
            <Link href={signInHref}>
              <LogInIcon aria-hidden="true" />
              Sign in again
            </Link>
          </Button>
        ) : onRetry ? (
          <Button onClick={onRetry} pending={retrying}>
            {retrying ? null : <RotateCwIcon aria-hidden="true" />}
            {retrying ? "Retrying…" : retryLabel}
          </Button>
        ) : null}
      </div>
    </Card>
  );
}
