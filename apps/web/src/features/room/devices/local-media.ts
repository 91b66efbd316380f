/**
 * One local capture track (camera or microphone) for previews: started when enabled, stopped when
 * disabled, switched when another device is chosen, and watched for the device going away.
 * Plain TypeScript around `getUserMedia`, so the React hook stays thin and this stays testable.
 */
import { takeEarlyMedia } from "./early-media";
import { classifyMediaError, type MediaKind, type MediaProblem } from "./media-errors";

export type LocalMediaStatus = "off" | "starting" | "live" | "error";

export interface LocalMediaState {
  status: LocalMediaStatus;
  track: MediaStreamTrack | null;
  problem: MediaProblem | null;
  /** The device actually in use (from the track's settings). */
  deviceId: string | null;
}

export interface LocalMediaOptions {
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
}

export const OFF: LocalMediaState = Object.freeze({
  status: "off",
  track: null,
  problem: null,
  deviceId: null,
}) as LocalMediaState;

export function captureConstraints(
  kind: MediaKind,
  deviceId: string | undefined,
  exact: boolean,
): MediaTrackConstraints {
  const device = deviceId ? { deviceId: exact ? { exact: deviceId } : { ideal: deviceId } } : {};
  return kind === "videoinput"
    ? { ...device, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } }
    : { ...device, echoCancellation: true, noiseSuppression: true, autoGainControl: true };
}

const browserGetUserMedia = (constraints: MediaStreamConstraints) => {
  if (typeof navigator === "undefined" || !navigator.mediaDevices?.getUserMedia) {
    return Promise.reject(new TypeError("navigator.mediaDevices.getUserMedia is undefined"));
  }
  return navigator.mediaDevices.getUserMedia(constraints);
};

/** The browser's capture, or the one the room page's inline script already started for it. */
const defaultGetUserMedia = (constraints: MediaStreamConstraints) =>
  takeEarlyMedia(constraints, browserGetUserMedia) ?? browserGetUserMedia(constraints);

/** The capture constraints with no device chosen: what the room page's inline script builds on. */
export const baseCaptureConstraints = () => ({
  videoinput: captureConstraints("videoinput", undefined, false),
  audioinput: captureConstraints("audioinput", undefined, false),
});

export type LocalMediaController = ReturnType<typeof createLocalMedia>;

