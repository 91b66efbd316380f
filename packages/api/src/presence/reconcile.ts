/**
 * Reconciliation: every 30 s (admin/jobs.ts) the recorded presence is made equal to LiveKit's own
 * lists, so a lost webhook costs at most that long, and the access rule is applied to everyone
 * LiveKit lists. Only one instance reconciles at a time (an advisory lock).
 */
import { schema, type Transaction } from "@parlor/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";

import { decideAndEvict, endLiveKitRoom, isParlorRoomName } from "../access/evict";
import type { LiveKitParticipant, LiveKitRoom } from "../livekit/service";
import type { Services } from "../lib/services";
import { announcePresenceChanged, isUuid, rows, unlockRoom } from "./records";

const RECONCILED_AT = "presence.reconciled_at";
const RECONCILE_LOCK = 0x7072657365;

/** The session row for one LiveKit room lifetime, created on first sight. */
async function roomSessionFor(tx: Transaction, roomId: string, sid: string, startedAt: Date) {
  await tx
    .insert(schema.roomSessions)
    .values({ roomId, livekitRoomSid: sid, startedAt })
    .onConflictDoNothing({ target: schema.roomSessions.livekitRoomSid });
  const [session] = await tx
    .select()
    .from(schema.roomSessions)
    .where(eq(schema.roomSessions.livekitRoomSid, sid));
  return session!;
}

/**
 * Ends a room lifetime for reconciliation. Webhooks do the same inside their one statement
 * (`roomFinishedChange` in webhook.ts, for speed): a change here belongs there too.
 */
async function endRoomSession(tx: Transaction, sessionId: string, at: Date) {
  const ended = await tx
    .update(schema.roomSessions)
    .set({ endedAt: at })
    .where(and(eq(schema.roomSessions.id, sessionId), isNull(schema.roomSessions.endedAt)))
    .returning({ roomId: schema.roomSessions.roomId });
  // A lock is for one meeting: it lifts when the meeting ends (webhook or reconciliation alike).
  if (ended[0]) await unlockRoom(tx, ended[0].roomId);
  await tx
    .update(schema.participantSessions)
    .set({ leftAt: at })
    .where(
      and(eq(schema.participantSessions.roomSessionId, sessionId), isNull(schema.participantSessions.leftAt)),
    );
}

/** Records a connection for reconciliation; webhooks do the same in `participantChange` (webhook.ts). */
async function recordJoin(
  tx: Transaction,
  room: { id: string },
  roomSessionId: string,
  participant: { sid: string; identity: string; name: string; joinedAt: Date },
  leftAt: Date | null,
) {
  await tx
    .insert(schema.participantSessions)
    .values({
      roomSessionId,
      roomId: room.id,
      userId: isUuid(participant.identity)
        ? sql`(select id from users where id = ${participant.identity}::uuid)`
        : null,
      identity: participant.identity,
      name: participant.name || participant.identity,
      participantSid: participant.sid,
      joinedAt: participant.joinedAt,
      leftAt,
    })
    .onConflictDoUpdate({
      target: schema.participantSessions.participantSid,
      // A join never reopens a connection already seen leaving; a leave closes it once.
      set: {
        name: sql`excluded.name`,
        leftAt: sql`coalesce(${schema.participantSessions.leftAt}, excluded.left_at)`,
      },
    });
}

/** A Parlor room as reconciliation needs it, found by its LiveKit room name. */
type ParlorRoom = { id: string; teamId: string; livekitRoomName: string };
/** The people LiveKit lists, by LiveKit room name. */
type Listed = Map<string, LiveKitParticipant[]>;

/**
 * Makes the recorded presence equal LiveKit's truth: rooms LiveKit no longer has are ended,
 * people it no longer lists have left, and anyone it lists that we missed has joined. Only one
 * instance reconciles at a time.
 */
