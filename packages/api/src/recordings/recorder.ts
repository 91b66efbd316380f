/**
 * The embedded recorder: one per process, serving every room of the instance up to a configured
 * number at once. For each recording it joins the LiveKit room as a hidden participant
 * (@livekit/rtc-node), subscribes to every microphone, camera and screen share, mixes the sound
 * and lays out the pictures (compositor.ts) on a steady clock, and pipes raw frames and samples to
 * ffmpeg, which writes H.264 + AAC into fragmented MP4: a crash loses the last fragment (two
 * seconds), never the meeting. A clean stop rewrites the file with its index first (faststart) so
 * browsers seek at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rename, rm } from "node:fs/promises";
import type { Writable } from "node:stream";

import type * as Rtc from "@livekit/rtc-node";
import type { AudioFrame, RemoteTrack, Room as RtcRoom, VideoFrame } from "@livekit/rtc-node";

/** LiveKit's native SDK, loaded on the first recording (a process that never records never loads it). */
type RtcModule = typeof Rtc;

import type { Config } from "../lib/config";
import type { LiveKitService } from "../livekit/service";
import type { Logger } from "../lib/logger";
import type { Database } from "@parlor/db";
import { Compositor, type SourcePicture, type Tile } from "./compositor";
import { RECORDER_IDENTITY_PREFIX } from "./identity";
import type { RecordingStorage } from "./storage";
import { heartbeat, markEnded, markRecording, type Ending } from "./store";

export const FRAMES_PER_SECOND = 15;
const SAMPLE_RATE = 48_000;
const TICK_MS = 20;
export const HEARTBEAT_MS = 10_000;
/** Sound a track may hold back before the oldest is dropped (its clock runs fast, or it stalled). */
const MAX_AUDIO_BACKLOG = SAMPLE_RATE / 5;
/** Raw data waiting for ffmpeg beyond this means it cannot keep up: stop rather than eat memory. */
const MAX_PENDING_BYTES = 96 * 1024 * 1024;
const FFMPEG_EXIT_WAIT_MS = 30_000;

export interface RecordingJob {
  id: string;
  roomName: string;
  storageKey: string;
}

/** What the recorder needs of the services (the services hand themselves over). */
export interface RecorderDeps {
  db: Database;
  livekit: LiveKitService;
  logger: Logger;
  storage: RecordingStorage;
  livekitUrl: string;
  /** Picks up a recording cut short (recorder or LiveKit gone) as its next part. */
  resume?: (interrupted: RecordingJob) => Promise<void>;
}

/** How a recording ended, for whoever started it. */
interface Outcome {
  /** Cut short by a fault the recorder may recover from (not a stop, not the meeting's end). */
  interrupted: boolean;
}

export type Recorder = ReturnType<typeof createRecorder>;

export function createRecorder(config: Config["recording"]) {
  const sessions = new Map<string, { session: RoomRecording; done: Promise<void> }>();
  const reserved = new Set<string>();
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let heartbeatDb: Database | undefined;

  const beat = () => {
    if (heartbeatDb && sessions.size) {
      heartbeat(heartbeatDb, [...sessions.keys()], new Date()).catch(() => undefined);
    }
  };

  return {
    capacity: config.maxConcurrent,
    /** Recordings this process runs (or is starting) now. */
    running: () => reserved.size,
    owns: (id: string) => reserved.has(id),
    /** Takes one of the process's slots for `id`; false when all are taken. */
    reserve(id: string): boolean {
      if (reserved.size >= config.maxConcurrent) return false;
      reserved.add(id);
      return true;
    },
    release(id: string) {
      if (!sessions.has(id)) reserved.delete(id);
    },
    /** Starts recording in the background; the outcome goes to the recordings table. */
    start(deps: RecorderDeps, job: RecordingJob): void {
      const session = new RoomRecording(config, deps, job);
      heartbeatDb = deps.db;
      heartbeatTimer ??= setInterval(beat, HEARTBEAT_MS);
      heartbeatTimer.unref();
      const outcome = session.run().catch((error: unknown): Outcome => {
        deps.logger.error({ err: error, recordingId: job.id }, "the recorder failed");
        return { interrupted: false };
      });
      const done = outcome.then(() => undefined);
      sessions.set(job.id, { session, done });
      void outcome.then((result) => {
        sessions.delete(job.id);
        reserved.delete(job.id);
        if (sessions.size === 0 && heartbeatTimer) {
          clearInterval(heartbeatTimer);
          heartbeatTimer = undefined;
        }
        if (result.interrupted && deps.resume) {
          deps
            .resume(job)
            .catch((error: unknown) =>
              deps.logger.error({ err: error, recordingId: job.id }, "could not resume the recording"),
            );
        }
      });
    },
    /** Stops a recording this process runs; resolves once its file is complete and recorded. */
    async stop(id: string): Promise<boolean> {
      const running = sessions.get(id);
      if (!running) return false;
      running.session.requestStop();
      await running.done;
      return true;
    },
    async stopAll() {
      for (const { session } of sessions.values()) session.requestStop();
      await Promise.all([...sessions.values()].map((s) => s.done));
    },
  };
}

