"use client";

import type { Preferences } from "@parlor/api/schemas";
import { cn } from "@parlor/ui/lib/utils";
import { toast } from "@parlor/ui/toaster";
import { useCallback, useMemo, useState } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { CameraPreview } from "./devices/camera-preview";
import type { DeviceKind, SavedDevice, SavedDevices } from "./devices/device-preferences";
import { DevicePickers } from "./devices/device-pickers";
import { MediaProblemAlert } from "./devices/media-problem";
import { useDeviceSetup } from "./devices/use-device-setup";
import { MediaToggle } from "./prejoin/media-toggle";

const FIELDS: Record<DeviceKind, { id: keyof Preferences; label: keyof Preferences }> = {
  videoinput: { id: "videoInputId", label: "videoInputLabel" },
  audioinput: { id: "audioInputId", label: "audioInputLabel" },
  audiooutput: { id: "audioOutputId", label: "audioOutputLabel" },
};

/**
 * Camera, microphone and speaker choices with a live preview and microphone meter — the same
 * pickers the pre-join screen uses, saved the same way (in this browser by id and label, and
 * mirrored to the account). The preview runs while this is on screen; its on/off buttons only
 * pause the preview here (what is on when joining is a separate setting).
 */
export function DeviceSettings({ className, name }: { className?: string; name?: string }) {
  const utils = api.useUtils();
  const prefs = api.preferences.get.useQuery(undefined, { staleTime: 60_000 });
  const me = api.auth.me.useQuery(undefined, { staleTime: 60_000 });
  const { mutate: save } = api.preferences.update.useMutation({
    onSuccess: (data) => utils.preferences.get.setData(undefined, data),
    onError: (error) =>
      toast.error(`Your device choice was not saved to your account: ${describeError(error).message}`),
  });
  const [cameraOn, setCameraOn] = useState(true);
  const [micOn, setMicOn] = useState(true);

  const fallback = useMemo<SavedDevices | undefined>(() => {
    const p = prefs.data;
    return (
      p && {
        videoinput: { id: p.videoInputId, label: p.videoInputLabel },
        audioinput: { id: p.audioInputId, label: p.audioInputLabel },
        audiooutput: { id: p.audioOutputId, label: p.audioOutputLabel },
      }
    );
  }, [prefs.data]);

  const onDeviceChosen = useCallback(
    (kind: DeviceKind, device: SavedDevice) => {
      const fields = FIELDS[kind];
      save({ [fields.id]: device.id, [fields.label]: device.label?.slice(0, 256) ?? null });
      toast.success("Device saved", { id: `device-${kind}`, duration: 2000 });
    },
    [save],
  );

  const setup = useDeviceSetup({ cameraOn, micOn, fallback, onDeviceChosen });
  const shownName = name ?? prefs.data?.displayName ?? me.data?.name ?? "";

  return (
    // Lays itself out by the space it is given (a settings column or a whole page), not the window.
    <div className={cn("@container", className)} data-testid="device-settings">
      <div className="grid gap-6 @2xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)] @2xl:items-start">
        <div className="grid min-w-0 gap-3">
          <CameraPreview state={setup.video} name={shownName}>
            <MediaToggle
              kind="audioinput"
              on={micOn}
              onChange={setMicOn}
              preview
              unavailable={setup.audio.status === "error"}
            />
            <MediaToggle
              kind="videoinput"
              on={cameraOn}
              onChange={setCameraOn}
              preview
              unavailable={setup.video.status === "error"}
            />
          </CameraPreview>
          {cameraOn && setup.video.problem ? (
            <MediaProblemAlert problem={setup.video.problem} onRetry={() => setup.retry("videoinput")} />
          ) : null}
          {micOn && setup.audio.problem ? (
            <MediaProblemAlert problem={setup.audio.problem} onRetry={() => setup.retry("audioinput")} />
          ) : null}
        </div>
        <DevicePickers setup={setup} micOn={micOn} />
      </div>
    </div>
  );
}
