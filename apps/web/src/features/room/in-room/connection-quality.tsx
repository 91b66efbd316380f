"use client";

import { cn } from "@parlor/ui/lib/utils";
import { ConnectionQuality } from "livekit-client";

import { QUALITY_LABEL } from "./use-participant-state";

const BARS: Record<ConnectionQuality, number> = {
  [ConnectionQuality.Excellent]: 3,
  [ConnectionQuality.Good]: 2,
  [ConnectionQuality.Poor]: 1,
  [ConnectionQuality.Lost]: 0,
  [ConnectionQuality.Unknown]: 0,
};

/** Three bars, labelled for screen readers. */
export function ConnectionQualityBars({
  quality,
  className,
}: {
  quality: ConnectionQuality;
  className?: string;
}) {
  const lit = BARS[quality];
  const tone =
    quality === ConnectionQuality.Poor || quality === ConnectionQuality.Lost
      ? "bg-red-500"
      : quality === ConnectionQuality.Good
        ? "bg-amber-400"
        : "bg-emerald-500";
  return (
    <span
      role="img"
      aria-label={QUALITY_LABEL[quality]}
      title={QUALITY_LABEL[quality]}
      data-quality={quality}
      className={cn("inline-flex h-3.5 items-end gap-[2px]", className)}
    >
      {[1, 2, 3].map((bar) => (
        <span
          key={bar}
          className={cn("w-[3px] rounded-[1px]", bar <= lit ? tone : "bg-current opacity-25")}
          style={{ height: `${bar * 33}%` }}
        />
      ))}
    </span>
  );
}