interface AudioBacklog {
  chunks: Int16Array[];
  offset: number;
  length: number;
}

/** One recording of one room, from joining to the finished file. */
class RoomRecording {
  private room: RtcRoom | undefined;
  private ffmpeg: ChildProcess | undefined;
  private video: Writable | undefined;
  private audio: Writable | undefined;
  private readonly compositor: Compositor;
  private readonly pictures = new Map<string, VideoFrame>();
  private readonly sound = new Map<string, AudioBacklog>();
  private speaker: string | null = null;
  private startedAt = 0;
  private framesWritten = 0;
  private samplesWritten = 0;
  private ticker: NodeJS.Timeout | undefined;
  private endRequested: ((why: EndReason) => void) | undefined;
  private readonly ended: Promise<EndReason>;
  private readonly log: Logger;

  constructor(
    private readonly config: Config["recording"],
    private readonly deps: RecorderDeps,
    private readonly job: RecordingJob,
  ) {
    this.compositor = new Compositor(config.width, config.height);
    this.ended = new Promise((resolve) => (this.endRequested = resolve));
    this.log = deps.logger.child({ recordingId: job.id });
  }

  /** Records until stopped, the meeting ends or something fails; then finishes the file. */
  async run(): Promise<Outcome> {
    let path = "";
    try {
      path = this.deps.storage.localPathFor(this.job.storageKey);
      await this.join();
      this.spawnEncoder(path);
    } catch (error) {
      this.log.warn({ err: error }, "recording could not start");
      await this.room?.disconnect().catch(() => undefined);
      this.ffmpeg?.kill("SIGKILL");
      if (path) await rm(path, { force: true });
      await markEnded(this.deps.db, this.job.id, {
        state: "failed",
        endedAt: new Date(),
        durationMs: null,
        sizeBytes: null,
        error: path ? startFailure(error, this.config.ffmpegPath) : STORAGE_FAILED,
      });
      return { interrupted: false };
    }
    this.startedAt = performance.now();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.tick();
    await markRecording(this.deps.db, this.job.id, new Date());
    this.log.info({ event: "recording.started", room: this.job.roomName }, "recording started");

    const why = await this.ended;
    return this.finish(path, why);
  }

  /** Asks the recording to end; `run()` resolves once the file is finished and recorded. */
  requestStop(): void {
    this.endRequested?.({});
  }

  private finished = false;

