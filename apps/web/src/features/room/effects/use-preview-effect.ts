"use client";

import type { LocalVideoTrack } from "livekit-client";
import { useEffect, useRef, useState } from "react";

import type { BackgroundEffect } from "./effect-preferences";
import { loadProcessors, TOO_SLOW_NOTICE } from "./load-processors";

export interface PreviewEffect {
  /** What to show: the processed track while an effect runs, else the camera's own. */
  track: MediaStreamTrack | null;
  status: "off" | "loading" | "on" | "unsupported" | "failed" | "too-slow";
  notice: string | null;
}

/**
 * The pre-join preview with the chosen background effect, so people see what the others will:
 * the camera track wrapped in a LiveKit track carrying the same processor the call uses.
 * `onTooSlow` lets the page turn the effect off (and remember that) on a slow device.
 */
export function usePreviewEffect(
  camera: MediaStreamTrack | null,
  effect: BackgroundEffect,
  onTooSlow: () => void,
): PreviewEffect {
  const [processed, setProcessed] = useState<{ source: MediaStreamTrack; track: MediaStreamTrack } | null>(
    null,
  );
  const [status, setStatus] = useState<PreviewEffect["status"]>("off");
  const [notice, setNotice] = useState<string | null>(null);
  const tooSlow = useRef(onTooSlow);
  tooSlow.current = onTooSlow;
  // One LiveKit track per camera track, kept across effect changes (switching needs no reload).
  const wrapper = useRef<{
    source: MediaStreamTrack;
    local: LocalVideoTrack;
  } | null>(null);

  useEffect(() => {
    if (!camera || effect === "none") {
      const current = wrapper.current;
      if (current?.source !== camera && current) {
        wrapper.current = null;
        void current.local.stopProcessor().catch(() => undefined);
      } else if (current) void current.local.stopProcessor().catch(() => undefined);
      setProcessed(null);
      setStatus("off");
      return;
    }
    let cancelled = false;
    setStatus((s) => (s === "on" ? s : "loading"));
    void (async () => {
      const [{ LocalVideoTrack }, fx] = await Promise.all([import("livekit-client"), loadProcessors()]);
      if (cancelled) return;
      if (!fx.supportsBackgroundEffects()) {
        setStatus("unsupported");
        setNotice("Background effects are not supported in this browser.");
        return;
      }
      if (wrapper.current?.source !== camera) {
        void wrapper.current?.local.stopProcessor().catch(() => undefined);
        // userProvidedTrack: the LiveKit track never stops the preview's own camera track.
        wrapper.current = { source: camera, local: new LocalVideoTrack(camera, undefined, true) };
      }
      const { local } = wrapper.current;
      await fx.applyBackgroundEffect(local, effect, {
        onTooSlow: () => {
          setStatus("too-slow");
          setNotice(TOO_SLOW_NOTICE);
          tooSlow.current();
        },
      });
      if (cancelled) return;
      const output = local.getProcessor()?.processedTrack;
      setProcessed(output ? { source: camera, track: output } : null);
      setStatus("on");
      setNotice(null);
    })().catch((error: unknown) => {
      if (cancelled) return;
      setStatus("failed");
      setNotice(
        `The background effect could not start${error instanceof Error ? `: ${error.message}` : ""}.`,
      );
    });
    return () => {
      cancelled = true;
    };
  }, [camera, effect]);

  // Leaving the pre-join stops the processor (the camera track is stopped by its owner).
  useEffect(
    () => () => {
      void wrapper.current?.local.stopProcessor().catch(() => undefined);
      wrapper.current = null;
    },
    [],
  );

  const track = effect !== "none" && processed && processed.source === camera ? processed.track : camera;
  return { track, status: effect === "none" ? "off" : status, notice };
}
