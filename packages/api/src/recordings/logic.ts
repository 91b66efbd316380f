/**
 * Recording a room's meetings: who may start, stop, see and delete recordings, and the rules
 * around them (one at a time per room, none in encrypted rooms, a limit per instance). The
 * recording itself is the recorder's (recorder.ts); files live in the recordings storage.
 *
 * Who may: team owners and admins start and stop (members too when the team allows it), every
 * member sees and plays, owners and admins delete. The checks go through `requireMembership`
 * (teams/logic.ts), as every team door does.
 */
import { access, constants, stat } from "node:fs/promises";

import { schema } from "@parlor/db";
import { and, desc, eq, gt, inArray, isNotNull, isNull, sql } from "drizzle-orm";

import { mayBeInRoom, refusalError } from "../access/rule";
import { AppError, conflict, forbidden, isUniqueViolation, notFound, roomEncrypted } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import type { Services } from "../lib/services";
import { canManage, requireMembership, type Actor, type TeamSummary } from "../teams/logic";
import { startEgressRecording, type NewRecording } from "./egress";
import { finalizeFile, type RecorderDeps, type RecordingJob } from "./recorder";
import { stopById } from "./lifecycle";
import { ACTIVE_STATES, markEnded, orphaned } from "./store";

type RoomRef = { teamSlug: string; roomSlug: string };

const ROOM_NOT_FOUND = "We could not find that room.";
export const ENCRYPTED_ROOM_REASON =
  "This room is end-to-end encrypted: Parlor's server cannot see or hear the call, so it cannot record it.";
const NOT_ALLOWED =
  "Only the team's owners and admins can record its meetings. An owner or admin can let members record in the team's settings.";

/** How long a recording may go without its recorder's heartbeat before it counts as orphaned. */
export const ORPHANED_AFTER_MS = 45_000;

export const recorderDeps = (svc: Services): RecorderDeps => ({
  db: svc.db,
  livekit: svc.livekit,
  logger: svc.logger,
  storage: svc.recordingStorage,
  livekitUrl: svc.config.livekit.url,
  resume: (interrupted) => resumeRecording(svc, interrupted),
});

/** Waits before each attempt to pick an interrupted recording up again (about a minute in all). */
/** Ends the message of a part whose recording could not be resumed: the moderators act on it. */
const RESUME_GAVE_UP = "Start recording again to go on.";

export const RESUME_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

async function teamRoom(svc: Services, actor: Actor, ref: RoomRef) {
  const team = await requireMembership(svc, actor, ref.teamSlug);
  const [row] = await svc.db
    .select({
      id: schema.rooms.id,
      livekitRoomName: schema.rooms.livekitRoomName,
      e2ee: schema.rooms.e2ee,
      membersRecord: schema.teams.membersRecord,
    })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(and(eq(schema.rooms.teamId, team.id), eq(schema.rooms.slug, ref.roomSlug)))
    .limit(1);
  if (!row) throw notFound(ROOM_NOT_FOUND);
  return { team, room: row };
}

const mayRecord = (team: TeamSummary, membersRecord: boolean) => canManage(team.role) || membersRecord;

/**
 * Starting or stopping a recording is acting in the call: only for those the access rule lets in
 * (a member removed from the call, or kept out by the lock, records nothing).
 */
async function requireInRoom(svc: Services, actor: Actor, room: { livekitRoomName: string }) {
  const now = svc.clock();
  const access = await mayBeInRoom(
    { db: svc.db, now, adminEmails: [...svc.config.adminEmails] },
    { roomName: room.livekitRoomName, identity: actor.id },
  );
  if (!access.allowed) throw refusalError(access, now);
}