  private async join() {
    const rtc = await import("@livekit/rtc-node");
    const token = await this.deps.livekit.mintRecorderToken({
      identity: `${RECORDER_IDENTITY_PREFIX}${this.job.id}`,
      room: this.job.roomName,
      ttlSeconds: 10 * 60,
    });
    const room = new rtc.Room();
    this.room = room;
    room.on(rtc.RoomEvent.TrackSubscribed, (track, publication, participant) => {
      const key = `${participant.identity}:${publication.source === rtc.TrackSource.SOURCE_SCREENSHARE ? "screen" : "camera"}`;
      if (track.kind === rtc.TrackKind.KIND_VIDEO) void this.readPictures(rtc, track, key);
      else if (track.kind === rtc.TrackKind.KIND_AUDIO)
        void this.readSound(rtc, track, `${key}:${publication.sid}`);
    });
    room.on(rtc.RoomEvent.ActiveSpeakersChanged, (speakers) => {
      const first = speakers.find((s) => s.identity !== room.localParticipant?.identity);
      if (first) this.speaker = `${first.identity}:camera`;
    });
    // The connection dropped (LiveKit restarting, the network): what is recorded ends here as a
    // complete part rather than freezing on the last picture, and the next part picks up.
    const lost = () =>
      this.endRequested?.({
        interrupted: true,
        note: "The recorder lost its connection to the call; what was recorded until then is kept.",
      });
    room.on(rtc.RoomEvent.Reconnecting, lost);
    room.on(rtc.RoomEvent.ConnectionStateChanged, (state) => {
      if (state === rtc.ConnectionState.CONN_RECONNECTING) lost();
    });
    room.on(rtc.RoomEvent.Disconnected, (reason) => {
      // The meeting ended (everyone left, or a moderator ended it) or LiveKit went away.
      const normal =
        reason === rtc.DisconnectReason.ROOM_DELETED || reason === rtc.DisconnectReason.ROOM_CLOSED;
      this.endRequested?.(
        normal
          ? {}
          : {
              interrupted: true,
              note: "The recorder lost its connection to the call; what was recorded until then is kept.",
            },
      );
    });
    await room.connect(websocketUrl(this.deps.livekitUrl), token, { autoSubscribe: true, dynacast: false });
  }

  private async readPictures(rtc: RtcModule, track: RemoteTrack, key: string) {
    const reader = new rtc.VideoStream(track).getReader();
    try {
      for (let next = await reader.read(); !next.done && !this.finished; next = await reader.read()) {
        this.pictures.set(key, next.value.frame);
      }
      await reader.cancel();
    } catch (error) {
      this.log.debug({ err: error, key }, "a video track ended with an error");
    } finally {
      this.pictures.delete(key);
    }
  }

