"use client";

import { useCallback, useEffect, useState } from "react";

export interface DeviceLists {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
  audiooutput: MediaDeviceInfo[];
  /** Everything, in the browser's order. */
  all: MediaDeviceInfo[];
  /** False until the browser has listed its devices (and while the server renders). */
  listed: boolean;
}

const EMPTY: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [], all: [], listed: false };

export function splitDevices(all: MediaDeviceInfo[]): DeviceLists {
  // Before permission is granted browsers list devices without ids: nothing to choose from yet.
  const usable = all.filter((d) => d.deviceId);
  return {
    audioinput: usable.filter((d) => d.kind === "audioinput"),
    videoinput: usable.filter((d) => d.kind === "videoinput"),
    audiooutput: usable.filter((d) => d.kind === "audiooutput"),
    all,
    listed: true,
  };
}

/** The media devices present now, kept current through `devicechange`. */
export function useMediaDevices(
  onChange?: (devices: DeviceLists) => void,
): DeviceLists & { refresh: () => void } {
  const [lists, setLists] = useState<DeviceLists>(EMPTY);

  const refresh = useCallback(() => {
    if (typeof navigator === "undefined" || !navigator.mediaDevices?.enumerateDevices) return;
    navigator.mediaDevices.enumerateDevices().then(
      (all) => {
        const next = splitDevices(all);
        setLists((previous) => (previous.listed && sameDevices(previous.all, all) ? previous : next));
        onChange?.(next);
      },
      () => undefined,
    );
  }, [onChange]);

  useEffect(() => {
    refresh();
    const mediaDevices = typeof navigator === "undefined" ? undefined : navigator.mediaDevices;
    mediaDevices?.addEventListener?.("devicechange", refresh);
    return () => mediaDevices?.removeEventListener?.("devicechange", refresh);
  }, [refresh]);

  return { ...lists, refresh };
}

function sameDevices(a: MediaDeviceInfo[], b: MediaDeviceInfo[]): boolean {
  return (
    a.length === b.length &&
    a.every((d, i) => d.deviceId === b[i]?.deviceId && d.label === b[i]?.label && d.kind === b[i]?.kind)
  );
}

/** Chrome lists "Default - Built-in Microphone" besides the device itself: show it as such. */
export function deviceLabel(
  device: Pick<MediaDeviceInfo, "deviceId" | "label" | "kind">,
  index: number,
): string {
  if (device.label) return device.label;
  const noun =
    device.kind === "videoinput" ? "Camera" : device.kind === "audioinput" ? "Microphone" : "Speaker";
  return device.deviceId === "default" ? `Default ${noun.toLowerCase()}` : `${noun} ${index + 1}`;
}

export function supportsOutputSelection(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}