/** Starts recording the meeting that is on in the room. */
export async function startRecording(svc: Services, actor: Actor, ref: RoomRef) {
  const { team, room } = await teamRoom(svc, actor, ref);
  if (!mayRecord(team, room.membersRecord)) throw forbidden(NOT_ALLOWED);
  await requireInRoom(svc, actor, room);
  if (room.e2ee) throw roomEncrypted(ENCRYPTED_ROOM_REASON);
  if (svc.recorder.capacity === 0) {
    throw forbidden("Recording is turned off on this Parlor server (RECORDING_MAX_CONCURRENT is 0).");
  }
  const egress = svc.config.recording.mode === "egress";
  if (!egress) await requireEncoder(svc);
  const [active] = await activeRecordings(svc, room.id);
  if (active) throw conflict("This meeting is already being recorded.");
  const people = await svc.livekit.listParticipants(room.livekitRoomName);
  if (people.length === 0) throw conflict("Nobody is in the call. Join it, then start recording.");
  await requireWritableStorage(svc, room.id);

  const id = crypto.randomUUID();
  const values = {
    id,
    roomId: room.id,
    startedBy: actor.id,
    storageKey: `${room.id}/${id}.mp4`,
    // The same meeting's earlier recordings (stopped, or cut short) make this a later part.
    part: sql`1 + (select count(*) from ${schema.recordings} r join ${schema.roomSessions} s on s.id = r.room_session_id
      where r.room_id = ${room.id} and s.ended_at is null)::int`,
  };
  try {
    const started = egress
      ? await startEgressRecording(svc, values, room.livekitRoomName)
      : await startEmbedded(svc, values, room.livekitRoomName);
    if (!started) throw atCapacity(svc);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict("This meeting is already being recorded.");
    throw error;
  }
  svc.logger.info({ event: "recording.start", roomId: room.id, by: actor.id }, "recording requested");
  return getRecording(svc, team, room.id, id);
}

/** The embedded recorder takes one of this process's slots, then records in the background. */
async function startEmbedded(svc: Services, values: NewRecording, roomName: string) {
  if (!svc.recorder.reserve(values.id)) return false;
  try {
    await svc.db.insert(schema.recordings).values(values);
  } catch (error) {
    svc.recorder.release(values.id);
    throw error;
  }
  svc.recorder.start(recorderDeps(svc), { id: values.id, roomName, storageKey: values.storageKey });
  return true;
}

const atCapacity = (svc: Services) =>
  new AppError(
    "TOO_MANY_REQUESTS",
    `This server is already recording ${svc.recorder.capacity} meeting${svc.recorder.capacity === 1 ? "" : "s"}, as many as it is set up for. Try again when one of them has ended.`,
    { retryAfterSeconds: 60 },
  );

/**
 * Picks up a recording the recorder could not continue (ffmpeg killed, its connection to the
 * call lost, LiveKit restarted) as the next part of the same meeting, as long as people are still
 * in the call. When it cannot within about a minute, the interrupted part says so, and the
 * moderators' control offers to start again.
 */
export async function resumeRecording(svc: Services, interrupted: RecordingJob) {
  const [previous] = await svc.db
    .select({ recording: schema.recordings, livekitRoomName: schema.rooms.livekitRoomName })
    .from(schema.recordings)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.recordings.roomId))
    .where(eq(schema.recordings.id, interrupted.id));
  if (!previous) return; // deleted meanwhile
  const { recording, livekitRoomName } = previous;
  let why = "Parlor could not reach LiveKit to resume recording.";
  for (const delay of RESUME_DELAYS_MS) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    // A moderator started recording again meanwhile: nothing to resume.
    if ((await activeRecordings(svc, recording.roomId)).length) return;
    let people;
    try {
      people = await svc.livekit.listParticipants(livekitRoomName);
    } catch {
      continue; // LiveKit is restarting: try again
    }
    if (people.length === 0) return; // the meeting ended meanwhile
    try {
      await svc.recordingStorage.check(recording.roomId);
    } catch {
      why = "Parlor could not write to its recordings storage to resume recording.";
      break;
    }
    const id = crypto.randomUUID();
    if (!svc.recorder.reserve(id)) {
      why = "This server is recording as many meetings as it is set up for.";
      break;
    }
    try {
      await svc.db.insert(schema.recordings).values({
        id,
        roomId: recording.roomId,
        startedBy: recording.startedBy,
        storageKey: `${recording.roomId}/${id}.mp4`,
        part: recording.part + 1,
      });
    } catch (error) {
      svc.recorder.release(id);
      if (isUniqueViolation(error)) return; // someone started it again meanwhile
      throw error;
    }
    svc.recorder.start(recorderDeps(svc), {
      id,
      roomName: livekitRoomName,
      storageKey: `${recording.roomId}/${id}.mp4`,
    });
    svc.logger.info({ event: "recording.resume", recordingId: id, after: recording.id }, "recording resumed");
    return;
  }
  await svc.db
    .update(schema.recordings)
    .set({
      error: `${recording.error ?? "Recording stopped unexpectedly."} ${why} ${RESUME_GAVE_UP}`,
    })
    .where(eq(schema.recordings.id, recording.id));
  svc.logger.warn({ recordingId: recording.id, why }, "could not resume an interrupted recording");
}

