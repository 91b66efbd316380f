/**
 * Where recordings are kept: a folder under the data directory (`.data/recordings` at the
 * repository root unless RECORDINGS_DIR says otherwise). Files are private: the web app serves
 * them through an authorized route (./http.ts), never from a public URL.
 */
import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";

export interface RecordingStorage {
  /** The local file a recorder writes a key to (its folder is created). */
  localPathFor(key: string): string;
  /** The stored object's size in bytes, or null when there is none. */
  size(key: string): Promise<number | null>;
  /** Reads bytes `start`..`end` (inclusive) of a stored object. */
  read(key: string, range?: { start: number; end: number }): Readable;
  /** Removes a stored object; nothing happens when it is already gone. */
  remove(key: string): Promise<void>;
}

function findUp(start: string, marker: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, marker))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** `.data/recordings` at the repository root, beside the embedded database's files. */
export function defaultRecordingsDir(): string {
  const root = findUp(process.cwd(), "pnpm-workspace.yaml") ?? process.cwd();
  return join(root, ".data", "recordings");
}

export function createLocalStorage(dir: string = defaultRecordingsDir()): RecordingStorage {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    // Keys are made by Parlor (room and recording ids), but a key must never name a file outside.
    if (!path.startsWith(root + sep)) throw new Error(`recording key outside the storage: ${key}`);
    return path;
  };
  return {
    localPathFor(key) {
      const path = pathOf(key);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return null;
      }
    },
    read(key, range) {
      return createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
