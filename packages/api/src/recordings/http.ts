/**
 * `GET /api/recordings/:id`: a recording's file, to members of its room's team only, with range
 * requests so the browser's player can seek. Never cached by anyone but the browser, never a
 * public link that outlives access: each request checks the session and the membership again.
 */
import { schema } from "@parlor/db";
import { eq } from "drizzle-orm";

import { createContext } from "../lib/context";
import { AppError } from "../lib/errors";
import type { Services } from "../lib/services";
import { requireMembership } from "../teams/logic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const answer = (status: number, error: string, headers: Record<string, string> = {}) =>
  Response.json({ error }, { status, headers: { "cache-control": "no-store", ...headers } });

const NOT_FOUND = "We could not find that recording, or you are not a member of its team.";

export async function handleRecordingRequest(
  services: Services,
  req: Request,
  recordingId: string,
  options: { peerAddress?: string | null } = {},
): Promise<Response> {
  if (!UUID.test(recordingId)) return answer(404, NOT_FOUND);
  const ctx = createContext(services, { headers: req.headers, peerAddress: options.peerAddress });
  const auth = await ctx.auth();
  if (!auth) return answer(401, "Please sign in to watch this recording.");

  const [row] = await services.db
    .select({
      storageKey: schema.recordings.storageKey,
      state: schema.recordings.state,
      createdAt: schema.recordings.createdAt,
      teamSlug: schema.teams.slug,
      roomName: schema.rooms.name,
    })
    .from(schema.recordings)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.recordings.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(eq(schema.recordings.id, recordingId));
  if (!row) return answer(404, NOT_FOUND);
  try {
    await requireMembership(services, auth.user, row.teamSlug);
  } catch (error) {
    if (error instanceof AppError) return answer(404, NOT_FOUND);
    throw error;
  }
  if (row.state !== "complete") return answer(409, "This recording is not finished yet.");
  const storage = services.recordingStorage;
  const unreachable = (error: unknown) => {
    services.logger.warn({ err: error, recordingId }, "the recordings storage could not be read");
    return answer(503, "The recordings storage cannot be reached right now. Please try again in a moment.", {
      "retry-after": "30",
    });
  };
  let size: number | null;
  try {
    size = await storage.size(row.storageKey);
  } catch (error) {
    return unreachable(error);
  }
  if (!size) return answer(404, "This recording's file is missing. Ask an owner or admin of the team.");

  const download = new URL(req.url).searchParams.has("download");
  const name = `${row.roomName} ${row.createdAt.toISOString().slice(0, 16).replace("T", " ")}.mp4`;
  const headers: Record<string, string> = {
    "content-type": "video/mp4",
    "accept-ranges": "bytes",
    "cache-control": "private, no-store",
    "content-disposition": `${download ? "attachment" : "inline"}; filename="recording.mp4"; filename*=UTF-8''${encodeURIComponent(name)}`,
    "x-content-type-options": "nosniff",
  };

  const range = parseRange(req.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return answer(416, "That part of the recording does not exist.", { "content-range": `bytes */${size}` });
  }
  let body: ReadableStream<Uint8Array> | null = null;
  try {
    if (req.method !== "HEAD") body = await storage.read(row.storageKey, range ?? undefined);
  } catch (error) {
    return unreachable(error);
  }
  if (!range) {
    return new Response(body, { status: 200, headers: { ...headers, "content-length": String(size) } });
  }
  return new Response(body, {
    status: 206,
    headers: {
      ...headers,
      "content-length": String(range.end - range.start + 1),
      "content-range": `bytes ${range.start}-${range.end}/${size}`,
    },
  });
}

/**
 * One byte range of `Range: bytes=…` (browsers' players ask for one); null for none or a header
 * this does not serve (then the whole file is sent, as HTTP allows).
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
