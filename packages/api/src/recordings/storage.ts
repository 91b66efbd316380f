/**
 * Where recordings are kept: a folder under the data directory (`.data/recordings` at the
 * repository root unless RECORDINGS_DIR says otherwise), or an S3-compatible bucket when
 * RECORDINGS_S3_BUCKET is set. Files are private: the web app serves them through an authorized
 * route (./http.ts), never from a public URL.
 *
 * The recorder always writes to a local file (ffmpeg needs one, and finishing it rewrites it):
 * with a bucket that file is a working copy in the same folder, sent up by `commit` and removed.
 */
import { createReadStream, mkdirSync } from "node:fs";
import { chmod, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";

import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { dataRoot } from "@parlor/db";

import type { Config } from "../lib/config";

export interface RecordingStorage {
  kind: "local" | "s3";
  /** The local file a recorder writes a key to (its folder is created). */
  localPathFor(key: string): string;
  /** Keeps the finished local file as the stored object; returns its size in bytes. */
  commit(key: string): Promise<number>;
  /** The stored object's size in bytes, or null when there is none. */
  size(key: string): Promise<number | null>;
  /** Bytes `start`..`end` (inclusive) of a stored object, or all of it. */
  read(key: string, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array>>;
  /** Removes a stored object (and a working copy); nothing happens when it is already gone. */
  remove(key: string): Promise<void>;
  /** Removes every object under a prefix (a room's folder); nothing happens when there is none. */
  removeAll(prefix: string): Promise<void>;
  /** Throws when objects cannot be written under `prefix` now (full, read-only, unreachable). */
  check(prefix: string): Promise<void>;
}

/** `.data/recordings` at the repository root, beside the embedded database's files. */
export const defaultRecordingsDir = () => join(dataRoot(), "recordings");

export function createRecordingStorage(config: Config["recording"]): RecordingStorage {
  if (config.s3) return createS3Storage(config.s3, config.dir);
  return createLocalStorage(config.dir, { sharedWithEgress: config.mode === "egress" });
}

/** Paths of keys inside a folder; a key must never name a file outside it. */
function folder(dir: string) {
  const root = resolve(dir);
  return (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`recording key outside the storage: ${key}`);
    return path;
  };
}

const webStream = (stream: Readable) => Readable.toWeb(stream) as ReadableStream<Uint8Array>;

export function createLocalStorage(
  dir: string = defaultRecordingsDir(),
  options: {
    /**
     * LiveKit's Egress writes the files (RECORDER=egress), usually as another user (LiveKit's
     * image runs as `egress`): a room's folder, made by Parlor before each recording, lets both
     * write (and Parlor delete what the Egress wrote).
     */
    sharedWithEgress?: boolean;
  } = {},
): RecordingStorage {
  const pathOf = folder(dir);
  return {
    kind: "local",
    localPathFor(key) {
      const path = pathOf(key);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    },
    async commit(key) {
      return (await stat(pathOf(key))).size;
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return null;
      }
    },
    async read(key, range) {
      return webStream(createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {}));
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async removeAll(prefix) {
      await rm(pathOf(prefix), { recursive: true, force: true });
    },
    async check(prefix) {
      const probe = pathOf(`${prefix}/.write-check-${process.pid}`);
      await mkdir(dirname(probe), { recursive: true });
      if (options.sharedWithEgress) await chmod(dirname(probe), 0o777);
      // A few kilobytes, as the first fragment would be: a full disk refuses them.
      await writeFile(probe, Buffer.alloc(64 * 1024));
      await rm(probe, { force: true });
    },
  };
}

/** How long one call to the bucket may take before the storage counts as unreachable. */
const S3_TIMEOUT_MS = 10_000;

export function createS3Storage(
  s3: NonNullable<Config["recording"]["s3"]>,
  workDir: string = defaultRecordingsDir(),
): RecordingStorage {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: S3_TIMEOUT_MS, requestTimeout: 5 * 60_000 },
  });
  const Bucket = s3.bucket;
  const workingCopy = folder(workDir);
  return {
    kind: "s3",
    localPathFor(key) {
      const path = workingCopy(key);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    },
    async commit(key) {
      const path = workingCopy(key);
      const { size } = await stat(path);
      // Multipart for anything large: an hour-long meeting is hundreds of megabytes.
      await new Upload({
        client,
        params: { Bucket, Key: key, Body: createReadStream(path), ContentType: "video/mp4" },
      }).done();
      await rm(path, { force: true });
      return size;
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return head.ContentLength ?? null;
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === "NotFound") return null;
        throw error;
      }
    },
    async read(key, range) {
      const object = await client.send(
        new GetObjectCommand({
          Bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      if (!object.Body) throw new Error(`the bucket sent no body for ${key}`);
      return object.Body.transformToWebStream() as ReadableStream<Uint8Array>;
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      await rm(workingCopy(key), { force: true });
    },
    async removeAll(prefix) {
      const Prefix = `${prefix}/`;
      for (let token: string | undefined; ;) {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
        if (!page.IsTruncated) break;
        token = page.NextContinuationToken;
      }
      await rm(workingCopy(prefix), { recursive: true, force: true });
    },
    async check(prefix) {
      // The bucket takes a write (and the working folder too: the recorder writes there first).
      const Key = `${prefix}/.write-check-${process.pid}`;
      await client.send(new PutObjectCommand({ Bucket, Key, Body: "ok" }));
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
      const probe = workingCopy(Key);
      await mkdir(dirname(probe), { recursive: true });
      await writeFile(probe, Buffer.alloc(64 * 1024));
      await rm(probe, { force: true });
    },
  };
}
