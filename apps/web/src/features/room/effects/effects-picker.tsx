"use client";

import { Label } from "@parlor/ui/label";
import { cn } from "@parlor/ui/lib/utils";
import { Switch } from "@parlor/ui/switch";
import { BanIcon } from "lucide-react";
import { useId } from "react";

import { BACKGROUND_OPTIONS, type BackgroundEffect } from "./effect-preferences";

/**
 * Background (None, light or strong blur, a bundled picture) and noise suppression: the same
 * control on the pre-join screen and in the call's settings.
 */
export function EffectsPicker({
  background,
  onBackgroundChange,
  noiseSuppression,
  onNoiseSuppressionChange,
  backgroundSupported = true,
  noiseSupported = true,
  status,
  className,
}: {
  background: BackgroundEffect;
  onBackgroundChange: (effect: BackgroundEffect) => void;
  noiseSuppression: boolean;
  onNoiseSuppressionChange: (on: boolean) => void;
  backgroundSupported?: boolean;
  noiseSupported?: boolean;
  /** A line under the choices: loading, or why an effect went off. */
  status?: string | null;
  className?: string;
}) {
  const groupId = useId();
  const noiseId = useId();
  return (
    <div className={cn("grid gap-4", className)}>
      <div className="grid gap-2">
        <span id={groupId} className="text-sm font-medium">
          Background
        </span>
        {backgroundSupported ? (
          <div
            role="radiogroup"
            aria-labelledby={groupId}
            className="grid grid-cols-3 gap-2"
            data-testid="background-picker"
          >
            {BACKGROUND_OPTIONS.map((option) => {
              const selected = option.effect === background;
              return (
                <button
                  key={option.effect}
                  type="button"
                  role="radio"
                  aria-checked={selected}
                  aria-label={option.label}
                  title={option.label}
                  data-effect={option.effect}
                  onClick={() => onBackgroundChange(option.effect)}
                  className={cn(
                    "group relative aspect-video overflow-hidden rounded-md bg-muted ring-1 ring-border transition outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                    selected && "ring-2 ring-primary",
                  )}
                >
                  <Swatch effect={option.effect} thumbnail={option.thumbnail} />
                  <span className="absolute inset-x-0 bottom-0 truncate bg-black/55 px-1 py-0.5 text-[10px] leading-tight font-medium text-white">
                    {option.label}
                  </span>
                </button>
              );
            })}
          </div>
        ) : (
          <p className="text-xs text-muted-foreground">
            Background effects are not supported in this browser.
          </p>
        )}
      </div>
      <div className="flex items-start justify-between gap-3">
        <div className="grid gap-0.5">
          <Label htmlFor={noiseId}>Noise suppression</Label>
          <p className="text-xs text-muted-foreground">
            {noiseSupported
              ? "Filters keyboard, fan and street noise out of your microphone, on this device."
              : "Not supported in this browser."}
          </p>
        </div>
        <Switch
          id={noiseId}
          checked={noiseSupported && noiseSuppression}
          disabled={!noiseSupported}
          onCheckedChange={onNoiseSuppressionChange}
          data-testid="noise-suppression"
        />
      </div>
      <p className="min-h-4 text-xs text-muted-foreground" role="status" aria-live="polite">
        {status ?? ""}
      </p>
    </div>
  );
}

function Swatch({ effect, thumbnail }: { effect: BackgroundEffect; thumbnail?: string }) {
  if (thumbnail)
    // eslint-disable-next-line @next/next/no-img-element -- a 2 KB local thumbnail; next/image adds nothing here.
    return <img src={thumbnail} alt="" className="absolute inset-0 size-full object-cover" />;
  if (effect === "none")
    return (
      <span className="absolute inset-0 flex items-center justify-center text-muted-foreground">
        <BanIcon className="size-4" aria-hidden="true" />
      </span>
    );
  // A person-shaped silhouette in front of a background blurred as much as the option blurs.
  return (
    <span className="absolute inset-0 bg-gradient-to-br from-sky-300 via-amber-200 to-emerald-300 dark:from-sky-700 dark:via-amber-700 dark:to-emerald-700">
      <span
        className={cn(
          "absolute inset-0 bg-[radial-gradient(circle_at_25%_35%,white_0_12%,transparent_13%),radial-gradient(circle_at_78%_30%,#334155_0_10%,transparent_11%)]",
          effect === "blur-light" ? "blur-[2px]" : "blur-[5px]",
        )}
      />
      <span className="absolute bottom-0 left-1/2 h-3/5 w-2/5 -translate-x-1/2 rounded-t-full bg-zinc-700 dark:bg-zinc-300" />
      <span className="absolute top-[22%] left-1/2 size-[28%] -translate-x-1/2 rounded-full bg-zinc-700 dark:bg-zinc-300" />
    </span>
  );
}