export function createLocalMedia(kind: MediaKind, options: LocalMediaOptions = {}) {
  const getUserMedia = options.getUserMedia ?? defaultGetUserMedia;
  let state: LocalMediaState = OFF;
  let enabled = false;
  let wanted: { id: string | undefined; exact: boolean } = { id: undefined, exact: false };
  let attempt = 0;
  const listeners = new Set<() => void>();
  let knownIds = new Set<string>();
  /** The start whose track was promised to the call by `handOver` while it was in flight. */
  let claim: { token: number; deliver: (track: MediaStreamTrack | null) => void } | null = null;

  /** Gives the claimed start's outcome to the call; false when that start was not claimed. */
  function deliverClaim(token: number, track: MediaStreamTrack | null): boolean {
    if (!claim || claim.token !== token) return false;
    const { deliver } = claim;
    claim = null;
    deliver(track?.readyState === "live" ? track : null);
    return true;
  }

  function set(next: LocalMediaState) {
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function release(track: MediaStreamTrack | null) {
    if (!track) return;
    track.removeEventListener("ended", onEnded);
    track.stop();
  }

  function onEnded(this: MediaStreamTrack) {
    if (state.track !== this) return;
    this.removeEventListener("ended", onEnded);
    set({ status: "error", track: null, problem: { kind: "unplugged", device: kind }, deviceId: null });
  }

  function adopt(track: MediaStreamTrack) {
    release(state.track);
    track.addEventListener("ended", onEnded);
    const deviceId = track.getSettings?.().deviceId ?? null;
    set({ status: "live", track, problem: null, deviceId });
    // A track can end between being handed over and the listener attaching.
    if (track.readyState === "ended") onEnded.call(track);
  }

  async function start() {
    const mine = ++attempt;
    release(state.track);
    set({ status: "starting", track: null, problem: null, deviceId: null });
    const constraints = captureConstraints(kind, wanted.id, wanted.exact);
    try {
      const stream = await getUserMedia(
        kind === "videoinput" ? { video: constraints } : { audio: constraints },
      );
      const track = kind === "videoinput" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
      // Anything else the browser handed over is not ours to keep.
      for (const other of stream.getTracks()) if (other !== track) other.stop();
      if (deliverClaim(mine, track ?? null)) return;
      if (mine !== attempt || !enabled) {
        track?.stop();
        return;
      }
      if (!track) throw Object.assign(new Error("No track"), { name: "NotFoundError" });
      adopt(track);
    } catch (error) {
      if (deliverClaim(mine, null) || mine !== attempt || !enabled) return;
      set({ status: "error", track: null, problem: classifyMediaError(error, kind), deviceId: null });
    }
  }

  return {
    kind,
    getState: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Turns capture on (starting a track) or off (stopping it). `deferStart` marks it starting
     * without asking for a track: `startTogether` hands one over.
     */
    setEnabled(next: boolean, opts: { deferStart?: boolean } = {}) {
      if (next === enabled) return;
      enabled = next;
      if (!enabled) {
        attempt++;
        release(state.track);
        set(OFF);
      } else if (opts.deferStart) {
        attempt++;
        set({ status: "starting", track: null, problem: null, deviceId: null });
      } else {
        void start();
      }
    },

    isEnabled: () => enabled,

    /**
     * Chooses the device. `exact` (a person's explicit choice) fails when the device is missing;
     * otherwise it is a preference the browser may fall back from.
     */
    setDevice(id: string | undefined, exact = false) {
      const changed = id !== wanted.id || exact !== wanted.exact;
      wanted = { id, exact };
      if (!enabled || !changed) return;
      if (state.status === "live" && (id ? state.deviceId === id : !exact)) return;
      // A mere preference for a device that is not present never restarts a live track.
      if (state.status === "live" && !exact && !knownIds.has(id ?? "")) return;
      void start();
    },

    /** Identifies the current start; a track handed over for an older one is refused. */
    token: () => attempt,

    /** The device asked for, and whether exactly. */
    wanted: () => wanted,

    /**
     * Takes a track acquired elsewhere (one prompt for camera and microphone together). With a
     * `token`, only when nothing newer started meanwhile (say, a device switch).
     */
    adopt(track: MediaStreamTrack, token?: number) {
      if (token !== undefined && deliverClaim(token, track)) return;
      if (!enabled || (token !== undefined && token !== attempt)) {
        track.stop();
        return;
      }
      attempt++;
      adopt(track);
    },

    /** Marks a failure found elsewhere (e.g. by a combined request). */
    fail(error: unknown) {
      if (!enabled) return;
      attempt++;
      release(state.track);
      set({ status: "error", track: null, problem: classifyMediaError(error, kind), deviceId: null });
    },

    /**
     * Starts again after a failure (the person fixed permissions or plugged a device in). With a
     * `token`, only when nothing newer started meanwhile.
     */
    retry(token?: number) {
      // The combined request failed after Join took it over: the call asks the device itself.
      if (token !== undefined && deliverClaim(token, null)) return;
      if (!enabled || (token !== undefined && token !== attempt)) return;
      void start();
    },

    /** The device list changed: notices a device that went away without ending its track. */
    devicesChanged(devices: readonly Pick<MediaDeviceInfo, "deviceId" | "kind">[]) {
      const present = devices.filter((d) => d.kind === kind);
      knownIds = new Set(present.map((d) => d.deviceId).filter(Boolean));
      if (!enabled) return;
      if (state.status === "live" && state.track) {
        const gone =
          state.track.readyState === "ended" ||
          (state.deviceId && present.length > 0 && !present.some((d) => d.deviceId === state.deviceId));
        if (gone) {
          const track = state.track;
          release(track);
          set({ status: "error", track: null, problem: { kind: "unplugged", device: kind }, deviceId: null });
        }
      } else if (
        state.status === "error" &&
        (state.problem?.kind === "not-found" || state.problem?.kind === "unplugged")
      ) {
        // A device appeared: try it without being asked.
        if (present.some((d) => d.deviceId)) {
          if (wanted.exact && wanted.id && !present.some((d) => d.deviceId === wanted.id))
            wanted = { id: undefined, exact: false };
          void start();
        }
      }
    },

    /**
     * Gives the capture away without stopping it (Join: the call publishes what the preview
     * captured instead of asking the device again) and turns capture off. A capture still starting
     * is handed over when it arrives (Join can be pressed before the preview shows, or while the
     * browser still asks for permission); null when there is none or it fails.
     */
    handOver(): Promise<MediaStreamTrack | null> {
      const track = state.status === "live" ? state.track : null;
      const inFlight = enabled && state.status === "starting";
      const token = attempt;
      enabled = false;
      attempt++;
      track?.removeEventListener("ended", onEnded);
      if (state !== OFF) set(OFF);
      if (!inFlight) return Promise.resolve(track?.readyState === "live" ? track : null);
      // At most one capture is promised at a time: an earlier promise that is still open gets null.
      if (claim) deliverClaim(claim.token, null);
      return new Promise((resolve) => (claim = { token, deliver: resolve }));
    },

    /** Stops capture (unmount); a later `setEnabled(true)` starts again. */
    stop() {
      enabled = false;
      attempt++;
      release(state.track);
      if (state !== OFF) set(OFF);
    },
  };
}

/**
 * Starts camera and microphone with one request (one permission prompt), handing each track to
 * its controller. When the combined request fails, each controller tries on its own, so each
 * device reports its own problem (a denied camera does not take the microphone down with it).
 */
export async function startTogether(
  video: LocalMediaController,
  audio: LocalMediaController,
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream> = defaultGetUserMedia,
): Promise<void> {
  const videoToken = video.token();
  const audioToken = audio.token();
  // Each device as its controller wants it (a restored device exactly, a guess as a preference).
  const v = video.wanted();
  const a = audio.wanted();
  try {
    const stream = await getUserMedia({
      video: captureConstraints("videoinput", v.id, v.exact),
      audio: captureConstraints("audioinput", a.id, a.exact),
    });
    const videoTrack = stream.getVideoTracks()[0];
    const audioTrack = stream.getAudioTracks()[0];
    if (videoTrack) video.adopt(videoTrack, videoToken);
    else video.retry(videoToken);
    if (audioTrack) audio.adopt(audioTrack, audioToken);
    else audio.retry(audioToken);
  } catch {
    video.retry(videoToken);
    audio.retry(audioToken);
  }
}
