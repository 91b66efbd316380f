"use client";

import { toast } from "@parlor/ui/toaster";
import { useEffect, useRef } from "react";

import { useIsRecording } from "./use-is-recording";

/**
 * In the call's header while the meeting is recorded (for everyone, guests included), with a
 * notice when recording starts and stops.
 */
export function RecordingIndicator() {
  const recording = useIsRecording();
  const previous = useRef(recording);
  useEffect(() => {
    if (previous.current === recording) return;
    previous.current = recording;
    if (recording) {
      toast("This meeting is now being recorded", {
        id: "recording",
        description: "Members of the team can watch the recording later from the room's history.",
        duration: 8000,
      });
    } else {
      toast("Recording stopped", { id: "recording", duration: 4000 });
    }
  }, [recording]);
  if (!recording) return null;
  return (
    <span
      role="status"
      data-testid="recording-indicator"
      title="This meeting is being recorded"
      className="inline-flex shrink-0 items-center gap-1.5 rounded-full bg-red-600 px-2.5 py-1 text-xs font-semibold text-white"
    >
      <span
        className="size-2 animate-pulse rounded-full bg-white motion-reduce:animate-none"
        aria-hidden="true"
      />
      <span className="sr-only">This meeting is being recorded</span>
      <span aria-hidden="true">REC</span>
    </span>
  );
}