export async function reconcilePresence(
  svc: Services,
): Promise<{ rooms: number; participants: number } | null> {
  const liveRooms = await svc.livekit.listRooms();
  const byName = await parlorRoomsNamed(
    svc,
    liveRooms.map((r) => r.name),
  );
  const live = liveRooms.filter((r) => byName.has(r.name));
  const listed = await listParticipantsOf(svc, live);
  const touchedTeams = await recordLiveKitTruth(svc, live, byName, listed);
  if (!touchedTeams) return null;
  for (const teamId of touchedTeams) announcePresenceChanged(svc, teamId);
  await evictWhomTheRuleRefuses(svc, live, byName, listed);
  await endOrphanRooms(
    svc,
    liveRooms.filter((r) => !byName.has(r.name)),
  );
  svc.logger.debug({ rooms: live.length, changedTeams: touchedTeams.size }, "presence reconciled");
  return { rooms: live.length, participants: [...listed.values()].reduce((n, p) => n + p.length, 0) };
}

/** The Parlor rooms among LiveKit's, by LiveKit room name. */
async function parlorRoomsNamed(svc: Services, names: string[]): Promise<Map<string, ParlorRoom>> {
  const found = names.length
    ? await svc.db
        .select({
          id: schema.rooms.id,
          teamId: schema.rooms.teamId,
          livekitRoomName: schema.rooms.livekitRoomName,
        })
        .from(schema.rooms)
        .where(inArray(schema.rooms.livekitRoomName, names))
    : [];
  return new Map(found.map((r) => [r.livekitRoomName, r]));
}

/**
 * Asks LiveKit for the people in each live room, a few rooms at a time. Every room, not only those
 * whose numParticipants is above 0: LiveKit refreshes that count every few seconds, so a room
 * someone just joined still reads 0, and skipping it would mark them as gone for good.
 */
async function listParticipantsOf(svc: Services, live: LiveKitRoom[]): Promise<Listed> {
  const listed: Listed = new Map();
  const queue = [...live];
  await Promise.all(
    Array.from({ length: Math.min(16, queue.length) }, async () => {
      for (let room = queue.pop(); room; room = queue.pop()) {
        listed.set(room.name, await svc.livekit.listParticipants(room.name));
      }
    }),
  );
  return listed;
}

/**
 * Records what LiveKit lists, in one transaction under the reconciliation lock: ends the room
 * lifetimes LiveKit no longer has, records who left and who joined unseen in the live ones, closes
 * whatever presence is left in lifetimes that are over, and notes the time. Returns the teams whose
 * presence changed, or null when another instance holds the lock.
 */
async function recordLiveKitTruth(
  svc: Services,
  live: LiveKitRoom[],
  byName: Map<string, ParlorRoom>,
  listed: Listed,
): Promise<Set<string> | null> {
  const now = svc.clock();
  const touchedTeams = new Set<string>();
  const locked = await svc.db.transaction(async (tx) => {
    const [{ locked } = { locked: false }] = await rows<{ locked: boolean }>(
      tx.execute(sql`select pg_try_advisory_xact_lock(${RECONCILE_LOCK}) as locked`),
    );
    if (!locked) return false;
    const open = await endLifetimesLiveKitLacks(tx, live, now, touchedTeams);
    const sessionIds = await sessionsOfLiveRooms(tx, live, byName, open);
    await recordWhoLeftAndJoined(tx, live, byName, listed, sessionIds, now, touchedTeams);
    await closeLeftoverPresence(tx, [...sessionIds.values()], now, touchedTeams);
    await tx
      .insert(schema.appState)
      .values({ key: RECONCILED_AT, value: now.toISOString(), updatedAt: now })
      .onConflictDoUpdate({ target: schema.appState.key, set: { value: now.toISOString(), updatedAt: now } });
    return true;
  });
  return locked ? touchedTeams : null;
}

