"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { Progress } from "@parlor/ui/progress";

import type { InitStep } from "../room-store";
import { useElapsedSeconds } from "./setup-status";

const STEPS: Record<InitStep | "preparing" | "joining", { text: string; progress: number }> = {
  preparing: { text: "Setting up your room…", progress: 15 },
  ensure: { text: "Setting up your room…", progress: 40 },
  connectionDetails: { text: "Getting connection details…", progress: 80 },
  joining: { text: "Joining the call…", progress: 95 },
};

/**
 * Shown while the room is being set up: what is happening now, how far along it is and for how
 * long (a hanging service shows as seconds counting, not a bar that stalls), and a way to stop.
 */
export function RoomSetupCard({
  step,
  roomTitle,
  onCancel,
}: {
  step: InitStep | "preparing" | "joining";
  roomTitle: string;
  onCancel?: () => void;
}) {
  const { text, progress } = STEPS[step];
  const seconds = useElapsedSeconds(true);
  return (
    <Card className="w-full max-w-md gap-4 p-6" data-testid="room-setup" data-step={step} aria-busy="true">
      <div className="grid gap-1.5 text-center">
        <h1 className="text-lg font-semibold">
          Getting <bdi>{roomTitle}</bdi> ready
        </h1>
        <p className="text-sm text-muted-foreground" role="status" aria-live="polite">
          {text}
          {seconds >= 2 ? <span className="tabular-nums"> ({seconds} s)</span> : null}
        </p>
      </div>
      <Progress value={progress} aria-label={text} className="w-full" />
      {onCancel ? (
        <Button variant="ghost" size="sm" className="justify-self-center" onClick={onCancel}>
          Cancel
        </Button>
      ) : null}
    </Card>
  );
}
