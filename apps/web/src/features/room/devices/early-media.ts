/**
 * The camera starts while the page's code is still loading. The room page's HTML carries a small
 * inline script (`earlyMediaScript`, rendered by the server with the person's saved choices) that
 * asks for the camera and microphone at once and shows the camera in the preview's video element
 * as soon as it runs; the page's code, once loaded, takes that capture over (`takeEarlyMedia`)
 * instead of asking again. On this machine's bench that moved the first preview frame from after
 * hydration to before it.
 *
 * The script never shows the raw camera when a background effect is saved (the person chose not
 * to show their room): then it only starts the capture, and the preview appears with the effect.
 */
import { DEVICE_STORAGE_KEY } from "./device-preferences";
import { EFFECT_STORAGE_KEY } from "../effects/effect-preferences";

/** What the server knows when rendering the page: the account's saved choices. */
export interface EarlyMediaPlan {
  video: boolean;
  audio: boolean;
  /** Devices saved with the account (used when this browser saved none, as the preview does). */
  fallbackIds: { videoinput: string | null; audioinput: string | null };
}

/** On the preview's container while the script's capture is shown and the page has not taken over. */
export const EARLY_LIVE_ATTRIBUTE = "data-early-live";
/** Marks the preview the script shows the camera in. */
export const EARLY_PREVIEW_ATTRIBUTE = "data-early-preview";

interface EarlyMedia {
  constraints: MediaStreamConstraints;
  stream: Promise<MediaStream>;
  taken?: boolean;
}

interface ScriptArgs extends EarlyMediaPlan {
  devicesKey: string;
  effectsKey: string;
  /** The capture constraints without a device (`captureConstraints(kind, undefined, false)`). */
  base: { videoinput: MediaTrackConstraints; audioinput: MediaTrackConstraints };
  live: string;
  preview: string;
}

/**
 * The inline script's body. Self-contained (it is sent as its source text): it must build the
 * very constraints the page's code would ask for first (see useDeviceSetup: a saved device as a
 * preference, `ideal`), so the capture can be taken over.
 */
function startEarlyMedia(args: ScriptArgs): void {
  try {
    if ((!args.video && !args.audio) || !navigator.mediaDevices?.getUserMedia) return;
    const read = (key: string): Record<string, unknown> | null => {
      try {
        const value: unknown = JSON.parse(localStorage.getItem(key) ?? "null");
        return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    };
    const saved = read(args.devicesKey);
    const savedId = (kind: "videoinput" | "audioinput") => {
      const entry = saved?.[kind] as { id?: unknown } | undefined;
      const id = entry && typeof entry === "object" ? entry.id : null;
      return typeof id === "string" && id.length > 0 && id.length <= 512 ? id : null;
    };
    const track = (kind: "videoinput" | "audioinput"): MediaTrackConstraints => {
      const id = savedId(kind) ?? args.fallbackIds[kind];
      return id ? { deviceId: { ideal: id }, ...args.base[kind] } : { ...args.base[kind] };
    };
    const constraints: MediaStreamConstraints = {};
    if (args.video) constraints.video = track("videoinput");
    if (args.audio) constraints.audio = track("audioinput");
    const stream = navigator.mediaDevices.getUserMedia(constraints);
    (window as unknown as { __parlorEarlyMedia?: EarlyMedia }).__parlorEarlyMedia = { constraints, stream };
    stream.catch(() => undefined);

    const background = read(args.effectsKey)?.background;
    if (!args.video || (background !== undefined && background !== "none")) return;
    const show = (media: MediaStream) => {
      const container = document.querySelector(`[${args.preview}]`);
      const video = container?.querySelector("video");
      if (!container || !video || video.srcObject) return false;
      video.srcObject = media;
      container.setAttribute(args.live, "");
      video.play().catch(() => undefined);
      return true;
    };
    stream.then(
      (media) => {
        if (!show(media)) document.addEventListener("DOMContentLoaded", () => show(media), { once: true });
      },
      () => undefined,
    );
  } catch {
    // Anything unexpected: the page's code starts the camera as it would have anyway.
  }
}

/**
 * The inline script for the room page, or null when neither device is on. Only the server renders
 * it (its text then reaches the browser unchanged, with the page's nonce). Values are escaped so
 * that nothing in them can close the script element.
 */
export function earlyMediaScript(plan: EarlyMediaPlan, base: ScriptArgs["base"]): string | null {
  if (!plan.video && !plan.audio) return null;
  const args: ScriptArgs = {
    ...plan,
    devicesKey: DEVICE_STORAGE_KEY,
    effectsKey: EFFECT_STORAGE_KEY,
    base,
    live: EARLY_LIVE_ATTRIBUTE,
    preview: EARLY_PREVIEW_ATTRIBUTE,
  };
  const json = JSON.stringify(args).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `(${startEarlyMedia.toString()})(${json})`;
}

const earlyMedia = () =>
  typeof window === "undefined"
    ? undefined
    : (window as unknown as { __parlorEarlyMedia?: EarlyMedia }).__parlorEarlyMedia;

/** The device a constraint insists on (`{ exact }`), if any. */
function exactDevice(constraint: boolean | MediaTrackConstraints | undefined): string | undefined {
  if (!constraint || typeof constraint !== "object") return undefined;
  const device = constraint.deviceId;
  if (device && typeof device === "object" && !Array.isArray(device) && typeof device.exact === "string")
    return device.exact;
  return undefined;
}

/**
 * The capture the page's script started, for a request the page's code is about to make; null
 * when there is none (or it was taken already), so the caller asks the browser itself. Each
 * captured track serves the request if its kind is asked for and, where the request insists on a
 * device (`exact`), it is from that device; the browser is asked for the rest only, and tracks
 * nobody asked for are stopped. So a restored microphone found by its label does not restart the
 * camera that is already on screen.
 */
export function takeEarlyMedia(
  constraints: MediaStreamConstraints,
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
): Promise<MediaStream> | null {
  const early = earlyMedia();
  if (!early || early.taken) return null;
  early.taken = true;
  return early.stream.then(
    async (stream) => {
      const kept: MediaStreamTrack[] = [];
      const missing: MediaStreamConstraints = {};
      for (const kind of ["video", "audio"] as const) {
        const track = kind === "video" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
        const wanted = constraints[kind];
        const exact = exactDevice(wanted);
        if (track && wanted && (!exact || track.getSettings().deviceId === exact)) kept.push(track);
        else {
          track?.stop();
          if (wanted) missing[kind] = wanted;
        }
      }
      if (!missing.video && !missing.audio) {
        return kept.length === stream.getTracks().length ? stream : new MediaStream(kept);
      }
      try {
        const asked = await getUserMedia(missing);
        return new MediaStream([...kept, ...asked.getTracks()]);
      } catch (error) {
        for (const track of kept) track.stop();
        throw error;
      }
    },
    // Refused or failed: ask as the page would have (it reports the problem per device).
    () => getUserMedia(constraints),
  );
}

/** Stops a capture the script started that nothing took (the preview went away first). */
export function discardEarlyMedia(): void {
  const early = earlyMedia();
  if (!early || early.taken) return;
  early.taken = true;
  early.stream.then(
    (stream) => stream.getTracks().forEach((track) => track.stop()),
    () => undefined,
  );
}
