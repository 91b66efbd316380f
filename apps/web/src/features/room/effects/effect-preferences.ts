/**
 * Background effect and noise suppression choices, remembered per browser like device choices
 * (what a browser can afford differs between a person's laptop and phone). Plain data and
 * storage only: the processors themselves load on demand (see processors.ts).
 */

export const BACKGROUND_IMAGES = [
  { id: "dawn", label: "Dawn" },
  { id: "garden", label: "Garden" },
  { id: "dusk", label: "Dusk" },
] as const;

export type BackgroundImageId = (typeof BACKGROUND_IMAGES)[number]["id"];

export type BackgroundEffect = "none" | "blur-light" | "blur-strong" | `image:${BackgroundImageId}`;

export interface BackgroundOption {
  effect: BackgroundEffect;
  label: string;
  /** A small picture for the picker (images only). */
  thumbnail?: string;
}

export const BACKGROUND_OPTIONS: readonly BackgroundOption[] = [
  { effect: "none", label: "None" },
  { effect: "blur-light", label: "Light blur" },
  { effect: "blur-strong", label: "Strong blur" },
  ...BACKGROUND_IMAGES.map(({ id, label }) => ({
    effect: `image:${id}` as const,
    label,
    thumbnail: `/backgrounds/${id}-thumb.jpg`,
  })),
];

/** The blur radius (in pixels of the processed frame) per strength. */
export const BLUR_RADIUS = { "blur-light": 6, "blur-strong": 18 } as const;

/** Where Parlor serves a background image (same origin: public/backgrounds). */
export const backgroundImagePath = (id: BackgroundImageId) => `/backgrounds/${id}.jpg`;

export const isBackgroundEffect = (value: unknown): value is BackgroundEffect =>
  typeof value === "string" && BACKGROUND_OPTIONS.some((option) => option.effect === value);

export interface EffectPreferences {
  background: BackgroundEffect;
  /** null: never chosen, so on where the device can afford it. */
  noiseSuppression: boolean | null;
}

export const EFFECT_STORAGE_KEY = "parlor.effects.v1";

const DEFAULTS: EffectPreferences = { background: "none", noiseSuppression: null };

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    // Blocked storage (some privacy modes) throws on access.
    return null;
  }
}

export function loadEffectPreferences(): EffectPreferences {
  const raw = storage()?.getItem(EFFECT_STORAGE_KEY);
  if (!raw) return { ...DEFAULTS };
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown> | null;
    return {
      background: isBackgroundEffect(parsed?.background) ? parsed.background : DEFAULTS.background,
      noiseSuppression: typeof parsed?.noiseSuppression === "boolean" ? parsed.noiseSuppression : null,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

export function saveEffectPreferences(change: Partial<EffectPreferences>): EffectPreferences {
  const next = { ...loadEffectPreferences(), ...change };
  try {
    storage()?.setItem(EFFECT_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Full or blocked storage: the choice lasts for this page only.
  }
  return next;
}

export interface DeviceCapacity {
  /** navigator.hardwareConcurrency */
  cores: number | undefined;
  /** navigator.deviceMemory (GiB; Chromium only) */
  memoryGiB: number | undefined;
  audioWorklet: boolean;
}

export function deviceCapacity(): DeviceCapacity {
  if (typeof navigator === "undefined")
    return { cores: undefined, memoryGiB: undefined, audioWorklet: false };
  return {
    cores: navigator.hardwareConcurrency,
    memoryGiB: (navigator as Navigator & { deviceMemory?: number }).deviceMemory,
    audioWorklet: typeof AudioWorkletNode !== "undefined",
  };
}

/**
 * Whether noise suppression is on: the person's choice when they made one, else on where the
 * device can afford it (RNNoise costs a few percent of one core: fine with 4 cores and 2 GiB,
 * not on the smallest phones).
 */
export function noiseSuppressionEnabled(preference: boolean | null, capacity: DeviceCapacity): boolean {
  if (!capacity.audioWorklet) return false;
  if (preference !== null) return preference;
  const coresOk = (capacity.cores ?? 4) >= 4;
  const memoryOk = (capacity.memoryGiB ?? 4) >= 2;
  return coresOk && memoryOk;
}
