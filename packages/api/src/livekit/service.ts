/**
 * The only code that talks to LiveKit: rooms and participants through its RoomService API, and
 * access tokens. Every call has a timeout, and LiveKit's failures become AppErrors with a message
 * a person can act on.
 */
import {
  AccessToken,
  DataPacket_Kind,
  RoomConfiguration,
  RoomServiceClient,
  TrackSource,
  TrackType,
  type VideoGrant,
} from "livekit-server-sdk";

import type { Config } from "../lib/config";
import { AppError, notFound, serviceUnavailable } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { isRecorderIdentity } from "../recordings/identity";
import { createEgressOperations } from "./egress";

export interface RoomOptions {
  name: string;
  emptyTimeoutSeconds: number;
  departureTimeoutSeconds: number;
  maxParticipants: number;
  metadata: string;
}

export interface LiveKitRoom {
  /** Unique to one lifetime of the room. */
  sid: string;
  name: string;
  numParticipants: number;
  metadata: string;
  createdAt: Date;
}

export interface LiveKitParticipant {
  /** Unique to one connection. */
  sid: string;
  identity: string;
  name: string;
  joinedAt: Date;
  /** When it joined to the millisecond, where LiveKit says (its `joinedAt` is in whole seconds). */
  joinedAtMs: number | null;
  /** Set from the join token; participants cannot change them (Parlor grants no canUpdateOwnMetadata). */
  attributes: Record<string, string>;
  tracks: { sid: string; kind: "audio" | "video"; source: string; muted: boolean }[];
}

export interface TokenRequest {
  identity: string;
  name: string;
  room: string;
  roomAdmin: boolean;
  ttlSeconds: number;
  metadata?: string;
  /** Attributes set by the server, which every other participant sees and nobody can forge (the account name, the guest mark). */
  attributes?: Record<string, string>;
  /**
   * The room's options, carried in the token so that a join to a room LiveKit has closed in the
   * meantime re-creates it with them (LiveKit creates a missing room on join) instead of failing.
   */
  roomConfig?: RoomOptions;
}

const UNREACHABLE =
  "The video service is not reachable right now. Please try again in a moment; if it keeps happening, ask your administrator to check LiveKit.";
const CREDENTIALS_REFUSED =
  "The video service refused Parlor's credentials. Ask your administrator to check LIVEKIT_API_KEY and LIVEKIT_API_SECRET.";

/** LiveKit's HTTP API lives at the same host as its WebSocket URL. */
export function httpUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, "http$1://");
}

export function createLiveKitService(config: Config["livekit"], logger: Logger) {
  const client = new RoomServiceClient(httpUrl(config.url), config.apiKey, config.apiSecret, {
    requestTimeout: Math.ceil(config.timeoutMs / 1000),
    failover: false,
  });
  const calls = createLiveKitCalls(config.timeoutMs, logger);

  /** Whether LiveKit answers an authenticated call within the timeout, how fast, and if not, why. */
  async function probe(): Promise<{ ok: boolean; problem: LiveKitProblem | null; ms: number }> {
    const started = performance.now();
    try {
      await calls.call("ListRooms", () => client.listRooms(["parlor-health-check"]));
      return { ok: true, problem: null, ms: Math.round(performance.now() - started) };
    } catch {
      return {
        ok: false,
        problem: calls.failing() ?? "unreachable",
        ms: Math.round(performance.now() - started),
      };
    }
  }

  return {
    /** Where browsers connect. */
    publicUrl: config.publicUrl,
    ...roomOperations(client, calls.call),
    ...participantOperations(client, calls.call),

    /** A join token scoped to one room, valid for `ttlSeconds`. */
    mintToken: (request: TokenRequest) => mintJoinToken(config, request),
    mintRecorderToken: (request: RecorderTokenRequest) => mintRecorderToken(config, request),

    /** True when LiveKit answers an authenticated call within the timeout. */
    async ping(): Promise<boolean> {
      return (await probe()).ok;
    },

    probe,

    /** The last failure seen by any call, for the admin's health panel. */
    lastProblem: calls.lastProblem,

    /** LiveKit's Egress service (RECORDER=egress): room composite recordings. */
    egress: createEgressOperations(httpUrl(config.url), config, logger),

    /** Where the server reaches LiveKit's API. */
    apiUrl: httpUrl(config.url),
    timeoutMs: config.timeoutMs,
  };
}

/** Runs one RoomService call under the timeout and maps its failures to AppErrors. */
type LiveKitCall = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

/**
 * Every RoomService call goes through `call`, which bounds it by the timeout and keeps what is
 * wrong with LiveKit now, if anything. The log says so when that changes (LiveKit stops
 * answering, starts refusing the key, comes back), not at every failed call.
 */