/** Stops the room's running recording; resolves once its file is finished (when it runs here). */
export async function stopRecording(svc: Services, actor: Actor, ref: RoomRef) {
  const { team, room } = await teamRoom(svc, actor, ref);
  if (!mayRecord(team, room.membersRecord)) throw forbidden(NOT_ALLOWED);
  await requireInRoom(svc, actor, room);
  const [active] = await activeRecordings(svc, room.id);
  if (!active) throw conflict("Nothing is being recorded in this room.");
  await stopById(svc, active.id);
  return getRecording(svc, team, room.id, active.id);
}

export async function listRecordings(svc: Services, actor: Actor, ref: RoomRef) {
  const { team, room } = await teamRoom(svc, actor, ref);
  const rows = await svc.db
    .select({ recording: schema.recordings, startedByName: schema.users.name })
    .from(schema.recordings)
    .leftJoin(schema.users, eq(schema.users.id, schema.recordings.startedBy))
    .where(eq(schema.recordings.roomId, room.id))
    .orderBy(desc(schema.recordings.createdAt))
    .limit(200);
  const recordings = rows.map((r) => toRecording(r.recording, r.startedByName, team));
  const active = recordings.find((r) => isActive(r.state)) ?? null;
  const latest = recordings[0];
  return {
    recordings,
    active,
    /**
     * Why recording stopped by itself a short while ago (a fault, full storage), so the
     * moderators are told and offered to start again; null when it runs or ended normally.
     */
    interruption:
      !active &&
      latest?.error &&
      latest.endedAt &&
      // A part cut short is resumed by itself; only a failure, or a resume given up, is news.
      (latest.state === "failed" || latest.error.endsWith(RESUME_GAVE_UP)) &&
      svc.clock().getTime() - latest.endedAt.getTime() < INTERRUPTION_SHOWN_MS
        ? { recordingId: latest.id, message: latest.error, at: latest.endedAt }
        : null,
    canRecord: mayRecord(team, room.membersRecord) && !room.e2ee && svc.recorder.capacity > 0,
    /** Why the control is disabled, when the caller could otherwise record. */
    cannotRecordReason: room.e2ee
      ? ENCRYPTED_ROOM_REASON
      : svc.recorder.capacity === 0
        ? "Recording is turned off on this Parlor server."
        : mayRecord(team, room.membersRecord)
          ? null
          : NOT_ALLOWED,
  };
}

/** How long the moderators' control keeps saying that a recording stopped by itself. */
const INTERRUPTION_SHOWN_MS = 15 * 60_000;

/** Whether the room's meeting is being recorded now: the pre-join and the lobby say so. */
export async function recordingStatus(svc: Services, actor: Actor, ref: RoomRef) {
  const { room } = await teamRoom(svc, actor, ref);
  return statusOfRoom(svc, room.id);
}

export async function statusOfRoom(svc: Services, roomId: string) {
  const [active] = await activeRecordings(svc, roomId);
  return { recording: !!active, since: active?.startedAt ?? active?.createdAt ?? null };
}

/**
 * For a guest link's page: whether the room it opens is being recorded, so the guest is told
 * before entering. Says nothing for a link that is unknown, revoked or expired.
 */
