/**
 * Copies what background effects, noise suppression and end-to-end encryption load at run time
 * (MediaPipe's wasm, RNNoise's wasm and its audio worklet, livekit-client's E2EE worker) from
 * node_modules into
 * public/processors, so Parlor serves them from its own origin: no CDN, works offline.
 * Runs before `next dev` and `next build`; the copies are not committed (public/processors is ignored).
 * The segmentation model is committed instead (public/models: it needs metadata added, see
 * segmenter-metadata.py).
 */
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, "..");
const require = createRequire(join(app, "package.json"));

// @mediapipe/tasks-vision is a dependency of @livekit/track-processors: resolve it from there.
const trackProcessors = dirname(require.resolve("@livekit/track-processors/package.json"));
// Its exports hide package.json: find the package folder from its entry file.
const tasksVisionEntry = createRequire(join(trackProcessors, "package.json")).resolve(
  "@mediapipe/tasks-vision",
);
const tasksVision = tasksVisionEntry.slice(
  0,
  tasksVisionEntry.lastIndexOf("tasks-vision") + "tasks-vision".length,
);
// The package's main entry sits in dist/, beside its wasm files.
const noiseSuppressor = dirname(require.resolve("@sapphi-red/web-noise-suppressor"));
// livekit-client's E2EE worker: one self-contained module (no imports), run with `type: "module"`.
const e2eeWorker = require.resolve("livekit-client/e2ee-worker").replace(/\.js$/, ".mjs");

const out = join(app, "public", "processors");

/** [source, destination under public/processors] */
const files = [
  [join(tasksVision, "wasm", "vision_wasm_internal.js"), "mediapipe/vision_wasm_internal.js"],
  [join(tasksVision, "wasm", "vision_wasm_internal.wasm"), "mediapipe/vision_wasm_internal.wasm"],
  [join(tasksVision, "wasm", "vision_wasm_nosimd_internal.js"), "mediapipe/vision_wasm_nosimd_internal.js"],
  [
    join(tasksVision, "wasm", "vision_wasm_nosimd_internal.wasm"),
    "mediapipe/vision_wasm_nosimd_internal.wasm",
  ],
  [join(noiseSuppressor, "rnnoise.wasm"), "noise/rnnoise.wasm"],
  [join(noiseSuppressor, "rnnoise_simd.wasm"), "noise/rnnoise_simd.wasm"],
  [join(noiseSuppressor, "rnnoise", "workletProcessor.js"), "noise/rnnoise-worklet.js"],
  [e2eeWorker, "e2ee/livekit-e2ee-worker.mjs"],
];

let copied = 0;
for (const [source, target] of files) {
  const destination = join(out, target);
  mkdirSync(dirname(destination), { recursive: true });
  const from = statSync(source);
  let same = false;
  try {
    const to = statSync(destination);
    same = to.size === from.size && to.mtimeMs >= from.mtimeMs;
  } catch {
    // Not copied yet.
  }
  if (!same) {
    copyFileSync(source, destination);
    copied++;
  }
}
process.stdout.write(
  `processor assets: ${copied} copied, ${files.length - copied} up to date in public/processors\n`,
);
