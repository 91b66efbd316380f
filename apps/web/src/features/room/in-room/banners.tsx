"use client";

import { Button } from "@parlor/ui/button";
import { useAudioPlayback, useConnectionState } from "@livekit/components-react";
import { ConnectionState } from "livekit-client";
import { Volume2Icon, WifiOffIcon } from "lucide-react";

/** Shown while LiveKit restores a dropped connection. */
export function ReconnectingBanner() {
  const state = useConnectionState();
  if (state !== ConnectionState.Reconnecting && state !== ConnectionState.SignalReconnecting) return null;
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="reconnecting-banner"
      className="flex items-center justify-center gap-2 bg-amber-100 px-4 py-2 text-center text-sm text-amber-950 dark:bg-amber-500/20 dark:text-amber-100"
    >
      <WifiOffIcon className="size-4 shrink-0 animate-pulse" aria-hidden="true" />
      <span>
        <strong className="font-semibold">Reconnecting…</strong> Your connection dropped; you'll be back in
        the call as soon as it returns.
      </span>
    </div>
  );
}

/** Browsers block sound until the page is interacted with; this asks for that click. */
export function StartAudioBanner() {
  const { canPlayAudio, startAudio } = useAudioPlayback();
  if (canPlayAudio) return null;
  return (
    <div
      role="alert"
      data-testid="start-audio-banner"
      className="flex flex-wrap items-center justify-center gap-x-3 gap-y-2 bg-sky-100 px-4 py-2 text-center text-sm text-sky-950 dark:bg-sky-500/20 dark:text-sky-100"
    >
      <span>Your browser paused the call's sound.</span>
      <Button size="sm" onClick={() => void startAudio()}>
        <Volume2Icon aria-hidden="true" />
        Start audio
      </Button>
    </div>
  );
}