export async function recordingStatusForGuestLink(svc: Services, token: string) {
  const [link] = await svc.db
    .select({ roomId: schema.guestLinks.roomId })
    .from(schema.guestLinks)
    .where(
      and(
        eq(schema.guestLinks.tokenHash, sha256Hex(token)),
        isNull(schema.guestLinks.revokedAt),
        gt(schema.guestLinks.expiresAt, svc.clock()),
      ),
    );
  if (!link) throw notFound("This guest link does not work any more. Ask whoever sent it for a new one.");
  return statusOfRoom(svc, link.roomId);
}

/** Deletes a finished recording and its file (owners and admins). */
export async function deleteRecording(svc: Services, actor: Actor, ref: RoomRef & { recordingId: string }) {
  const { team, room } = await teamRoom(svc, actor, ref);
  if (!canManage(team.role)) throw forbidden("Only the team's owners and admins can delete recordings.");
  const [row] = await svc.db
    .select()
    .from(schema.recordings)
    .where(and(eq(schema.recordings.id, ref.recordingId), eq(schema.recordings.roomId, room.id)));
  if (!row) throw notFound("We could not find that recording. It may have been deleted already.");
  if (isActive(row.state)) throw conflict("This recording is still running. Stop it first, then delete it.");
  try {
    await svc.recordingStorage.remove(row.storageKey);
  } catch (error) {
    svc.logger.warn({ err: error, recordingId: row.id }, "could not delete a recording's file");
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "The recording's file could not be deleted right now, so the recording is kept. Please try again in a moment.",
      { dependency: "storage" },
    );
  }
  await svc.db.delete(schema.recordings).where(eq(schema.recordings.id, row.id));
  svc.logger.info({ event: "recording.delete", recordingId: row.id, by: actor.id }, "recording deleted");
  return { ok: true as const };
}

/** The team's recording settings: whether members may record, and how long recordings are kept. */
export async function recordingPolicy(svc: Services, actor: Actor, teamSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug);
  return policyOf(svc, team);
}

/** Owners and admins change the team's recording settings. */
export async function setRecordingPolicy(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  change: { membersMay?: boolean; retentionDays?: number | null },
) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  const set: Partial<typeof schema.teams.$inferInsert> = {};
  if (change.membersMay !== undefined) set.membersRecord = change.membersMay;
  if (change.retentionDays !== undefined) set.recordingRetentionDays = change.retentionDays;
  if (Object.keys(set).length) await svc.db.update(schema.teams).set(set).where(eq(schema.teams.id, team.id));
  return policyOf(svc, team);
}

async function policyOf(svc: Services, team: TeamSummary) {
  const [row] = await svc.db
    .select({ membersRecord: schema.teams.membersRecord, days: schema.teams.recordingRetentionDays })
    .from(schema.teams)
    .where(eq(schema.teams.id, team.id));
  return {
    membersMay: !!row?.membersRecord,
    retentionDays: row?.days ?? null,
    canChange: canManage(team.role),
  };
}

/**
 * The background job: deletes the recordings older than their team keeps them (teams that set a
 * number of days; none by default), the file first. A file that cannot be deleted now keeps its
 * recording, and the next run tries again.
 */
export async function pruneRecordings(svc: Services): Promise<number> {
  const expired = await svc.db
    .select({ id: schema.recordings.id, storageKey: schema.recordings.storageKey })
    .from(schema.recordings)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.recordings.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(
      and(
        isNotNull(schema.teams.recordingRetentionDays),
        inArray(schema.recordings.state, ["complete", "failed"]),
        sql`${schema.recordings.createdAt} < ${svc.clock().toISOString()}::timestamptz - make_interval(days => ${schema.teams.recordingRetentionDays})`,
      ),
    )
    .limit(500);
  let deleted = 0;
  for (const row of expired) {
    try {
      await svc.recordingStorage.remove(row.storageKey);
    } catch (error) {
      svc.logger.warn({ err: error, recordingId: row.id }, "could not delete an expired recording's file");
      continue;
    }
    await svc.db.delete(schema.recordings).where(eq(schema.recordings.id, row.id));
    deleted++;
  }
  if (deleted) svc.logger.info({ event: "recordings.pruned", deleted }, "expired recordings deleted");
  return deleted;
}

