/**
 * Background effect and noise suppression during the call: applies the person's choices to the
 * camera and microphone tracks as they are published (and again when they are turned on later),
 * switches them from the settings dialog, and turns the background effect off, with a notice,
 * on a device too slow for it. The processors' code loads only when an effect is on.
 */
import {
  LocalAudioTrack,
  LocalVideoTrack,
  RoomEvent,
  Track,
  type LocalTrackPublication,
  type Room,
  type VideoCaptureOptions,
} from "livekit-client";

import { saveEffectPreferences, type BackgroundEffect } from "./effect-preferences";
import { loadProcessors, TOO_SLOW_NOTICE } from "./load-processors";

export interface CallEffectsState {
  background: BackgroundEffect;
  noiseSuppression: boolean;
  /** An effect being loaded or switched. */
  busy: boolean;
  /** Why an effect is off against the person's choice (too slow, unsupported, failed), or null. */
  notice: string | null;
}

export interface CallEffectsOptions {
  background: BackgroundEffect;
  noiseSuppression: boolean;
  /** Shown to the person when an effect had to be turned off. */
  notify?: (message: string) => void;
}

export function createCallEffects(room: Room, options: CallEffectsOptions) {
  let state: CallEffectsState = {
    background: options.background,
    noiseSuppression: options.noiseSuppression,
    busy: false,
    notice: null,
  };
  const listeners = new Set<() => void>();
  const set = (change: Partial<CallEffectsState>) => {
    state = { ...state, ...change };
    for (const listener of [...listeners]) listener();
  };
  let work: Promise<unknown> = Promise.resolve();
  /** One change at a time, in order: a quick None → Blur → Dawn ends on Dawn. */
  const queue = (task: () => Promise<void>) => {
    const run = work.then(async () => {
      set({ busy: true });
      try {
        await task();
      } finally {
        set({ busy: false });
      }
    });
    work = run.catch(() => undefined);
    return run;
  };

  const cameraTrack = () => {
    const track = room.localParticipant.getTrackPublication(Track.Source.Camera)?.track;
    return track instanceof LocalVideoTrack ? track : undefined;
  };
  const microphoneTrack = () => {
    const track = room.localParticipant.getTrackPublication(Track.Source.Microphone)?.track;
    return track instanceof LocalAudioTrack ? track : undefined;
  };

  const tooSlow = () => {
    void queue(async () => {
      await cameraTrack()?.stopProcessor();
      saveEffectPreferences({ background: "none" });
      set({ background: "none", notice: TOO_SLOW_NOTICE });
      options.notify?.(TOO_SLOW_NOTICE);
    });
  };

  async function applyBackground(track: LocalVideoTrack, effect: BackgroundEffect) {
    if (effect === "none" && !track.getProcessor()) return;
    const fx = await loadProcessors();
    if (effect !== "none" && !fx.supportsBackgroundEffects()) {
      set({ notice: "Background effects are not supported in this browser." });
      return;
    }
    await fx.applyBackgroundEffect(track, effect, { onTooSlow: tooSlow });
  }

  async function applyNoise(track: LocalAudioTrack, on: boolean) {
    const current = track.getProcessor();
    if (!on) {
      if (current) await track.stopProcessor();
      return;
    }
    if (current?.name === "parlor-noise-suppression") return;
    const fx = await loadProcessors();
    if (!fx.NoiseSuppressionProcessor.isSupported) return;
    await track.setProcessor(fx.createNoiseSuppressionProcessor());
  }

  const failed = (what: string) => () => {
    const message = `${what} could not start in this browser. The call goes on without it.`;
    set({ notice: message });
    options.notify?.(message);
  };

  // A camera or microphone turned on later (or again after being unpublished) gets the effects too.
  const onPublished = (publication: LocalTrackPublication) => {
    const track = publication.track;
    if (track instanceof LocalVideoTrack && publication.source === Track.Source.Camera) {
      if (state.background !== "none" && !track.getProcessor())
        void queue(() => applyBackground(track, state.background)).catch(failed("The background effect"));
    } else if (track instanceof LocalAudioTrack && publication.source === Track.Source.Microphone) {
      if (state.noiseSuppression && !track.getProcessor())
        void queue(() => applyNoise(track, true)).catch(failed("Noise suppression"));
    }
  };
  room.on(RoomEvent.LocalTrackPublished, onPublished);

  return {
    getState: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    /**
     * Capture options for the first camera start: the background processor is set on the track
     * before it is published, so nobody ever receives the unprocessed background.
     */
    async cameraCaptureOptions(): Promise<VideoCaptureOptions | undefined> {
      if (state.background === "none") return undefined;
      try {
        const fx = await loadProcessors();
        if (!fx.supportsBackgroundEffects()) return undefined;
        return { processor: fx.createBackgroundProcessor(state.background, { onTooSlow: tooSlow }) };
      } catch {
        failed("The background effect")();
        return undefined;
      }
    },

    /** The camera could not start with the background processor (it then starts without). */
    backgroundFailed() {
      failed("The background effect")();
    },

    setBackground(effect: BackgroundEffect) {
      saveEffectPreferences({ background: effect });
      set({ background: effect, notice: null });
      return queue(async () => {
        const track = cameraTrack();
        if (track) await applyBackground(track, state.background);
      }).catch(failed("The background effect"));
    },

    setNoiseSuppression(on: boolean) {
      saveEffectPreferences({ noiseSuppression: on });
      set({ noiseSuppression: on, notice: null });
      return queue(async () => {
        const track = microphoneTrack();
        if (track) await applyNoise(track, state.noiseSuppression);
      }).catch(failed("Noise suppression"));
    },

    dispose() {
      room.off(RoomEvent.LocalTrackPublished, onPublished);
      listeners.clear();
    },
  };
}

export type CallEffects = ReturnType<typeof createCallEffects>;