function createLiveKitCalls(timeoutMs: number, logger: Logger) {
  let failing: LiveKitProblem | null = null;
  let lastProblem: { problem: LiveKitProblem; at: Date } | null = null;
  function noteOutcome(operation: string, problem: LiveKitProblem | null, reason?: string) {
    if (problem) lastProblem = { problem, at: new Date() };
    if (problem === failing) {
      if (problem) logger.debug({ operation, problem, reason }, "LiveKit call failed (still)");
      return;
    }
    if (problem) logger.warn({ operation, problem, reason }, `LiveKit call failed: ${PROBLEM_LOG[problem]}`);
    else logger.info({ operation }, "LiveKit answers again");
    failing = problem;
  }

  const call: LiveKitCall = async (operation, run) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LiveKitTimeout()), timeoutMs);
    });
    try {
      const result = await Promise.race([run(), timeout]);
      noteOutcome(operation, null);
      return result;
    } catch (error) {
      const problem = classifyLiveKitError(error);
      noteOutcome(operation, problem, error instanceof Error ? error.message : String(error));
      throw toAppError(problem);
    } finally {
      clearTimeout(timer);
    }
  };
  return { call, failing: () => failing, lastProblem: () => lastProblem };
}

/** A room LiveKit no longer has answers NOT_FOUND; for some calls that is an answer, not a failure. */
async function unlessNotFound<T>(run: () => Promise<T>, otherwise: T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return otherwise;
    throw error;
  }
}

function roomOperations(client: RoomServiceClient, call: LiveKitCall) {
  return {
    /** CreateRoom is idempotent in LiveKit: an open room is returned as it is. */
    async ensureRoom(options: RoomOptions): Promise<LiveKitRoom> {
      const room = await call("CreateRoom", () =>
        client.createRoom({
          name: options.name,
          emptyTimeout: options.emptyTimeoutSeconds,
          departureTimeout: options.departureTimeoutSeconds,
          maxParticipants: options.maxParticipants,
          metadata: options.metadata,
        }),
      );
      return toRoom(room);
    },

    async listRooms(names?: string[]): Promise<LiveKitRoom[]> {
      if (names && names.length === 0) return [];
      return (await call("ListRooms", () => client.listRooms(names))).map(toRoom);
    },

    /** Closes a room for everyone; a room LiveKit no longer has counts as closed. */
    async deleteRoom(name: string): Promise<void> {
      await unlessNotFound(() => call("DeleteRoom", () => client.deleteRoom(name)), undefined);
    },

    /**
     * Sends JSON on `topic` (reliable delivery), as the server: to everyone in the room, or only to
     * the participants named in `to`.
     */
    async sendData(room: string, topic: string, payload: unknown, to?: string[]): Promise<void> {
      const data = new TextEncoder().encode(JSON.stringify(payload));
      await call("SendData", () =>
        client.sendData(room, data, DataPacket_Kind.RELIABLE, { topic, destinationIdentities: to }),
      );
    },
  };
}

function participantOperations(client: RoomServiceClient, call: LiveKitCall) {
  return {
    /** Who is in the room (an empty list for a room LiveKit no longer has). */
    async listParticipants(room: string): Promise<LiveKitParticipant[]> {
      const participants = await unlessNotFound(
        () => call("ListParticipants", () => client.listParticipants(room)),
        [],
      );
      // Parlor's recorder is not someone in the call (recordings/recorder.ts), nor LiveKit's Egress.
      return participants
        .filter((participant) => !isRecorderIdentity(participant.identity) && !isEgress(participant))
        .map(toParticipant);
    },

    async removeParticipant(room: string, identity: string): Promise<void> {
      await call("RemoveParticipant", () => client.removeParticipant(room, identity));
    },

    /** Mutes every published track of one kind (microphone or camera) of a participant. */
    async muteParticipant(room: string, identity: string, kind: "audio" | "video"): Promise<number> {
      const participant = toParticipant(
        await call("GetParticipant", () => client.getParticipant(room, identity)),
      );
      const tracks = participant.tracks.filter(
        (t) => t.kind === kind && !t.muted && t.source !== "SCREEN_SHARE_AUDIO",
      );
      for (const track of tracks) {
        await call("MutePublishedTrack", () => client.mutePublishedTrack(room, identity, track.sid, true));
      }
      return tracks.length;
    },

    /** Sets (or, with "", removes) participant attributes, which everyone in the call sees. */
    async setParticipantAttributes(room: string, identity: string, attributes: Record<string, string>) {
      await call("UpdateParticipant", () => client.updateParticipant(room, identity, { attributes }));
    },
  };
}

/** ParticipantInfo.Kind EGRESS (the SDK does not export the enum): LiveKit's Egress recording the room. */
export const EGRESS_PARTICIPANT_KIND = 2;
export const isEgress = (participant: { kind?: number }) => participant.kind === EGRESS_PARTICIPANT_KIND;

