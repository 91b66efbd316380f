/**
 * A stand-in for LiveKit's server in tests: a real HTTP server on loopback that speaks the Twirp
 * RoomService JSON API (`POST /twirp/livekit.RoomService/<Method>`) for the methods Parlor uses.
 * Like the real server it verifies the `Authorization: Bearer` JWT against the API secret and
 * refuses a call without the grant LiveKit requires for it. It can be told to fail or hang.
 * It lives with the tests and never ships in the app.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { errors as joseErrors, jwtVerify } from "jose";

export interface DoubleTrack {
  sid: string;
  type: "AUDIO" | "VIDEO";
  source: "CAMERA" | "MICROPHONE" | "SCREEN_SHARE" | "SCREEN_SHARE_AUDIO";
  muted: boolean;
}

export interface DoubleParticipant {
  sid: string;
  identity: string;
  name: string;
  joinedAt: number;
  attributes: Record<string, string>;
  tracks: DoubleTrack[];
}

export interface DoubleRoom {
  sid: string;
  name: string;
  emptyTimeout: number;
  departureTimeout: number;
  maxParticipants: number;
  metadata: string;
  creationTime: number;
  participants: Map<string, DoubleParticipant>;
}

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  grants: Record<string, unknown>;
}

type Mode = "ok" | "fail" | "hang";

interface VideoGrant {
  roomCreate?: boolean;
  roomList?: boolean;
  roomAdmin?: boolean;
  room?: string;
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const requireGrant = (grant: VideoGrant, key: "roomCreate" | "roomList") => {
  if (!grant[key]) throw new TwirpError(403, "permission_denied", `permissions denied: requires ${key}`);
};

/** Participant calls need `roomAdmin` for the very room named in the request. */
const requireRoomAdmin = (grant: VideoGrant, room: unknown) => {
  if (!grant.roomAdmin || !grant.room || grant.room !== room) {
    throw new TwirpError(403, "permission_denied", "permissions denied: requires roomAdmin for this room");
  }
};

let sequence = 0;
const sid = (prefix: string) => `${prefix}_${(++sequence).toString(36).padStart(8, "0")}`;

