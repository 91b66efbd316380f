/**
 * The processors themselves: background blur and virtual backgrounds (@livekit/track-processors,
 * MediaPipe's selfie segmentation) and RNNoise noise suppression wrapped as a LiveKit audio
 * processor. Imported dynamically, only when an effect is on, so their code stays out of the
 * room route's first load. Every asset comes from Parlor's own origin (public/processors, copied
 * from node_modules by scripts/copy-processor-assets.mjs; public/backgrounds): no CDN.
 */
import {
  BackgroundProcessor,
  supportsBackgroundProcessors,
  type BackgroundProcessorWrapper,
  type SwitchBackgroundProcessorOptions,
} from "@livekit/track-processors";
import { loadRnnoise, RnnoiseWorkletNode } from "@sapphi-red/web-noise-suppressor";
import type { AudioProcessorOptions, LocalVideoTrack, Track, TrackProcessor } from "livekit-client";

import {
  BLUR_RADIUS,
  backgroundImagePath,
  type BackgroundEffect,
  type BackgroundImageId,
} from "./effect-preferences";
import { createFrameBudget } from "./frame-budget";

export const MEDIAPIPE_ASSETS = {
  tasksVisionFileSet: "/processors/mediapipe",
  // The selfie segmentation network with the metadata MediaPipe Tasks needs (scripts/segmenter-metadata.py).
  modelAssetPath: "/models/selfie-segmentation.tflite",
} as const;

export const NOISE_ASSETS = {
  worklet: "/processors/noise/rnnoise-worklet.js",
  wasm: "/processors/noise/rnnoise.wasm",
  simdWasm: "/processors/noise/rnnoise_simd.wasm",
} as const;

/**
 * WebGL drawn by the CPU (SwiftShader, llvmpipe: virtual machines, remote desktops, no GPU
 * driver). MediaPipe's GPU delegate would then emulate the GPU on the CPU, far slower than its
 * CPU delegate (wasm SIMD), so segmentation runs on the CPU there.
 */
function softwareWebGL(): boolean {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    const info = gl?.getExtension("WEBGL_debug_renderer_info");
    const renderer = info ? String(gl!.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    return /swiftshader|llvmpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

export const supportsBackgroundEffects = () => {
  try {
    return supportsBackgroundProcessors();
  } catch {
    return false;
  }
};

function switchOptions(effect: Exclude<BackgroundEffect, "none">): SwitchBackgroundProcessorOptions {
  if (effect === "blur-light" || effect === "blur-strong")
    return { mode: "background-blur", blurRadius: BLUR_RADIUS[effect] };
  return { mode: "virtual-background", imagePath: backgroundImagePath(effect.slice(6) as BackgroundImageId) };
}

export interface BackgroundHooks {
  /** The device cannot keep up: called once, after which the caller should turn the effect off. */
  onTooSlow?: (medianMs: number) => void;
  /** Each processed frame's time (for measurements). */
  onFrame?: (processingMs: number) => void;
}

export type BackgroundEffectProcessor = BackgroundProcessorWrapper;

/** A background processor for `effect`, watching its own frame time. */
export function createBackgroundProcessor(
  effect: Exclude<BackgroundEffect, "none">,
  hooks: BackgroundHooks = {},
): BackgroundEffectProcessor {
  const budget = createFrameBudget();
  return BackgroundProcessor(
    {
      ...switchOptions(effect),
      assetPaths: MEDIAPIPE_ASSETS,
      segmenterOptions: { delegate: softwareWebGL() ? "CPU" : "GPU" },
      onFrameProcessed: ({ processingTimeMs }) => {
        hooks.onFrame?.(processingTimeMs);
        if (budget.record(processingTimeMs)) hooks.onTooSlow?.(budget.median() ?? processingTimeMs);
      },
    },
    "parlor-background",
  );
}

/**
 * Puts `effect` on a camera track: stops the processor for "none", switches a running one
 * (no restart, no flash), or sets a new one.
 */
export async function applyBackgroundEffect(
  track: LocalVideoTrack,
  effect: BackgroundEffect,
  hooks: BackgroundHooks = {},
): Promise<void> {
  const current = track.getProcessor() as BackgroundEffectProcessor | undefined;
  if (effect === "none") {
    if (current) await track.stopProcessor();
    return;
  }
  if (current && current.name === "parlor-background" && "switchTo" in current) {
    await current.switchTo(switchOptions(effect));
    return;
  }
  await track.setProcessor(createBackgroundProcessor(effect, hooks));
}

let rnnoiseBinary: Promise<ArrayBuffer> | null = null;

/**
 * RNNoise (a small recurrent network trained on speech against noise) as a LiveKit audio
 * processor. It runs in an AudioWorklet of its own 48 kHz context, RNNoise's rate, whatever rate
 * the room's context has.
 */
export class NoiseSuppressionProcessor implements TrackProcessor<Track.Kind.Audio, AudioProcessorOptions> {
  readonly name = "parlor-noise-suppression";
  processedTrack?: MediaStreamTrack;
  private context?: AudioContext;
  private source?: MediaStreamAudioSourceNode;
  private node?: RnnoiseWorkletNode;

  static get isSupported(): boolean {
    return typeof AudioContext !== "undefined" && typeof AudioWorkletNode !== "undefined";
  }

  async init({ track }: AudioProcessorOptions): Promise<void> {
    rnnoiseBinary ??= loadRnnoise({ url: NOISE_ASSETS.wasm, simdUrl: NOISE_ASSETS.simdWasm }).catch(
      (error) => {
        rnnoiseBinary = null;
        throw error;
      },
    );
    const wasmBinary = await rnnoiseBinary;
    const context = new AudioContext({ sampleRate: 48_000, latencyHint: "interactive" });
    this.context = context;
    await context.audioWorklet.addModule(NOISE_ASSETS.worklet);
    this.source = context.createMediaStreamSource(new MediaStream([track]));
    this.node = new RnnoiseWorkletNode(context, { maxChannels: 1, wasmBinary });
    const destination = context.createMediaStreamDestination();
    this.source.connect(this.node).connect(destination);
    this.processedTrack = destination.stream.getAudioTracks()[0];
    // Created after the person clicked Join or a toggle, so resuming is allowed.
    if (context.state === "suspended") await context.resume().catch(() => undefined);
  }

  async restart(options: AudioProcessorOptions): Promise<void> {
    await this.destroy();
    await this.init(options);
  }

  async destroy(): Promise<void> {
    this.source?.disconnect();
    this.node?.disconnect();
    this.node?.destroy();
    this.processedTrack?.stop();
    await this.context?.close().catch(() => undefined);
    this.source = this.node = this.processedTrack = this.context = undefined;
  }
}

export const createNoiseSuppressionProcessor = () => new NoiseSuppressionProcessor();