  private async readSound(rtc: RtcModule, track: RemoteTrack, key: string) {
    const backlog: AudioBacklog = { chunks: [], offset: 0, length: 0 };
    this.sound.set(key, backlog);
    const reader = new rtc.AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 }).getReader();
    try {
      for (let next = await reader.read(); !next.done && !this.finished; next = await reader.read()) {
        append(backlog, (next.value as AudioFrame).data);
      }
      await reader.cancel();
    } catch (error) {
      this.log.debug({ err: error, key }, "an audio track ended with an error");
    } finally {
      this.sound.delete(key);
    }
  }

  private spawnEncoder(path: string) {
    const { width, height, ffmpegPath } = this.config;
    const ffmpeg = spawn(
      ffmpegPath,
      [
        ...["-hide_banner", "-loglevel", "error", "-y"],
        ...["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", `${width}x${height}`],
        ...["-framerate", String(FRAMES_PER_SECOND), "-i", "pipe:0"],
        ...["-f", "s16le", "-ar", String(SAMPLE_RATE), "-ac", "1", "-i", "pipe:3"],
        ...["-map", "0:v", "-map", "1:a"],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-crf", "27"],
        ...["-pix_fmt", "yuv420p", "-g", String(FRAMES_PER_SECOND * 2)],
        ...["-c:a", "aac", "-b:a", "96k"],
        // A fragment per key frame (two seconds): what is written is playable whatever happens next.
        // Each fragment goes to the file as it is made, not when a buffer fills.
        ...["-flush_packets", "1"],
        ...["-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", path],
      ],
      { stdio: ["pipe", "ignore", "pipe", "pipe"] },
    );
    this.ffmpeg = ffmpeg;
    this.video = ffmpeg.stdin!;
    this.audio = ffmpeg.stdio[3] as Writable;
    let errors = "";
    ffmpeg.stderr!.on("data", (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-2000);
    });
    // A pipe closed under us (ffmpeg died) shows as an error on write: the exit handler explains.
    this.video.on("error", () => undefined);
    this.audio.on("error", () => undefined);
    ffmpeg.on("error", (error) =>
      this.endRequested?.({ state: "failed", error: startFailure(error, ffmpegPath) }),
    );
    ffmpeg.on("exit", (code, signal) => {
      if (this.finished || this.stopping) return;
      this.log.warn({ code, signal, errors }, "ffmpeg stopped while recording");
      // Storage that is full or gone fails the next part the same way: tell, do not retry.
      this.endRequested?.(
        STORAGE_ERROR.test(errors)
          ? { storageFailed: true, error: STORAGE_FAILED }
          : {
              interrupted: true,
              note: "The encoder (ffmpeg) stopped unexpectedly; what was recorded until then is kept.",
            },
      );
    });
  }

  private stopping = false;

  /** Writes the sound and pictures due by now, so the file's timeline follows the clock. */
  private tick() {
    if (!this.video || !this.audio || this.stopping) return;
    const elapsedMs = performance.now() - this.startedAt;
    const samplesDue = Math.floor((elapsedMs * SAMPLE_RATE) / 1000) - this.samplesWritten;
    if (samplesDue > 0) {
      this.audio.write(this.mix(samplesDue));
      this.samplesWritten += samplesDue;
    }
    const framesDue = Math.floor((elapsedMs * FRAMES_PER_SECOND) / 1000) + 1 - this.framesWritten;
    if (framesDue > 0) {
      const frame = Buffer.from(this.compositor.compose(this.tiles(), this.speaker));
      for (let i = 0; i < framesDue; i++) this.video.write(frame);
      this.framesWritten += framesDue;
    }
    if (this.video.writableLength + this.audio.writableLength > MAX_PENDING_BYTES) {
      this.endRequested?.({
        note: "The server was too busy to keep encoding, so recording stopped; what was recorded until then is kept.",
      });
    }
  }

  private tiles(): Tile[] {
    const room = this.room;
    if (!room) return [];
    const tiles: Tile[] = [];
    for (const participant of room.remoteParticipants.values()) {
      const name = participant.name || participant.identity;
      tiles.push({
        key: `${participant.identity}:camera`,
        name,
        screen: false,
        picture: this.picture(`${participant.identity}:camera`),
      });
      const screen = this.picture(`${participant.identity}:screen`);
      if (screen) tiles.push({ key: `${participant.identity}:screen`, name, screen: true, picture: screen });
    }
    return tiles;
  }

  private picture(key: string): SourcePicture | null {
    const frame = this.pictures.get(key);
    if (!frame) return null;
    // I420 is what LiveKit's decoders hand out; anything else is converted once here.
    const i420 = frame.type === 5 /* VideoBufferType.I420 */ ? frame : frame.convert(5);
    if (i420 !== frame) this.pictures.set(key, i420);
    return { data: i420.data, width: i420.width, height: i420.height };
  }

  private mix(count: number): Buffer {
    const sum = new Int32Array(count);
    for (const backlog of this.sound.values()) {
      while (backlog.length > MAX_AUDIO_BACKLOG) take(backlog, backlog.length - MAX_AUDIO_BACKLOG / 2, null);
      take(backlog, count, sum);
    }
    const out = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) out.writeInt16LE(Math.max(-32768, Math.min(32767, sum[i]!)), i * 2);
    return out;
  }

  private async finish(path: string, why: EndReason): Promise<Outcome> {
    this.stopping = true;
    clearInterval(this.ticker);
    const exited = this.ffmpeg ? exitOf(this.ffmpeg) : Promise.resolve();
    this.video?.end();
    this.audio?.end();
    const timer = setTimeout(() => this.ffmpeg?.kill("SIGKILL"), FFMPEG_EXIT_WAIT_MS);
    await exited;
    clearTimeout(timer);
    this.finished = true;
    await this.room?.disconnect().catch(() => undefined);

    // Only a file that ends cleanly and plays for some time is listed as complete; anything else
    // (storage full or gone, nothing written) is failed and its remains removed.
    const finalized =
      why.state === "failed" || why.storageFailed || this.framesWritten === 0
        ? null
        : await finalizeFile(this.config.ffmpegPath, path, this.log);
    let sizeBytes: number | null = null;
    let error = why.error ?? why.note ?? null;
    if (finalized) {
      try {
        sizeBytes = await this.deps.storage.commit(this.job.storageKey);
      } catch (commitError) {
        this.log.warn({ err: commitError }, "could not keep the recording in its storage");
        error = STORAGE_FAILED;
      }
    }
    const complete = !!finalized && !!sizeBytes;
    if (!complete) await this.deps.storage.remove(this.job.storageKey).catch(() => rm(path, { force: true }));
    await markEnded(this.deps.db, this.job.id, {
      state: complete ? "complete" : "failed",
      endedAt: new Date(),
      durationMs: complete ? finalized.durationMs : null,
      sizeBytes: complete ? sizeBytes : null,
      error: error ?? (complete ? null : "Nothing could be recorded."),
    });
    this.log.info(
      {
        event: "recording.ended",
        durationMs: finalized?.durationMs,
        sizeBytes,
        interrupted: !!why.interrupted,
      },
      "recording ended",
    );
    return { interrupted: !!why.interrupted };
  }
}

