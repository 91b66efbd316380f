"use client";

import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@parlor/ui/dialog";
import { toast } from "@parlor/ui/toaster";
import { useLocalParticipant, useMediaDeviceSelect, useRoomContext } from "@livekit/components-react";
import { useEffect, useState } from "react";

import { saveDevice, type DeviceKind, type SavedDevice } from "../devices/device-preferences";
import { SpeakerTestButton } from "../devices/device-pickers";
import { DeviceSelect } from "../devices/device-select";
import { describeMediaProblem, classifyMediaError } from "../devices/media-errors";
import { MicLevelMeter } from "../devices/mic-level-meter";
import { supportsOutputSelection } from "../devices/use-media-devices";
import { useCallEffects } from "../effects/call-effects-context";
import { deviceCapacity } from "../effects/effect-preferences";
import { EffectsPicker } from "../effects/effects-picker";

/** Device switching during the call: the same pickers and meter as before joining. */
export function RoomSettingsDialog({
  open,
  onOpenChange,
  onDeviceChosen,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDeviceChosen?: (kind: DeviceKind, device: SavedDevice) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Settings</DialogTitle>
          <DialogDescription>
            Switch camera, microphone or speaker, background or noise suppression without leaving the call.
          </DialogDescription>
        </DialogHeader>
        {open ? <RoomDevicePickers onDeviceChosen={onDeviceChosen} /> : null}
        {open ? <RoomEffects /> : null}
      </DialogContent>
    </Dialog>
  );
}

function RoomDevicePickers({
  onDeviceChosen,
}: {
  onDeviceChosen?: (kind: DeviceKind, device: SavedDevice) => void;
}) {
  const room = useRoomContext();
  const camera = useMediaDeviceSelect({ kind: "videoinput", room });
  const microphone = useMediaDeviceSelect({ kind: "audioinput", room });
  const speaker = useMediaDeviceSelect({ kind: "audiooutput", room });
  const { microphoneTrack, isMicrophoneEnabled } = useLocalParticipant();
  const [outputSupported, setOutputSupported] = useState(false);
  useEffect(() => setOutputSupported(supportsOutputSelection()), []);

  const switchTo = (kind: DeviceKind, select: typeof camera) => (deviceId: string) => {
    const device = select.devices.find((d) => d.deviceId === deviceId);
    select
      .setActiveMediaDevice(deviceId)
      .then(() => {
        const entry = { id: deviceId, label: device?.label || null };
        saveDevice(kind, entry);
        onDeviceChosen?.(kind, entry);
      })
      .catch((error: unknown) => {
        const text = kind === "audiooutput" ? null : describeMediaProblem(classifyMediaError(error, kind));
        toast.error(text ? text.title : "Could not switch the speaker", { description: text?.description });
      });
  };

  const usable = (list: MediaDeviceInfo[]) => list.filter((d) => d.deviceId);
  const micTrack = isMicrophoneEnabled ? (microphoneTrack?.track?.mediaStreamTrack ?? null) : null;

  return (
    <div className="grid gap-4">
      <DeviceSelect
        kind="videoinput"
        devices={usable(camera.devices)}
        value={camera.activeDeviceId || undefined}
        onChange={switchTo("videoinput", camera)}
      />
      <div className="grid gap-2">
        <DeviceSelect
          kind="audioinput"
          devices={usable(microphone.devices)}
          value={microphone.activeDeviceId || undefined}
          onChange={switchTo("audioinput", microphone)}
        />
        <MicLevelMeter key={microphone.activeDeviceId} track={micTrack} />
        {!isMicrophoneEnabled ? (
          <p className="text-xs text-muted-foreground">Your microphone is off.</p>
        ) : null}
      </div>
      <div className="flex items-end gap-2">
        {outputSupported && usable(speaker.devices).length > 0 ? (
          <DeviceSelect
            kind="audiooutput"
            className="flex-1"
            devices={usable(speaker.devices)}
            value={speaker.activeDeviceId || undefined}
            onChange={switchTo("audiooutput", speaker)}
          />
        ) : (
          <p className="flex-1 text-xs text-muted-foreground">
            <span className="block font-medium">Speaker</span>
            Sound plays on the system's default speaker.
          </p>
        )}
        <SpeakerTestButton sinkId={outputSupported ? speaker.activeDeviceId || undefined : undefined} />
      </div>
    </div>
  );
}

/** Background effect and noise suppression, switched on the live tracks. */
function RoomEffects() {
  const call = useCallEffects();
  const [noiseSupported] = useState(() => deviceCapacity().audioWorklet);
  if (!call) return null;
  const { effects, state } = call;
  return (
    <EffectsPicker
      className="border-t pt-4"
      background={state.background}
      onBackgroundChange={(effect) => void effects.setBackground(effect)}
      noiseSuppression={state.noiseSuppression}
      onNoiseSuppressionChange={(on) => void effects.setNoiseSuppression(on)}
      noiseSupported={noiseSupported}
      status={state.busy ? "Applying…" : state.notice}
    />
  );
}
