"use client";

import { Alert, AlertDescription, AlertTitle } from "@parlor/ui/alert";
import { Button } from "@parlor/ui/button";
import { MicOffIcon, VideoOffIcon } from "lucide-react";

import { describeMediaProblem, type MediaProblem } from "./media-errors";

/**
 * What went wrong with a device, how to fix it, and the way on without it. Announced to screen
 * readers as it appears.
 */
export function MediaProblemAlert({
  problem,
  onRetry,
  onSkip,
}: {
  problem: MediaProblem;
  onRetry?: () => void;
  /** Turns the device off and carries on without it. */
  onSkip?: () => void;
}) {
  const text = describeMediaProblem(problem);
  const Icon = problem.device === "videoinput" ? VideoOffIcon : MicOffIcon;
  return (
    <Alert variant="warning" data-testid={`media-problem-${problem.device}`} data-problem={problem.kind}>
      <Icon aria-hidden="true" />
      <AlertTitle className="line-clamp-none">{text.title}</AlertTitle>
      <AlertDescription>
        <p>{text.description}</p>
        <div className="mt-1 flex flex-wrap gap-2">
          {onRetry && problem.kind !== "insecure" && problem.kind !== "unsupported" ? (
            <Button type="button" size="sm" variant="outline" onClick={onRetry}>
              Try again
            </Button>
          ) : null}
          {onSkip ? (
            <Button type="button" size="sm" variant="ghost" onClick={onSkip}>
              {text.skipLabel}
            </Button>
          ) : null}
        </div>
      </AlertDescription>
    </Alert>
  );
}
