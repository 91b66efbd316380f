/**
 * Renders the bundled virtual backgrounds (public/backgrounds/*.jpg): soft gradients with a few
 * out-of-focus shapes, drawn pixel by pixel here and encoded with sharp (the image library Next
 * already brings). The output is committed; run again only to change the pictures:
 *   node apps/web/scripts/make-backgrounds.mjs
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
const sharp = createRequire(createRequire(join(app, "package.json")).resolve("next/package.json"))("sharp");

const W = 1280;
const H = 720;

const mix = (a, b, t) => a + (b - a) * t;
const mixColor = (a, b, t) => a.map((v, i) => mix(v, b[i], t));
const smooth = (t) => t * t * (3 - 2 * t);

/** A vertical gradient through `stops` ([position, [r,g,b]]), then soft discs blended on top. */
function render({ stops, discs, vignette = 0.25 }) {
  const pixels = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    const v = y / (H - 1);
    let base = stops[0][1];
    for (let i = 1; i < stops.length; i++) {
      const [p0, c0] = stops[i - 1];
      const [p1, c1] = stops[i];
      if (v >= p0 && v <= p1) base = mixColor(c0, c1, smooth((v - p0) / (p1 - p0)));
      else if (v > p1) base = c1;
    }
    for (let x = 0; x < W; x++) {
      let color = base;
      for (const { x: cx, y: cy, r, color: dc, alpha } of discs) {
        const d = Math.hypot(x - cx * W, y - cy * H) / (r * W);
        if (d < 1) color = mixColor(color, dc, alpha * smooth(1 - d));
      }
      const edge = Math.hypot(x / W - 0.5, y / H - 0.5) / 0.71;
      const shade = 1 - vignette * edge * edge;
      const o = (y * W + x) * 3;
      pixels[o] = Math.round(color[0] * shade);
      pixels[o + 1] = Math.round(color[1] * shade);
      pixels[o + 2] = Math.round(color[2] * shade);
    }
  }
  return pixels;
}

const backgrounds = {
  // Morning light on a pale wall: warm at the top, cool at the floor.
  dawn: {
    stops: [
      [0, [250, 222, 196]],
      [0.55, [236, 214, 220]],
      [1, [196, 208, 232]],
    ],
    discs: [
      { x: 0.18, y: 0.22, r: 0.16, color: [255, 240, 214], alpha: 0.55 },
      { x: 0.82, y: 0.3, r: 0.12, color: [255, 230, 236], alpha: 0.4 },
      { x: 0.7, y: 0.78, r: 0.2, color: [214, 226, 248], alpha: 0.35 },
    ],
  },
  // A green room: a plant-coloured wall with soft leaf-shaped light.
  garden: {
    stops: [
      [0, [52, 92, 78]],
      [0.6, [88, 132, 104]],
      [1, [46, 70, 60]],
    ],
    discs: [
      { x: 0.12, y: 0.3, r: 0.14, color: [150, 196, 140], alpha: 0.5 },
      { x: 0.3, y: 0.12, r: 0.09, color: [196, 226, 170], alpha: 0.45 },
      { x: 0.86, y: 0.24, r: 0.15, color: [132, 182, 150], alpha: 0.45 },
      { x: 0.9, y: 0.7, r: 0.11, color: [226, 214, 160], alpha: 0.3 },
    ],
    vignette: 0.35,
  },
  // Evening: deep blue with a few warm out-of-focus lights.
  dusk: {
    stops: [
      [0, [24, 28, 58]],
      [0.7, [52, 46, 92]],
      [1, [30, 26, 48]],
    ],
    discs: [
      { x: 0.15, y: 0.35, r: 0.05, color: [255, 196, 120], alpha: 0.7 },
      { x: 0.27, y: 0.6, r: 0.035, color: [255, 170, 110], alpha: 0.6 },
      { x: 0.78, y: 0.28, r: 0.06, color: [255, 210, 150], alpha: 0.65 },
      { x: 0.88, y: 0.55, r: 0.04, color: [170, 190, 255], alpha: 0.6 },
      { x: 0.6, y: 0.12, r: 0.03, color: [255, 226, 170], alpha: 0.6 },
    ],
    vignette: 0.4,
  },
};

const out = join(app, "public", "backgrounds");
mkdirSync(out, { recursive: true });
for (const [name, spec] of Object.entries(backgrounds)) {
  const file = join(out, `${name}.jpg`);
  await sharp(render(spec), { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 82, mozjpeg: true })
    .toFile(file);
  await sharp(file)
    .resize(160, 90)
    .jpeg({ quality: 80 })
    .toFile(join(out, `${name}-thumb.jpg`));
  process.stdout.write(`wrote ${file}\n`);
}