type EndReason = Partial<Ending> & {
  /** Said to the moderators when a recording ends early but keeps what it wrote. */
  note?: string;
  interrupted?: boolean;
  storageFailed?: boolean;
};

/** ffmpeg's words for storage that is full, read-only or gone. */
const STORAGE_ERROR =
  /No space left on device|Disk quota exceeded|Read-only file system|Permission denied|Input\/output error|No such file or directory|Not a directory/i;

export const STORAGE_FAILED =
  "Recording stopped: Parlor could not write to its recordings storage (it is full or unreachable). The call goes on; ask your administrator to check the storage, then start recording again.";

/**
 * Makes a written (possibly cut-short) fragmented MP4 ready to play and seek: rewrites it with
 * its index first and measures how long it really plays. Null when nothing playable is there.
 */
export async function finalizeFile(
  ffmpegPath: string,
  path: string,
  log: Pick<Logger, "warn">,
): Promise<{ durationMs: number } | null> {
  const tmp = `${path}.faststart.mp4`;
  const remux = spawn(
    ffmpegPath,
    ["-hide_banner", "-loglevel", "error", "-y", "-i", path, "-c", "copy", "-movflags", "+faststart", tmp],
    { stdio: "ignore" },
  );
  if ((await exitOf(remux)) === 0) await rename(tmp, path);
  else {
    log.warn({ path }, "could not move the recording's index to the front; the fragmented file is kept");
    await rm(tmp, { force: true });
  }
  const durationMs = await playingTimeMs(ffmpegPath, path);
  return durationMs && durationMs > 0 ? { durationMs } : null;
}

/** How long a media file plays, as ffmpeg reads it through to the end (cut-short files too). */
async function playingTimeMs(ffmpegPath: string, path: string): Promise<number | null> {
  const probe = spawn(
    ffmpegPath,
    ["-hide_banner", "-nostdin", "-i", path, "-map", "0", "-c", "copy", "-f", "null", "-"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let output = "";
  probe.stderr!.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  if ((await exitOf(probe)) !== 0) return null;
  const times = [...output.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  const last = times.at(-1);
  if (!last) return null;
  return Math.round((Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])) * 1000);
}

function append(backlog: AudioBacklog, samples: Int16Array) {
  backlog.chunks.push(samples);
  backlog.length += samples.length;
}

/** Takes `count` samples from the front of the backlog, adding them into `into` (or dropping them). */
function take(backlog: AudioBacklog, count: number, into: Int32Array | null) {
  let written = 0;
  while (written < count && backlog.chunks.length) {
    const chunk = backlog.chunks[0]!;
    const n = Math.min(count - written, chunk.length - backlog.offset);
    if (into) for (let i = 0; i < n; i++) into[written + i]! += chunk[backlog.offset + i]!;
    written += n;
    backlog.offset += n;
    backlog.length -= n;
    if (backlog.offset >= chunk.length) {
      backlog.chunks.shift();
      backlog.offset = 0;
    }
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    // Gone already: by itself (an exit code) or killed (a signal, and no exit code).
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
}

const websocketUrl = (url: string) => url.replace(/^http(s?):/, "ws$1:");

/** Why a recording could not start, in words a moderator (or the administrator) can act on. */
function startFailure(error: unknown, ffmpegPath: string): string {
  if ((error as NodeJS.ErrnoException)?.code === "ENOENT") {
    return `The recorder's encoder was not found at ${ffmpegPath}. Ask your administrator to install ffmpeg or set FFMPEG_PATH.`;
  }
  return "Parlor's recorder could not join the call. Please try again; if it keeps failing, ask your administrator to check LiveKit.";
}
