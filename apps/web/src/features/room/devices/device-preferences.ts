/**
 * Device choices live in the browser (device ids are per browser and per site), by id AND label:
 * a saved choice is restored by id, else by label (ids change when a browser clears its data or a
 * device is plugged into another port), else the browser's default. Never a dead id.
 */

export type DeviceKind = "audioinput" | "videoinput" | "audiooutput";

export interface SavedDevice {
  id: string | null;
  label: string | null;
}

export type SavedDevices = Partial<Record<DeviceKind, SavedDevice>>;

export const DEVICE_STORAGE_KEY = "parlor.devices.v1";

const KINDS: DeviceKind[] = ["audioinput", "videoinput", "audiooutput"];

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    // Blocked storage (some privacy modes) throws on access.
    return null;
  }
}

const text = (value: unknown, max: number) =>
  typeof value === "string" && value.length <= max ? value : null;

export function loadSavedDevices(): SavedDevices {
  const raw = storage()?.getItem(DEVICE_STORAGE_KEY);
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const result: SavedDevices = {};
    for (const kind of KINDS) {
      const entry = parsed?.[kind] as Record<string, unknown> | undefined;
      if (!entry || typeof entry !== "object") continue;
      const id = text(entry.id, 512);
      const label = text(entry.label, 256);
      if (id || label) result[kind] = { id, label };
    }
    return result;
  } catch {
    return {};
  }
}

export function saveDevice(kind: DeviceKind, device: SavedDevice | null): SavedDevices {
  const next = { ...loadSavedDevices() };
  if (device && (device.id || device.label)) next[kind] = { id: device.id, label: device.label };
  else delete next[kind];
  try {
    storage()?.setItem(DEVICE_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Full or blocked storage: the choice lasts for this page only.
  }
  return next;
}

/** The "default" pseudo-device some browsers list: choosing it means "follow the system". */
export const isDefaultId = (id: string | null | undefined) => !id || id === "default";

/**
 * The id to use for `kind` among the devices present now: the first candidate found by id, else
 * the first found by label, else undefined (the browser's default). Only ids of present devices
 * are ever returned.
 */
export function resolveDeviceId(
  devices: readonly Pick<MediaDeviceInfo, "deviceId" | "label" | "kind">[],
  kind: DeviceKind,
  ...candidates: (SavedDevice | null | undefined)[]
): string | undefined {
  const present = devices.filter((d) => d.kind === kind && d.deviceId);
  for (const candidate of candidates) {
    if (candidate?.id && present.some((d) => d.deviceId === candidate.id)) return candidate.id;
  }
  for (const candidate of candidates) {
    const label = candidate?.label?.trim();
    if (!label) continue;
    const match = present.find((d) => d.label.trim() === label);
    if (match) return match.deviceId;
  }
  return undefined;
}
