"use client";

import { cn } from "@parlor/ui/lib/utils";
import { AlertTriangleIcon, MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from "lucide-react";

/** A round on/off button for the camera or microphone, over the preview. */
export function MediaToggle({
  kind,
  on,
  onChange,
  unavailable = false,
  preview = false,
  className,
}: {
  kind: "videoinput" | "audioinput";
  on: boolean;
  onChange: (on: boolean) => void;
  /** Switched on but not working (see the message beside the preview). */
  unavailable?: boolean;
  /** Only the preview here (settings), not what is on when joining. */
  preview?: boolean;
  className?: string;
}) {
  const noun = kind === "videoinput" ? "camera" : "microphone";
  const Icon = kind === "videoinput" ? (on ? VideoIcon : VideoOffIcon) : on ? MicIcon : MicOffIcon;
  const warn = on && unavailable;
  const action = preview
    ? on
      ? `Stop ${noun} preview`
      : `Start ${noun} preview`
    : on
      ? `Turn ${noun} off`
      : `Turn ${noun} on`;
  return (
    <button
      type="button"
      aria-pressed={on}
      aria-label={action}
      aria-description={warn ? `Your ${noun} is not working` : undefined}
      title={warn ? `Your ${noun} is not working` : action}
      data-testid={`toggle-${kind}`}
      onClick={() => onChange(!on)}
      className={cn(
        "relative flex size-11 items-center justify-center rounded-full transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-white/70",
        on
          ? "bg-white/20 text-white backdrop-blur hover:bg-white/30"
          : "bg-red-600 text-white hover:bg-red-500",
        className,
      )}
    >
      <Icon className="size-5" aria-hidden="true" />
      {warn ? (
        <span className="absolute -top-0.5 -right-0.5 flex size-4.5 items-center justify-center rounded-full bg-amber-400 text-amber-950">
          <AlertTriangleIcon className="size-3" aria-hidden="true" />
        </span>
      ) : null}
    </button>
  );
}
