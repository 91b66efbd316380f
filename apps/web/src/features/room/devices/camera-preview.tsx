"use client";

import { InitialsAvatar } from "@parlor/ui/avatar";
import { cn } from "@parlor/ui/lib/utils";
import { VideoOffIcon } from "lucide-react";
import { useEffect, useRef, type ReactNode } from "react";

import { EARLY_LIVE_ATTRIBUTE, EARLY_PREVIEW_ATTRIBUTE } from "./early-media";
import type { LocalMediaState } from "./local-media";

/**
 * The self view: mirrored, like a mirror, so moving left moves left. Shows who you are when the
 * camera is off, and a spinner while it starts.
 */
export function CameraPreview({
  state,
  name,
  displayTrack,
  className,
  children,
}: {
  state: LocalMediaState;
  /** What to show instead of the camera's own track (the same camera with a background effect). */
  displayTrack?: MediaStreamTrack | null;
  name: string;
  className?: string;
  /** Overlaid at the bottom (controls, meter). */
  children?: ReactNode;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const track = state.status === "live" ? (displayTrack ?? state.track) : null;

  // The room page's inline script may show the camera before this code ran (early-media.ts):
  // it stays on screen while the capture is being taken over (the state is "off" until the
  // camera is switched on after hydration, then "starting"), and the page's state rules once
  // it is live, failed, or switched off.
  const switchedOn = useRef(false);
  useEffect(() => {
    if (state.status !== "off") switchedOn.current = true;
    if (state.status === "live" || state.status === "error" || (state.status === "off" && switchedOn.current))
      containerRef.current?.removeAttribute(EARLY_LIVE_ATTRIBUTE);
  }, [state.status]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    if (!track) {
      if (!containerRef.current?.hasAttribute(EARLY_LIVE_ATTRIBUTE)) video.srcObject = null;
      return;
    }
    // Already showing this very track (the script's capture, taken over): no restart, no flash.
    const shown = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks() : [];
    if (shown.length !== 1 || shown[0] !== track) {
      video.srcObject = new MediaStream([track]);
      // Muted inline video may autoplay everywhere; a rejected play() only means "not yet".
      video.play().catch(() => undefined);
    }
    return () => {
      video.srcObject = null;
    };
  }, [track]);

  return (
    <div
      ref={containerRef}
      className={cn(
        "group/preview relative isolate aspect-video w-full overflow-hidden rounded-xl bg-zinc-900 text-zinc-100 ring-1 ring-border",
        className,
      )}
      {...{ [EARLY_PREVIEW_ATTRIBUTE]: "" }}
      data-testid="camera-preview"
      data-state={state.status}
      data-processed={track && track === displayTrack ? "true" : undefined}
    >
      <video
        ref={videoRef}
        autoPlay
        playsInline
        muted
        aria-label="Your camera preview"
        className={cn(
          "absolute inset-0 size-full -scale-x-100 object-cover",
          !track && "invisible group-data-early-live/preview:visible",
        )}
      />
      {!track ? (
        <div
          className={cn(
            "absolute inset-0 flex flex-col items-center justify-center gap-2 p-4 text-center group-data-early-live/preview:hidden sm:gap-3",
            // Keep clear of the controls overlaid at the bottom (a phone's preview is short).
            children && "pb-18 sm:pb-20",
          )}
        >
          {state.status === "starting" ? (
            <>
              <span
                className="size-8 animate-spin rounded-full border-2 border-zinc-500 border-t-zinc-100"
                aria-hidden="true"
              />
              <p className="text-sm text-zinc-300">Starting camera…</p>
            </>
          ) : (
            <>
              <InitialsAvatar
                name={name || "?"}
                id={name || "?"}
                className="size-12 text-lg sm:size-20 sm:text-2xl"
                title=""
              />
              <p className="flex items-center gap-1.5 text-sm text-zinc-300">
                <VideoOffIcon className="size-4" aria-hidden="true" />
                {state.status === "error" ? "Camera unavailable" : "Camera is off"}
              </p>
            </>
          )}
        </div>
      ) : null}
      {children ? (
        <div className="absolute inset-x-0 bottom-0 flex items-center justify-center gap-2 bg-gradient-to-t from-black/70 to-transparent p-3 pt-8">
          {children}
        </div>
      ) : null}
    </div>
  );
}
