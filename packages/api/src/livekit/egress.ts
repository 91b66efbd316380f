/**
 * LiveKit's Egress service, for recording with RECORDER=egress (recordings/egress.ts): a room
 * composite recording started, stopped and looked at through LiveKit's Egress API. Part of the
 * LiveKit service (service.ts), the only code that talks to LiveKit. Each call is bounded, and a
 * missing, busy or unreachable Egress becomes an AppError a person can act on.
 */
import {
  AudioCodec,
  EgressClient,
  EgressStatus,
  EncodedFileOutput,
  EncodedFileType,
  EncodingOptions,
  S3Upload,
  VideoCodec,
  type EgressInfo,
} from "livekit-server-sdk";

import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";

/** Where the Egress writes the file: a path it sees, or a key in an S3-compatible bucket. */
export type EgressDestination =
  { kind: "file"; path: string } | { kind: "s3"; key: string; s3: NonNullable<Config["recording"]["s3"]> };

export interface RoomCompositeRequest {
  roomName: string;
  destination: EgressDestination;
  width: number;
  height: number;
  audioCodec: "aac" | "opus";
}

/** What Parlor keeps of an egress: how far it got, and its file once it ended. */
export interface EgressState {
  egressId: string;
  status: "starting" | "active" | "ending" | "complete" | "failed";
  /** LiveKit's words when it failed or was aborted. */
  error: string | null;
  /** The path or key it writes to (what Parlor asked for). */
  target: string | null;
  /** When the first media was written. */
  startedAt: Date | null;
  file: { sizeBytes: number; durationMs: number } | null;
}

/**
 * Starting an egress: LiveKit asks its Egress workers, and answers "no response from servers"
 * only after about 20 s when none takes it (none runs, or all are busy). Other calls are quick.
 */
export const EGRESS_START_TIMEOUT_MS = 30_000;

const NO_EGRESS =
  "Recording did not start: LiveKit's recording service (Egress) did not take it, because none is running or every one is busy. The call is not affected. Ask your administrator to check the Egress service, then try again.";
const NOT_CONNECTED =
  "Recording did not start: the LiveKit server is not connected to a recording service (Egress needs the same Redis as LiveKit). The call is not affected. Ask your administrator to check LiveKit's Redis and the Egress service.";
const NO_ANSWER =
  "Recording did not start: LiveKit's recording service (Egress) did not answer in time. The call is not affected. Please try again in a moment; if it keeps happening, ask your administrator to check the Egress service.";
const EGRESS_UNREACHABLE =
  "LiveKit's recording service (Egress) cannot be reached right now. Please try again in a moment; if it keeps happening, ask your administrator to check the Egress service.";
const UNREACHABLE =
  "The video service is not reachable right now. Please try again in a moment; if it keeps happening, ask your administrator to check LiveKit.";
const CREDENTIALS_REFUSED =
  "The video service refused Parlor's credentials. Ask your administrator to check LIVEKIT_API_KEY and LIVEKIT_API_SECRET.";

class EgressTimeout extends Error {
  override name = "EgressTimeout";
}

/** LiveKit's answer for an egress it does not know, or one already ending: not a failure of the service. */
export class EgressGone extends Error {
  override name = "EgressGone";
}

/** Video bitrates (kbps) for RECORDING_RESOLUTION, as LiveKit's H.264 presets have them. */
const VIDEO_KBPS: Record<number, number> = { 720: 3_000, 540: 2_000, 360: 1_000 };

export function createEgressOperations(httpUrl: string, keys: Config["livekit"], logger: Logger) {
  const client = new EgressClient(httpUrl, keys.apiKey, keys.apiSecret, {
    requestTimeout: Math.ceil(EGRESS_START_TIMEOUT_MS / 1000) + 5,
    failover: false,
  });
  const bounded = <T>(operation: string, ms: number, run: () => Promise<T>) =>
    withinEgressTimeout(operation, ms, run, logger, operation === "StartRoomCompositeEgress");

  return {
    /** Starts a speaker-layout room composite recording to an H.264 MP4 file. */
    async startRoomComposite(request: RoomCompositeRequest): Promise<EgressState> {
      const info = await bounded("StartRoomCompositeEgress", EGRESS_START_TIMEOUT_MS, () =>
        client.startRoomCompositeEgress(
          request.roomName,
          { file: fileOutput(request.destination) },
          { layout: "speaker", encodingOptions: encoding(request) },
        ),
      );
      return egressState(info);
    },

    /** Asks an egress to stop; throws EgressGone when it has already ended (or is unknown). */
    async stop(egressId: string): Promise<EgressState> {
      return egressState(await bounded("StopEgress", keys.timeoutMs, () => client.stopEgress(egressId)));
    },

    /** An egress as LiveKit knows it now; null when it does not (any more). */
    async get(egressId: string): Promise<EgressState | null> {
      try {
        const [info] = await bounded("ListEgress", keys.timeoutMs, () => client.listEgress({ egressId }));
        return info ? egressState(info) : null;
      } catch (error) {
        if (error instanceof EgressGone) return null;
        throw error;
      }
    },
  };
}