/** Ends the open room lifetimes LiveKit no longer has; returns every lifetime that was open. */
async function endLifetimesLiveKitLacks(
  tx: Transaction,
  live: LiveKitRoom[],
  now: Date,
  touchedTeams: Set<string>,
) {
  const liveSids = new Set(live.map((r) => r.sid));
  const open = await tx
    .select({
      id: schema.roomSessions.id,
      sid: schema.roomSessions.livekitRoomSid,
      roomId: schema.roomSessions.roomId,
      teamId: schema.rooms.teamId,
    })
    .from(schema.roomSessions)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.roomSessions.roomId))
    .where(isNull(schema.roomSessions.endedAt));
  for (const session of open) {
    if (!liveSids.has(session.sid)) {
      await endRoomSession(tx, session.id, now);
      touchedTeams.add(session.teamId);
    }
  }
  return open;
}

/** The session of each live room, by LiveKit room name: the open one we know, else made (or found) now. */
async function sessionsOfLiveRooms(
  tx: Transaction,
  live: LiveKitRoom[],
  byName: Map<string, ParlorRoom>,
  open: { id: string; sid: string }[],
): Promise<Map<string, string>> {
  const openBySid = new Map(open.map((session) => [session.sid, session.id]));
  const sessionIds = new Map<string, string>();
  for (const liveRoom of live) {
    const known = openBySid.get(liveRoom.sid);
    const id =
      known ?? (await roomSessionFor(tx, byName.get(liveRoom.name)!.id, liveRoom.sid, liveRoom.createdAt)).id;
    sessionIds.set(liveRoom.name, id);
  }
  return sessionIds;
}

/** Everyone recorded as present in these sessions (one query): their connection sids, by session. */
async function recordedAsPresent(tx: Transaction, sessionIds: string[]): Promise<Map<string, string[]>> {
  const recorded = sessionIds.length
    ? await tx
        .select({
          sessionId: schema.participantSessions.roomSessionId,
          sid: schema.participantSessions.participantSid,
        })
        .from(schema.participantSessions)
        .where(
          and(
            inArray(schema.participantSessions.roomSessionId, sessionIds),
            isNull(schema.participantSessions.leftAt),
          ),
        )
    : [];
  const bySession = new Map<string, string[]>();
  for (const r of recorded) bySession.set(r.sessionId, [...(bySession.get(r.sessionId) ?? []), r.sid]);
  return bySession;
}

/** In each live room: those recorded but no longer listed have left; those listed but not recorded join. */
async function recordWhoLeftAndJoined(
  tx: Transaction,
  live: LiveKitRoom[],
  byName: Map<string, ParlorRoom>,
  listed: Listed,
  sessionIds: Map<string, string>,
  now: Date,
  touchedTeams: Set<string>,
) {
  const recordedBySession = await recordedAsPresent(tx, [...sessionIds.values()]);
  const gone: string[] = [];
  for (const liveRoom of live) {
    const room = byName.get(liveRoom.name)!;
    const sessionId = sessionIds.get(liveRoom.name)!;
    const people = listed.get(liveRoom.name) ?? [];
    const present = new Set(people.map((p) => p.sid));
    const known = new Set(recordedBySession.get(sessionId) ?? []);
    for (const sid of known) {
      if (present.has(sid)) continue;
      gone.push(sid);
      touchedTeams.add(room.teamId);
    }
    for (const person of people) {
      if (known.has(person.sid)) continue;
      // To the millisecond where LiveKit says, as the webhook records it.
      const joinedAt = person.joinedAtMs === null ? person.joinedAt : new Date(person.joinedAtMs);
      await recordJoin(tx, room, sessionId, { ...person, joinedAt }, null);
      touchedTeams.add(room.teamId);
    }
  }
  if (gone.length) {
    await tx
      .update(schema.participantSessions)
      .set({ leftAt: now })
      .where(inArray(schema.participantSessions.participantSid, gone));
  }
}

/**
 * Whatever is stored, nobody stays present in a room lifetime that is over or that LiveKit does not
 * have (the live ones are `liveSessionIds`): this also closes joins recorded into a session after it ended.
 */
