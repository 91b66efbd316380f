/**
 * Reading a recording as a viewer's player would, with Debian's ffprobe and ffmpeg: its streams,
 * its loudness and its pictures. Shared by the API's recorder suites and the browser's.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface MediaStream {
  codec_type: string;
  codec_name: string;
  duration: string;
  width?: number;
  height?: number;
}

/** The file's streams, as ffprobe reports them. */
export async function probeStreams(file: string): Promise<MediaStream[]> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    file,
  ]);
  return (JSON.parse(stdout) as { streams: MediaStream[] }).streams;
}

/** Mean and peak loudness of the file's sound, in dB (ffmpeg's volumedetect). */
export async function loudness(file: string): Promise<{ meanDb: number; maxDb: number }> {
  const { stderr } = await run("ffmpeg", [
    "-hide_banner",
    "-i",
    file,
    "-af",
    "volumedetect",
    "-vn",
    "-f",
    "null",
    "-",
  ]);
  return {
    meanDb: Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1]),
    maxDb: Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)?.[1]),
  };
}

/** The picture at `seconds` of a file `width` pixels wide: its pixels as RGB, one at a time or a row of 64. */
export async function frameAt(file: string, seconds: number, width: number) {
  const { stdout } = await run(
    "ffmpeg",
    [
      "-v",
      "error",
      "-ss",
      String(seconds),
      "-i",
      file,
      "-frames:v",
      "1",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-",
    ],
    { encoding: "buffer", maxBuffer: 32 * 1024 * 1024 },
  );
  const pixel = (x: number, y: number) => [...stdout.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
  const row = (y: number) =>
    Array.from({ length: 64 }, (_, i) => pixel(Math.round(((i + 0.5) * width) / 64), y));
  return { pixel, row };
}

/** Each channel within 60 of the colour's: a flat colour after H.264. */
export const near = (pixel: number[], rgb: readonly number[]) =>
  pixel.every((value, i) => Math.abs(value - rgb[i]!) < 60);
