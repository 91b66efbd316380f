"use client";

import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { Volume2Icon } from "lucide-react";
import { useState } from "react";

import { DeviceSelect } from "./device-select";
import { MicLevelMeter } from "./mic-level-meter";
import { playTestSound } from "./speaker-test";
import type { DeviceSetup } from "./use-device-setup";

/** Plays a short chime on the chosen speaker. */
export function SpeakerTestButton({ sinkId }: { sinkId: string | undefined }) {
  const [playing, setPlaying] = useState(false);
  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      className="shrink-0"
      aria-label="Play a test sound"
      pending={playing}
      onClick={() => {
        setPlaying(true);
        playTestSound(sinkId)
          .catch(() => toast.error("The test sound could not play. Check the speaker and your volume."))
          .finally(() => setPlaying(false));
      }}
    >
      {playing ? null : <Volume2Icon aria-hidden="true" />}
      {playing ? "Playing…" : "Test"}
    </Button>
  );
}

/**
 * Camera, microphone (with its live level) and speaker pickers. The same pickers serve the
 * pre-join screen, the settings page and the in-room settings.
 */
export function DevicePickers({
  setup,
  micOn,
}: {
  setup: Pick<DeviceSetup, "devices" | "selected" | "choose" | "supportsOutput"> & {
    audio: { track: MediaStreamTrack | null };
  };
  micOn: boolean;
}) {
  const { devices, selected, choose, supportsOutput } = setup;
  // Before the browser has listed its devices (and in the server's HTML) nothing is missing yet.
  const hint = (kind: "videoinput" | "audioinput") =>
    !devices.listed
      ? "Looking for devices…"
      : devices.all.some((d) => d.kind === kind)
        ? "Allow access to choose"
        : undefined;
  return (
    <div className="grid gap-4">
      <DeviceSelect
        kind="videoinput"
        devices={devices.videoinput}
        value={selected.videoinput}
        onChange={(id) => choose("videoinput", id)}
        hint={hint("videoinput")}
      />
      <div className="grid gap-2">
        <DeviceSelect
          kind="audioinput"
          devices={devices.audioinput}
          value={selected.audioinput}
          onChange={(id) => choose("audioinput", id)}
          hint={hint("audioinput")}
        />
        <MicLevelMeter track={micOn ? setup.audio.track : null} />
      </div>
      <div className="flex items-end gap-2">
        {supportsOutput && devices.audiooutput.length > 0 ? (
          <DeviceSelect
            kind="audiooutput"
            className="flex-1"
            devices={devices.audiooutput}
            value={selected.audiooutput}
            onChange={(id) => choose("audiooutput", id)}
          />
        ) : (
          <p className="flex-1 text-xs text-muted-foreground">
            <span className="block text-xs font-medium">Speaker</span>
            {supportsOutput ? "System default" : "Your browser plays sound on the system's default speaker."}
          </p>
        )}
        <SpeakerTestButton sinkId={supportsOutput ? selected.audiooutput : undefined} />
      </div>
    </div>
  );
}
