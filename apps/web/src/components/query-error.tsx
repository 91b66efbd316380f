"use client";

import { Alert, AlertDescription, AlertTitle } from "@parlor/ui/alert";
import { Button } from "@parlor/ui/button";
import { CircleAlertIcon, RefreshCwIcon } from "lucide-react";

import { describeError, type ClientError } from "@/trpc/errors";

/** A query that failed: what went wrong and a way to try again. */
export function QueryError({
  error,
  title = "Couldn't load this",
  onRetry,
  retrying = false,
  className,
}: {
  error: ClientError | Error | null | undefined;
  title?: string;
  onRetry: () => void;
  retrying?: boolean;
  className?: string;
}) {
  return (
    <Alert variant="destructive" className={className}>
      <CircleAlertIcon aria-hidden="true" />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{describeError(error).message}</p>
        <Button
          variant="outline"
          size="sm"
          className="mt-2 text-foreground"
          onClick={onRetry}
          pending={retrying}
        >
          {retrying ? null : <RefreshCwIcon aria-hidden="true" />}
          Try again
        </Button>
      </AlertDescription>
    </Alert>
  );
}
