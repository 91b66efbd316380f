"use client";

import { Card } from "@parlor/ui/card";
import { Progress } from "@parlor/ui/progress";

import type { InitStep } from "../room-store";

const STEPS: Record<InitStep | "preparing" | "joining", { text: string; progress: number }> = {
  preparing: { text: "Setting up your room…", progress: 15 },
  ensure: { text: "Setting up your room…", progress: 40 },
  connectionDetails: { text: "Getting connection details…", progress: 80 },
  joining: { text: "Joining the call…", progress: 95 },
};

/** Shown while the room is being set up: what is happening now, and how far along it is. */
export function RoomSetupCard({
  step,
  roomTitle,
}: {
  step: InitStep | "preparing" | "joining";
  roomTitle: string;
}) {
  const { text, progress } = STEPS[step];
  return (
    <Card className="w-full max-w-md gap-4 p-6" data-testid="room-setup" data-step={step} aria-busy="true">
      <div className="grid gap-1.5 text-center">
        <h1 className="text-lg font-semibold">Getting {roomTitle} ready</h1>
        <p className="text-sm text-muted-foreground" role="status" aria-live="polite">
          {text}
        </p>
      </div>
      <Progress value={progress} aria-label={text} className="w-full" />
    </Card>
  );
}