type TokenKeys = Pick<Config["livekit"], "apiKey" | "apiSecret">;

/** A join token scoped to one room, valid for `ttlSeconds`. */
async function mintJoinToken(keys: TokenKeys, request: TokenRequest): Promise<string> {
  const token = new AccessToken(keys.apiKey, keys.apiSecret, {
    identity: request.identity,
    name: request.name,
    ttl: request.ttlSeconds,
    metadata: request.metadata,
    attributes: request.attributes,
  });
  const grant: VideoGrant = {
    room: request.room,
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
    roomAdmin: request.roomAdmin,
  };
  token.addGrant(grant);
  if (request.roomConfig) {
    token.roomConfig = new RoomConfiguration({
      name: request.roomConfig.name,
      emptyTimeout: request.roomConfig.emptyTimeoutSeconds,
      departureTimeout: request.roomConfig.departureTimeoutSeconds,
      maxParticipants: request.roomConfig.maxParticipants,
      metadata: request.roomConfig.metadata,
    });
  }
  return token.toJwt();
}

export interface RecorderTokenRequest {
  identity: string;
  room: string;
  ttlSeconds: number;
}

/**
 * A token for Parlor's own recorder (recordings/recorder.ts): it subscribes to everything and
 * publishes nothing; `hidden` keeps it out of every participant list LiveKit sends, and
 * `recorder` marks the room as being recorded (clients show it) without keeping the room open
 * once the people have left.
 */
async function mintRecorderToken(keys: TokenKeys, request: RecorderTokenRequest): Promise<string> {
  const token = new AccessToken(keys.apiKey, keys.apiSecret, {
    identity: request.identity,
    name: "Recording",
    ttl: request.ttlSeconds,
  });
  token.kind = "egress";
  token.addGrant({
    room: request.room,
    roomJoin: true,
    canPublish: false,
    canSubscribe: true,
    canPublishData: false,
    hidden: true,
    recorder: true,
  });
  return token.toJwt();
}

export type LiveKitService = ReturnType<typeof createLiveKitService>;

class LiveKitTimeout extends Error {
  override name = "LiveKitTimeout";
}

/** Why a LiveKit call failed; `null` for an answer that is no fault of the service (not found). */
export type LiveKitProblem = "timeout" | "credentials" | "capacity" | "unreachable";

const PROBLEM_LOG: Record<LiveKitProblem, string> = {
  timeout: "no answer within LIVEKIT_TIMEOUT_MS (LiveKit hangs or is overloaded)",
  credentials: "LiveKit refused the API key (check LIVEKIT_API_KEY and LIVEKIT_API_SECRET)",
  capacity: "LiveKit is at capacity",
  unreachable: "LiveKit is not reachable at LIVEKIT_URL (not running, or a wrong address)",
};

function classifyLiveKitError(error: unknown): LiveKitProblem | null {
  const status = (error as { status?: unknown }).status;
  const code = (error as { code?: unknown }).code;
  if (status === 404 || code === "not_found") return null;
  if (error instanceof LiveKitTimeout) return "timeout";
  if (status === 401 || status === 403 || code === "unauthenticated" || code === "permission_denied")
    return "credentials";
  if (code === "resource_exhausted") return "capacity";
  return "unreachable";
}

function toAppError(problem: LiveKitProblem | null): AppError {
  switch (problem) {
    case null:
      return notFound("That room or participant is no longer live.");
    case "credentials":
      return serviceUnavailable(CREDENTIALS_REFUSED);
    case "capacity":
      return serviceUnavailable("The video service is at capacity. Please try again shortly.");
    default:
      return serviceUnavailable(UNREACHABLE);
  }
}

function toRoom(room: {
  sid: string;
  name: string;
  numParticipants: number;
  metadata: string;
  creationTime: bigint;
}): LiveKitRoom {
  return {
    sid: room.sid,
    name: room.name,
    numParticipants: room.numParticipants,
    metadata: room.metadata,
    createdAt: new Date(Number(room.creationTime) * 1000),
  };
}

function toParticipant(p: {
  sid: string;
  identity: string;
  name: string;
  joinedAt: bigint;
  joinedAtMs?: bigint;
  attributes?: { [key: string]: string };
  tracks: { sid: string; type: TrackType; source: TrackSource; muted: boolean }[];
}): LiveKitParticipant {
  return {
    sid: p.sid,
    identity: p.identity,
    name: p.name,
    joinedAt: new Date(Number(p.joinedAt) * 1000),
    joinedAtMs: p.joinedAtMs ? Number(p.joinedAtMs) : null,
    attributes: { ...p.attributes },
    tracks: p.tracks.map((t) => ({
      sid: t.sid,
      kind: t.type === TrackType.AUDIO ? "audio" : "video",
      source: TrackSource[t.source] ?? "UNKNOWN",
      muted: t.muted,
    })),
  };
}