export async function startLiveKitDouble(options: { apiKey?: string; apiSecret?: string } = {}) {
  const apiKey = options.apiKey ?? "devkey";
  const apiSecret = options.apiSecret ?? "secret";
  const secretKey = new TextEncoder().encode(apiSecret);
  const rooms = new Map<string, DoubleRoom>();
  const calls: RecordedCall[] = [];
  let mode: Mode = "ok";
  const hanging = new Set<ServerResponse>();

  const roomJson = (room: DoubleRoom) => ({
    sid: room.sid,
    name: room.name,
    emptyTimeout: room.emptyTimeout,
    departureTimeout: room.departureTimeout,
    maxParticipants: room.maxParticipants,
    metadata: room.metadata,
    creationTime: String(room.creationTime),
    numParticipants: room.participants.size,
  });

  const participantJson = (p: DoubleParticipant) => ({
    sid: p.sid,
    identity: p.identity,
    name: p.name,
    state: "ACTIVE",
    joinedAt: String(p.joinedAt),
    attributes: p.attributes,
    tracks: p.tracks,
  });

  const getRoom = (name: unknown) => {
    const room = typeof name === "string" ? rooms.get(name) : undefined;
    if (!room) throw new TwirpError(404, "not_found", "requested room does not exist");
    return room;
  };

  const getParticipant = (room: DoubleRoom, identity: unknown) => {
    const participant = typeof identity === "string" ? room.participants.get(identity) : undefined;
    if (!participant) throw new TwirpError(404, "not_found", "participant not found");
    return participant;
  };

  const methods: Record<string, (body: Record<string, unknown>, grant: VideoGrant) => unknown> = {
    CreateRoom(body, grant) {
      requireGrant(grant, "roomCreate");
      const name = body.name;
      if (typeof name !== "string" || !name)
        throw new TwirpError(400, "invalid_argument", "room name is required");
      let room = rooms.get(name);
      if (!room) {
        room = {
          sid: sid("RM"),
          name,
          emptyTimeout: Number(body.emptyTimeout ?? 300),
          departureTimeout: Number(body.departureTimeout ?? 20),
          maxParticipants: Number(body.maxParticipants ?? 0),
          metadata: typeof body.metadata === "string" ? body.metadata : "",
          creationTime: Math.floor(Date.now() / 1000),
          participants: new Map(),
        };
        rooms.set(name, room);
      }
      return roomJson(room);
    },
    ListRooms(body, grant) {
      requireGrant(grant, "roomList");
      const names = Array.isArray(body.names) ? (body.names as string[]) : [];
      const list = names.length ? names.flatMap((n) => rooms.get(n) ?? []) : [...rooms.values()];
      return { rooms: list.map(roomJson) };
    },
    DeleteRoom(body, grant) {
      requireGrant(grant, "roomCreate");
      getRoom(body.room);
      rooms.delete(body.room as string);
      return {};
    },
    ListParticipants(body, grant) {
      requireRoomAdmin(grant, body.room);
      return { participants: [...getRoom(body.room).participants.values()].map(participantJson) };
    },
    GetParticipant(body, grant) {
      requireRoomAdmin(grant, body.room);
      return participantJson(getParticipant(getRoom(body.room), body.identity));
    },
    RemoveParticipant(body, grant) {
      requireRoomAdmin(grant, body.room);
      const room = getRoom(body.room);
      getParticipant(room, body.identity);
      room.participants.delete(body.identity as string);
      return {};
    },
    MutePublishedTrack(body, grant) {
      requireRoomAdmin(grant, body.room);
      const participant = getParticipant(getRoom(body.room), body.identity);
      const track = participant.tracks.find((t) => t.sid === body.trackSid);
      if (!track) throw new TwirpError(404, "not_found", "track not found");
      track.muted = Boolean(body.muted);
      return { track };
    },
  };

  async function authenticate(req: IncomingMessage): Promise<VideoGrant> {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new TwirpError(401, "unauthenticated", "no authorization header");
    try {
      const { payload } = await jwtVerify(match[1]!, secretKey, { issuer: apiKey, algorithms: ["HS256"] });
      return (payload.video ?? {}) as VideoGrant;
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? "token is expired" : "invalid token";
      throw new TwirpError(401, "unauthenticated", reason);
    }
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (mode === "hang") {
        hanging.add(res);
        return;
      }
      if (mode === "fail") return send(res, 503, { code: "unavailable", msg: "service unavailable" });
      if (req.url === "/" && (req.method === "GET" || req.method === "HEAD")) {
        // LiveKit's root answers "OK" to anyone (browsers warm the connection with it before a
        // join: livekit-client's Room.prepareConnection).
        res.writeHead(200, {
          "content-type": "text/plain; charset=utf-8",
          "access-control-allow-origin": req.headers.origin ?? "*",
        });
        res.end(req.method === "GET" ? "OK" : undefined);
        return;
      }
      const match = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(req.url ?? "");
      try {
        if (req.method !== "POST" || !match) throw new TwirpError(404, "bad_route", "no such method");
        const grant = await authenticate(req);
        const handler = methods[match[1]!];
        if (!handler)
          throw new TwirpError(404, "bad_route", `method ${match[1]} not implemented by the double`);
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
          : {};
        calls.push({ method: match[1]!, body, grants: grant as Record<string, unknown> });
        send(res, 200, handler(body, grant));
      } catch (error) {
        if (error instanceof TwirpError) send(res, error.status, { code: error.code, msg: error.message });
        else send(res, 500, { code: "internal", msg: "internal error" });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    rooms,
    calls,
    /** "fail": every call answers 503; "hang": calls never answer (until set back to "ok"). */
    setMode(next: Mode) {
      mode = next;
      if (next !== "hang") {
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
    },
    /** Puts someone in a room, as if they had joined through the media server. */
    join(
      roomName: string,
      participant: {
        identity: string;
        name?: string;
        tracks?: Omit<DoubleTrack, "sid">[];
        /** As a join token would set them. */
        attributes?: Record<string, string>;
      },
    ) {
      const room = rooms.get(roomName);
      if (!room) throw new Error(`double: no room ${roomName}`);
      const p: DoubleParticipant = {
        sid: sid("PA"),
        identity: participant.identity,
        name: participant.name ?? participant.identity,
        joinedAt: Math.floor(Date.now() / 1000),
        attributes: participant.attributes ?? {},
        tracks: (participant.tracks ?? []).map((t) => ({ ...t, sid: sid("TR") })),
      };
      room.participants.set(p.identity, p);
      return p;
    },
    callsTo: (method: string) => calls.filter((c) => c.method === method),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type LiveKitDouble = Awaited<ReturnType<typeof startLiveKitDouble>>;
