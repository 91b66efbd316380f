"use client";

import { Button } from "@parlor/ui/button";
import { RefreshCwIcon, TriangleAlertIcon } from "lucide-react";
import Link from "next/link";
import { useEffect } from "react";

/** What an error boundary shows: a calm explanation, a retry and a way home. */
export function ErrorView({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = typeof error === "object" && error && "digest" in error ? String(error.digest) : undefined;
  return (
    <div className="mx-auto grid max-w-md justify-items-center gap-3 px-4 py-20 text-center">
      <div className="mb-2 flex size-11 items-center justify-center rounded-full bg-destructive/10 text-destructive">
        <TriangleAlertIcon aria-hidden="true" className="size-5" />
      </div>
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="text-muted-foreground">
        Parlor couldn't load this page. It's often a brief hiccup: try again in a moment.
      </p>
      {digest ? <p className="font-mono text-xs text-muted-foreground">Reference: {digest}</p> : null}
      <div className="mt-4 flex gap-2">
        <Button onClick={() => retry()}>
          <RefreshCwIcon aria-hidden="true" />
          Try again
        </Button>
        <Button asChild variant="outline">
          <Link href="/">Go home</Link>
        </Button>
      </div>
    </div>
  );
}
