"use client";

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";

import {
  loadSavedDevices,
  resolveDeviceId,
  saveDevice,
  type DeviceKind,
  type SavedDevice,
  type SavedDevices,
} from "./device-preferences";
import type { CapturedMedia } from "../join-choices";
import { discardEarlyMedia } from "./early-media";
import {
  createLocalMedia,
  OFF,
  startTogether,
  type LocalMediaController,
  type LocalMediaState,
} from "./local-media";
import { supportsOutputSelection, useMediaDevices, type DeviceLists } from "./use-media-devices";

export interface DeviceSetupOptions {
  cameraOn: boolean;
  micOn: boolean;
  /** Devices remembered elsewhere (the account's preferences), tried after this browser's. */
  fallback?: SavedDevices;
  /** Called after a person picks a device (it is already saved in this browser). */
  onDeviceChosen?: (kind: DeviceKind, device: SavedDevice) => void;
}

export interface DeviceSetup {
  video: LocalMediaState;
  audio: LocalMediaState;
  devices: DeviceLists;
  /** The device shown as chosen for each kind (undefined: the browser's default). */
  selected: Record<DeviceKind, string | undefined>;
  choose: (kind: DeviceKind, deviceId: string) => void;
  retry: (kind: "videoinput" | "audioinput") => void;
  supportsOutput: boolean;
  /** The live camera and microphone, given to the call that starts (the preview lets them go). */
  handOver: () => CapturedMedia;
}

function useController(kind: "videoinput" | "audioinput"): [LocalMediaController, LocalMediaState] {
  const [controller] = useState(() => createLocalMedia(kind));
  const state = useSyncExternalStore(controller.subscribe, controller.getState, () => OFF);
  return [controller, state];
}

/**
 * Camera and microphone previews plus device choices: restores the saved devices (by id, else
 * label, else default), starts what is switched on with one permission prompt, follows device
 * changes, and stops every track on unmount.
 */
export function useDeviceSetup({
  cameraOn,
  micOn,
  fallback,
  onDeviceChosen,
}: DeviceSetupOptions): DeviceSetup {
  const [video, videoState] = useController("videoinput");
  const [audio, audioState] = useController("audioinput");
  const [saved, setSaved] = useState<SavedDevices | null>(null);
  const [chosen, setChosen] = useState<Partial<Record<DeviceKind, string>>>({});
  const [supportsOutput, setSupportsOutput] = useState(false);

  const onDevicesChanged = useCallback(
    (lists: DeviceLists) => {
      video.devicesChanged(lists.all);
      audio.devicesChanged(lists.all);
    },
    [video, audio],
  );
  const devices = useMediaDevices(onDevicesChanged);
  const { refresh } = devices;

  // Saved choices are read in the browser only (never during server rendering).
  useEffect(() => {
    setSaved(loadSavedDevices());
    setSupportsOutput(supportsOutputSelection());
  }, []);

  const resolved = useMemo(() => {
    const result: Record<DeviceKind, string | undefined> = {
      audioinput: undefined,
      videoinput: undefined,
      audiooutput: undefined,
    };
    if (!saved) return result;
    for (const kind of ["audioinput", "videoinput", "audiooutput"] as const) {
      result[kind] = resolveDeviceId(devices.all, kind, saved[kind], fallback?.[kind]);
    }
    return result;
  }, [devices.all, saved, fallback]);

  // Before the device list is known, a saved id is only a preference (`ideal`): a dead one falls
  // back. Once it is known, a chosen or restored device is present: ask for exactly it (browsers
  // may keep the default device for a mere `ideal`).
  useEffect(() => {
    if (!saved) return;
    const initial = (kind: "videoinput" | "audioinput") =>
      saved[kind]?.id ?? fallback?.[kind]?.id ?? undefined;
    video.setDevice(
      chosen.videoinput ?? resolved.videoinput ?? initial("videoinput"),
      Boolean(chosen.videoinput ?? resolved.videoinput),
    );
    audio.setDevice(
      chosen.audioinput ?? resolved.audioinput ?? initial("audioinput"),
      Boolean(chosen.audioinput ?? resolved.audioinput),
    );
  }, [saved, resolved, chosen, video, audio, fallback]);

  // On and off. The first start asks for both at once: one permission prompt.
  useEffect(() => {
    if (!saved) return;
    const bothFresh = cameraOn && micOn && !video.isEnabled() && !audio.isEnabled();
    if (bothFresh) {
      video.setEnabled(true, { deferStart: true });
      audio.setEnabled(true, { deferStart: true });
      void startTogether(video, audio);
    } else {
      video.setEnabled(cameraOn);
      audio.setEnabled(micOn);
    }
    // Device ids are handled by the effect above; this one is about on and off only (so it
    // deliberately does not re-run when they change).
  }, [saved, cameraOn, micOn, video, audio]);

  // Stop every track when the preview goes away (and a capture the page's script started that
  // nothing took over).
  useEffect(
    () => () => {
      video.stop();
      audio.stop();
      discardEarlyMedia();
    },
    [video, audio],
  );

  // Labels (and ids) appear once a track is live: list the devices again.
  useEffect(() => {
    if (videoState.status === "live" || audioState.status === "live") refresh();
  }, [videoState.status, audioState.status, refresh]);

  const choose = useCallback(
    (kind: DeviceKind, deviceId: string) => {
      const device = devices.all.find((d) => d.kind === kind && d.deviceId === deviceId);
      const entry: SavedDevice = { id: deviceId, label: device?.label || null };
      setSaved(saveDevice(kind, entry));
      setChosen((previous) => ({ ...previous, [kind]: deviceId }));
      onDeviceChosen?.(kind, entry);
    },
    [devices.all, onDeviceChosen],
  );

  const retry = useCallback(
    (kind: "videoinput" | "audioinput") => (kind === "videoinput" ? video : audio).retry(),
    [video, audio],
  );

  const selected: Record<DeviceKind, string | undefined> = {
    videoinput: videoState.deviceId ?? chosen.videoinput ?? resolved.videoinput,
    audioinput: audioState.deviceId ?? chosen.audioinput ?? resolved.audioinput,
    audiooutput: chosen.audiooutput ?? resolved.audiooutput,
  };

  const handOver = useCallback(() => ({ video: video.handOver(), audio: audio.handOver() }), [video, audio]);

  return { video: videoState, audio: audioState, devices, selected, choose, retry, supportsOutput, handOver };
}
