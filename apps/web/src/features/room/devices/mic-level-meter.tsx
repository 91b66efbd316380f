"use client";

import { cn } from "@parlor/ui/lib/utils";
import { useEffect, useRef } from "react";

import { watchAudioLevel } from "./audio-level";

const SEGMENTS = 12;

/**
 * A live microphone level. Updated straight on the DOM each frame (no re-renders); screen readers
 * get the level as a meter, updated a few times a second.
 */
export function MicLevelMeter({
  track,
  label = "Microphone level",
  className,
}: {
  track: MediaStreamTrack | null;
  label?: string;
  className?: string;
}) {
  const meterRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const meter = meterRef.current;
    if (!meter) return;
    const segments = Array.from(meter.querySelectorAll<HTMLElement>("[data-segment]"));
    const show = (level: number) => {
      const lit = Math.round(level * SEGMENTS);
      segments.forEach((segment, i) => {
        segment.dataset.on = i < lit ? "true" : "false";
      });
    };
    if (!track || track.readyState === "ended") {
      show(0);
      meter.setAttribute("aria-valuenow", "0");
      meter.dataset.level = "0";
      return;
    }
    let lastAnnounced = 0;
    const stop = watchAudioLevel(track, (level) => {
      show(level);
      meter.dataset.level = level.toFixed(3);
      const now = performance.now();
      if (now - lastAnnounced > 250) {
        lastAnnounced = now;
        meter.setAttribute("aria-valuenow", String(Math.round(level * 100)));
      }
    });
    return () => {
      stop();
      show(0);
    };
  }, [track]);

  return (
    <div
      ref={meterRef}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={0}
      data-level="0"
      data-testid="mic-level"
      className={cn("flex h-2 items-center gap-0.5", !track && "opacity-40", className)}
    >
      {Array.from({ length: SEGMENTS }, (_, i) => (
        <span
          key={i}
          data-segment
          data-on="false"
          className={cn(
            "h-full flex-1 rounded-[2px] bg-muted-foreground/25 transition-colors duration-75",
            i < SEGMENTS * 0.6
              ? "data-[on=true]:bg-emerald-500"
              : i < SEGMENTS * 0.85
                ? "data-[on=true]:bg-amber-500"
                : "data-[on=true]:bg-red-500",
          )}
        />
      ))}
    </div>
  );
}
