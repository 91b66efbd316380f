// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";

import { DEVICE_STORAGE_KEY, loadSavedDevices, resolveDeviceId, saveDevice } from "./device-preferences";

const device = (kind: MediaDeviceKind, deviceId: string, label: string) => ({ kind, deviceId, label });

const devices = [
  device("videoinput", "cam-a", "FaceTime HD Camera"),
  device("videoinput", "cam-b", "Logitech BRIO (046d:085e)"),
  device("audioinput", "default", "Default - MacBook Pro Microphone"),
  device("audioinput", "mic-a", "MacBook Pro Microphone"),
  device("audiooutput", "spk-a", "External Headphones"),
];

describe("resolveDeviceId", () => {
  it("restores by id when that device is present", () => {
    expect(resolveDeviceId(devices, "videoinput", { id: "cam-b", label: "whatever" })).toBe("cam-b");
  });

  it("restores by label when the id changed (browser data cleared, other USB port)", () => {
    expect(resolveDeviceId(devices, "videoinput", { id: "old-id", label: "Logitech BRIO (046d:085e)" })).toBe(
      "cam-b",
    );
  });

  it("falls back to the default (undefined) and never returns a dead id", () => {
    expect(resolveDeviceId(devices, "videoinput", { id: "gone", label: "Unplugged cam" })).toBeUndefined();
    expect(resolveDeviceId([], "videoinput", { id: "cam-a", label: "FaceTime HD Camera" })).toBeUndefined();
  });

  it("only matches devices of the same kind", () => {
    expect(
      resolveDeviceId(devices, "audioinput", { id: "cam-a", label: "FaceTime HD Camera" }),
    ).toBeUndefined();
  });

  it("prefers any candidate's id over an earlier candidate's label", () => {
    const local = { id: "stale", label: "FaceTime HD Camera" };
    const account = { id: "cam-b", label: null };
    expect(resolveDeviceId(devices, "videoinput", local, account)).toBe("cam-b");
  });

  it("tries the next candidate's label when the first matches nothing", () => {
    expect(
      resolveDeviceId(
        devices,
        "audiooutput",
        { id: "x", label: "y" },
        { id: null, label: "External Headphones" },
      ),
    ).toBe("spk-a");
  });

  it("ignores devices listed without ids (before permission)", () => {
    expect(
      resolveDeviceId([device("videoinput", "", "")], "videoinput", { id: "", label: "" }),
    ).toBeUndefined();
  });
});

describe("saved devices in localStorage", () => {
  beforeEach(() => localStorage.clear());

  it("round-trips id and label per kind", () => {
    saveDevice("videoinput", { id: "cam-b", label: "Logitech BRIO" });
    saveDevice("audioinput", { id: "mic-a", label: "MacBook Pro Microphone" });
    expect(loadSavedDevices()).toEqual({
      videoinput: { id: "cam-b", label: "Logitech BRIO" },
      audioinput: { id: "mic-a", label: "MacBook Pro Microphone" },
    });
    saveDevice("videoinput", null);
    expect(loadSavedDevices().videoinput).toBeUndefined();
  });

  it("survives garbage in storage", () => {
    localStorage.setItem(DEVICE_STORAGE_KEY, "{not json");
    expect(loadSavedDevices()).toEqual({});
    localStorage.setItem(
      DEVICE_STORAGE_KEY,
      JSON.stringify({ videoinput: { id: 42, label: ["x"] }, audioinput: "nope" }),
    );
    expect(loadSavedDevices()).toEqual({});
  });
});
