import { toast } from "@parlor/ui/toaster";
import { Track } from "livekit-client";

import { classifyMediaError, describeMediaProblem } from "../devices/media-errors";

/** Toasts for a failed camera, microphone or screen share; a cancelled screen picker is not a failure. */
export function reportMediaError(error: unknown, source: Track.Source) {
  if (source === Track.Source.ScreenShare) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "NotAllowedError" || name === "AbortError") return;
    toast.error("Screen sharing could not start", {
      description:
        "Your browser or system did not allow it. Check its screen-recording permission and try again.",
    });
    return;
  }
  const problem = describeMediaProblem(
    classifyMediaError(error, source === Track.Source.Camera ? "videoinput" : "audioinput"),
  );
  toast.error(problem.title, { description: problem.description });
}