async function closeLeftoverPresence(
  tx: Transaction,
  liveSessionIds: string[],
  now: Date,
  touchedTeams: Set<string>,
) {
  const ghosts = await rows<{ team_id: string }>(
    tx.execute(sql`
      update ${schema.participantSessions} p
      set left_at = greatest(p.joined_at, coalesce(s.ended_at, ${now.toISOString()}::timestamptz))
      from ${schema.roomSessions} s, ${schema.rooms} r
      where s.id = p.room_session_id and r.id = s.room_id and p.left_at is null
        and (s.ended_at is not null ${
          liveSessionIds.length
            ? sql`or s.id not in (${sql.join(
                liveSessionIds.map((id) => sql`${id}::uuid`),
                sql`, `,
              )})`
            : sql`or true`
        })
      returning r.team_id`),
  );
  for (const ghost of ghosts) touchedTeams.add(ghost.team_id);
}

/**
 * The access rule for everyone LiveKit lists, guests included (identities that are not Parlor's
 * are left alone): whoever it refuses now is disconnected, whatever token they joined with.
 */
async function evictWhomTheRuleRefuses(
  svc: Services,
  live: LiveKitRoom[],
  byName: Map<string, ParlorRoom>,
  listed: Listed,
) {
  await decideAndEvict(
    svc,
    live.flatMap((r) => {
      const room = byName.get(r.name)!;
      return (listed.get(r.name) ?? []).map((p) => ({
        roomName: r.name,
        roomId: room.id,
        teamId: room.teamId,
        identity: p.identity,
        joinedAt: p.joinedAtMs === null ? p.joinedAt : new Date(p.joinedAtMs),
        attributes: p.attributes,
      }));
    }),
  );
}

/** An unknown room younger than this may be one being created right now (its record not yet committed). */
const ORPHAN_ROOM_MIN_AGE_MS = 60_000;

/**
 * Ends the LiveKit rooms named like Parlor's that Parlor does not have: a deleted room that LiveKit
 * re-created from a join token's room options. One with someone in it is ended at once (a join
 * token is only minted for a room Parlor has); an empty one once it is older than a room being
 * created this moment could be.
 */
async function endOrphanRooms(svc: Services, unknown: { name: string; createdAt: Date }[]) {
  for (const room of unknown) {
    if (!isParlorRoomName(room.name)) continue;
    const old = svc.clock().getTime() - room.createdAt.getTime() > ORPHAN_ROOM_MIN_AGE_MS;
    if (old || (await svc.livekit.listParticipants(room.name)).length > 0)
      await endLiveKitRoom(svc, room.name);
  }
}

/** When presence was last reconciled, by any instance; null if never. */
export async function lastReconciledAt(svc: Services): Promise<Date | null> {
  const [row] = await svc.db
    .select({ value: schema.appState.value })
    .from(schema.appState)
    .where(eq(schema.appState.key, RECONCILED_AT));
  return row ? new Date(row.value) : null;
}

const backgroundReconciliations = new WeakMap<Services, Promise<void>>();

/**
 * Starts a reconciliation when the last one (by any instance) is older than `maxAgeMs`, without
 * waiting for it: asking LiveKit for every live room's participants takes seconds at a thousand
 * rooms, too long for a view to wait. The view answers from the records (which webhooks keep
 * live); what the reconciliation then changes is announced like any presence change, so a live
 * view refetches. At most one runs per process; the returned promise settles when it is done.
 */
export async function reconcileInBackgroundIfStale(svc: Services, maxAgeMs: number): Promise<void> {
  const running = backgroundReconciliations.get(svc);
  if (running) return;
  const last = await lastReconciledAt(svc);
  if (last && svc.clock().getTime() - last.getTime() <= maxAgeMs) return;
  if (backgroundReconciliations.has(svc)) return;
  const run = reconcilePresence(svc).then(
    () => undefined,
    (error: unknown) => {
      // LiveKit unreachable: the records stay the best answer; the health panel shows the age.
      svc.logger.warn({ err: error }, "background reconciliation failed");
    },
  );
  backgroundReconciliations.set(svc, run);
  void run.finally(() => backgroundReconciliations.delete(svc));
}

/** The reconciliation `reconcileInBackgroundIfStale` started and is still running, if any. */
export const backgroundReconciliation = (svc: Services): Promise<void> | undefined =>
  backgroundReconciliations.get(svc);