export type EgressOperations = ReturnType<typeof createEgressOperations>;

function fileOutput(destination: EgressDestination): EncodedFileOutput {
  if (destination.kind === "file") {
    return new EncodedFileOutput({
      fileType: EncodedFileType.MP4,
      filepath: destination.path,
      disableManifest: true,
    });
  }
  const { s3 } = destination;
  return new EncodedFileOutput({
    fileType: EncodedFileType.MP4,
    filepath: destination.key,
    disableManifest: true,
    output: {
      case: "s3",
      value: new S3Upload({
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint ?? "",
        forcePathStyle: s3.forcePathStyle,
        // Empty: the Egress uses its own credentials (its environment, an instance role).
        accessKey: s3.credentials?.accessKeyId ?? "",
        secret: s3.credentials?.secretAccessKey ?? "",
      }),
    },
  });
}

function encoding(request: RoomCompositeRequest): EncodingOptions {
  return new EncodingOptions({
    width: request.width,
    height: request.height,
    framerate: 30,
    videoCodec: VideoCodec.H264_MAIN,
    videoBitrate: VIDEO_KBPS[request.height] ?? 3_000,
    audioCodec: request.audioCodec === "opus" ? AudioCodec.OPUS : AudioCodec.AAC,
    audioBitrate: 128,
    audioFrequency: 48_000,
  });
}

const STATUS: Partial<Record<EgressStatus, EgressState["status"]>> = {
  [EgressStatus.EGRESS_STARTING]: "starting",
  [EgressStatus.EGRESS_ACTIVE]: "active",
  [EgressStatus.EGRESS_ENDING]: "ending",
  [EgressStatus.EGRESS_COMPLETE]: "complete",
};

/** An EgressInfo (from an answer or a webhook) as Parlor keeps it. */
export function egressState(info: EgressInfo): EgressState {
  const file = info.fileResults[0] ?? (info.result.case === "file" ? info.result.value : undefined);
  const request = info.request.case === "roomComposite" ? info.request.value : undefined;
  const asked =
    request?.fileOutputs[0]?.filepath ??
    (request?.output.case === "file" ? request.output.value.filepath : undefined);
  const sizeBytes = Number(file?.size ?? 0);
  return {
    egressId: info.egressId,
    // Failed, aborted, or ended at a limit: what was asked is not what was recorded.
    status: STATUS[info.status] ?? "failed",
    error: info.error || null,
    target: asked || file?.filename || null,
    startedAt: info.startedAt ? new Date(Number(info.startedAt / 1_000_000n)) : null,
    file: sizeBytes > 0 ? { sizeBytes, durationMs: Number((file?.duration ?? 0n) / 1_000_000n) } : null,
  };
}

/** Runs one Egress call under `ms` and maps its failures to AppErrors (or EgressGone). */
async function withinEgressTimeout<T>(
  operation: string,
  ms: number,
  run: () => Promise<T>,
  logger: Logger,
  starting: boolean,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EgressTimeout()), ms);
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    const mapped = egressError(error, starting);
    if (!(mapped instanceof EgressGone)) {
      logger.warn(
        { operation, reason: error instanceof Error ? error.message : String(error) },
        "Egress call failed",
      );
    }
    throw mapped;
  } finally {
    clearTimeout(timer);
  }
}

function egressError(error: unknown, starting: boolean): AppError | EgressGone {
  const { status, code, message = "" } = error as { status?: unknown; code?: unknown; message?: string };
  // Only a start says what did not start; a stop or a look says the Egress cannot be reached.
  const recorder = (text: string) =>
    new AppError("SERVICE_UNAVAILABLE", starting ? text : EGRESS_UNREACHABLE, { dependency: "recorder" });
  if (error instanceof EgressTimeout) return recorder(NO_ANSWER);
  if (status === 404 || code === "not_found" || code === "failed_precondition")
    return new EgressGone(message);
  if (status === 401 || status === 403 || code === "unauthenticated" || code === "permission_denied") {
    return new AppError("SERVICE_UNAVAILABLE", CREDENTIALS_REFUSED);
  }
  if (/not connected/.test(message)) return recorder(NOT_CONNECTED);
  if (code === "unavailable" || code === "resource_exhausted" || /no response from servers/.test(message)) {
    return recorder(NO_EGRESS);
  }
  if (typeof status === "number" && status >= 500) return recorder(NO_EGRESS);
  return new AppError("SERVICE_UNAVAILABLE", UNREACHABLE);
}