/**
 * Ends the recordings whose recorder is gone (its process died or was killed): what it wrote stays
 * playable and is listed as complete, with a note; a recording that wrote nothing failed.
 */
export async function sweepOrphanedRecordings(svc: Services, now = new Date()) {
  const rows = await orphaned(svc.db, new Date(now.getTime() - ORPHANED_AFTER_MS));
  for (const row of rows) {
    if (svc.recorder.owns(row.id)) continue;
    // What the recorder wrote is in its local file (a working copy when a bucket is used).
    const path = svc.recordingStorage.localPathFor(row.storageKey);
    const written = row.startedAt
      ? await stat(path).then(
          (file) => file.size,
          () => 0,
        )
      : 0;
    const finalized = written ? await finalizeFile(svc.config.recording.ffmpegPath, path, svc.logger) : null;
    const sizeBytes = finalized ? await svc.recordingStorage.commit(row.storageKey).catch(() => null) : null;
    const wrote = !!finalized && !!sizeBytes;
    if (!wrote) await svc.recordingStorage.remove(row.storageKey).catch(() => undefined);
    await markEnded(svc.db, row.id, {
      state: wrote ? "complete" : "failed",
      endedAt: now,
      durationMs: finalized?.durationMs ?? null,
      sizeBytes: wrote ? sizeBytes : null,
      error: wrote
        ? "The recorder stopped unexpectedly; what it recorded until then is kept."
        : "The recorder stopped before it could record anything. Please start recording again.",
    });
  }
  return rows.length;
}

async function requireWritableStorage(svc: Services, roomId: string) {
  try {
    await svc.recordingStorage.check(roomId);
  } catch (error) {
    svc.logger.warn({ err: error, roomId }, "the recordings storage cannot be written to");
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "Parlor cannot write to its recordings storage right now (it is full or unreachable), so recording did not start. The call is not affected. Ask your administrator to check the storage, then try again.",
      { dependency: "storage" },
    );
  }
}

async function requireEncoder(svc: Services) {
  try {
    await access(svc.config.recording.ffmpegPath, constants.X_OK);
  } catch {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      `Recording needs ffmpeg, which this server does not have at ${svc.config.recording.ffmpegPath}. Ask your administrator to install it or set FFMPEG_PATH.`,
      { dependency: "recorder" },
    );
  }
}

const activeRecordings = (svc: Services, roomId: string) =>
  svc.db
    .select()
    .from(schema.recordings)
    .where(and(eq(schema.recordings.roomId, roomId), inArray(schema.recordings.state, ACTIVE_STATES)))
    .limit(1);

const isActive = (state: string) => (ACTIVE_STATES as readonly string[]).includes(state);

async function getRecording(svc: Services, team: TeamSummary, roomId: string, id: string) {
  const [row] = await svc.db
    .select({ recording: schema.recordings, startedByName: schema.users.name })
    .from(schema.recordings)
    .leftJoin(schema.users, eq(schema.users.id, schema.recordings.startedBy))
    .where(and(eq(schema.recordings.id, id), eq(schema.recordings.roomId, roomId)));
  if (!row) throw notFound("We could not find that recording. It may have been deleted already.");
  return toRecording(row.recording, row.startedByName, team);
}

function toRecording(
  row: typeof schema.recordings.$inferSelect,
  startedByName: string | null,
  team: TeamSummary,
) {
  const playable = row.state === "complete" && !!row.sizeBytes;
  return {
    id: row.id,
    roomSessionId: row.roomSessionId,
    state: row.state,
    part: row.part,
    startedByName,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    durationMs: row.durationMs,
    sizeBytes: row.sizeBytes,
    error: row.error,
    /** Served only to the team's members, through Parlor (never a public link). */
    url: playable ? `/api/recordings/${row.id}` : null,
    canDelete: canManage(team.role) && !isActive(row.state),
  };
}

export type Recording = ReturnType<typeof toRecording>;
