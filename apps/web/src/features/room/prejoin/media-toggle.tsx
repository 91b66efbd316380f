"use client";

import { cn } from "@parlor/ui/lib/utils";
import { MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from "lucide-react";

/** A round on/off button for the camera or microphone, over the preview. */
export function MediaToggle({
  kind,
  on,
  onChange,
  className,
}: {
  kind: "videoinput" | "audioinput";
  on: boolean;
  onChange: (on: boolean) => void;
  className?: string;
}) {
  const noun = kind === "videoinput" ? "camera" : "microphone";
  const Icon = kind === "videoinput" ? (on ? VideoIcon : VideoOffIcon) : on ? MicIcon : MicOffIcon;
  return (
    <button
      type="button"
      aria-pressed={on}
      aria-label={on ? `Turn ${noun} off` : `Turn ${noun} on`}
      title={on ? `Turn ${noun} off` : `Turn ${noun} on`}
      data-testid={`toggle-${kind}`}
      onClick={() => onChange(!on)}
      className={cn(
        "flex size-11 items-center justify-center rounded-full transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-white/70",
        on
          ? "bg-white/20 text-white backdrop-blur hover:bg-white/30"
          : "bg-red-600 text-white hover:bg-red-500",
        className,
      )}
    >
      <Icon className="size-5" aria-hidden="true" />
    </button>
  );
}
