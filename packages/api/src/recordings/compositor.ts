/**
 * Lays out the call's pictures into one raw I420 frame for ffmpeg: a speaker layout where a shared
 * screen (or else the person speaking) takes the large spot and everyone else sits in a strip
 * below it, each picture scaled to fit its tile (nearest neighbour: cheap, and sharp enough for a
 * meeting). People without a camera get a plain tile with their initials.
 */
import { drawText, textWidth } from "./font";

export interface SourcePicture {
  /** I420, planes packed one after another. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Tile {
  key: string;
  name: string;
  /** A shared screen: takes the large spot. */
  screen: boolean;
  picture: SourcePicture | null;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const BLACK = { y: 16, u: 128, v: 128 };
const TILE_GREY = { y: 48, u: 128, v: 128 };
const STRIP_TILES = 4;

export class Compositor {
  readonly frame: Uint8Array;
  private readonly luma: Uint8Array;
  private readonly ySize: number;
  private readonly cWidth: number;
  private readonly cSize: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.ySize = width * height;
    this.cWidth = width / 2;
    this.cSize = (width / 2) * (height / 2);
    this.frame = new Uint8Array(this.ySize + 2 * this.cSize);
    this.luma = this.frame.subarray(0, this.ySize);
  }

  /** Draws the tiles; `speaker` is the key of the tile to show large when nobody shares a screen. */
  compose(tiles: Tile[], speaker: string | null): Uint8Array {
    this.fill({ x: 0, y: 0, w: this.width, h: this.height }, BLACK);
    if (tiles.length === 0) return this.frame;
    const main =
      tiles.find((t) => t.screen) ??
      tiles.find((t) => t.key === speaker && t.picture) ??
      tiles.find((t) => t.picture) ??
      tiles[0]!;
    const others = tiles.filter((t) => t !== main).slice(0, STRIP_TILES);
    if (others.length === 0) {
      this.drawTile(main, { x: 0, y: 0, w: this.width, h: this.height });
      return this.frame;
    }
    const stripHeight = even(this.height / 4);
    this.drawTile(main, { x: 0, y: 0, w: this.width, h: this.height - stripHeight });
    const tileWidth = even(this.width / STRIP_TILES);
    const left = even((this.width - tileWidth * others.length) / 2);
    others.forEach((tile, i) =>
      this.drawTile(tile, {
        x: left + i * tileWidth + 2,
        y: this.height - stripHeight + 2,
        w: tileWidth - 4,
        h: stripHeight - 4,
      }),
    );
    return this.frame;
  }

  private drawTile(tile: Tile, area: Rect) {
    // The name goes in the picture's corner (a picture keeps its shape, so it may not fill the tile).
    let drawn = area;
    if (tile.picture) {
      drawn = this.blit(tile.picture, area);
    } else {
      this.fill(area, TILE_GREY);
      const initials = initialsOf(tile.name);
      const scale = Math.max(2, Math.floor(area.h / 40));
      drawText(this.luma, this.width, initials, {
        x: area.x + Math.floor((area.w - textWidth(initials, scale)) / 2),
        y: area.y + Math.floor((area.h - 7 * scale) / 2),
        scale,
        luma: 235,
      });
    }
    if (!tile.screen) {
      const scale = drawn.h >= 300 ? 3 : 2;
      const label = tile.name.slice(0, Math.floor((drawn.w - 16) / (6 * scale)));
      const labelHeight = 7 * scale + 8;
      const labelArea = {
        x: area.x + 4,
        y: area.y + area.h - labelHeight - 4,
        w: textWidth(label, scale) + 8,
        h: labelHeight,
      };
      this.fill(evenRect(labelArea), BLACK);
      drawText(this.luma, this.width, label, { x: labelArea.x + 4, y: labelArea.y + 4, scale, luma: 235 });
    }
  }

  /** Scales `picture` to fit `area` (keeping its shape), centred. */
  private blit(picture: SourcePicture, area: Rect): Rect {
    const scale = Math.min(area.w / picture.width, area.h / picture.height);
    const w = Math.max(2, even(picture.width * scale));
    const h = Math.max(2, even(picture.height * scale));
    const x = area.x + even((area.w - w) / 2);
    const y = area.y + even((area.h - h) / 2);
    const src = picture.data;
    const sw = picture.width;
    const sh = picture.height;
    const scw = (sw + 1) >> 1;
    const sch = (sh + 1) >> 1;
    const dst = this.frame;
    const W = this.width;

    const columns = new Uint32Array(w);
    for (let i = 0; i < w; i++) columns[i] = Math.floor((i * sw) / w);
    for (let j = 0; j < h; j++) {
      const srcRow = Math.floor((j * sh) / h) * sw;
      const dstRow = (y + j) * W + x;
      for (let i = 0; i < w; i++) dst[dstRow + i] = src[srcRow + columns[i]!]!;
    }

    const cw = w >> 1;
    const ch = h >> 1;
    const srcU = sw * sh;
    const srcV = srcU + scw * sch;
    const dstU = this.ySize;
    const dstV = this.ySize + this.cSize;
    for (let i = 0; i < cw; i++) columns[i] = Math.floor((i * scw) / cw);
    for (let j = 0; j < ch; j++) {
      const srcRow = Math.floor((j * sch) / ch) * scw;
      const dstRow = ((y >> 1) + j) * this.cWidth + (x >> 1);
      for (let i = 0; i < cw; i++) {
        const from = srcRow + columns[i]!;
        dst[dstU + dstRow + i] = src[srcU + from]!;
        dst[dstV + dstRow + i] = src[srcV + from]!;
      }
    }
    return { x, y, w, h };
  }

  private fill(area: Rect, color: { y: number; u: number; v: number }) {
    const { x, y, w, h } = evenRect(area);
    const dst = this.frame;
    for (let j = 0; j < h; j++) dst.fill(color.y, (y + j) * this.width + x, (y + j) * this.width + x + w);
    for (let j = 0; j < h / 2; j++) {
      const row = (y / 2 + j) * this.cWidth + x / 2;
      dst.fill(color.u, this.ySize + row, this.ySize + row + w / 2);
      dst.fill(color.v, this.ySize + this.cSize + row, this.ySize + this.cSize + row + w / 2);
    }
  }
}

const even = (value: number) => Math.floor(value / 2) * 2;
const evenRect = (r: Rect): Rect => ({ x: even(r.x), y: even(r.y), w: even(r.w), h: even(r.h) });

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]![0], words.at(-1)![0]] : [words[0]?.[0]];
  return letters.filter(Boolean).join("").toUpperCase() || "?";
}
