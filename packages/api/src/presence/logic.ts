/**
 * Who is in which room. LiveKit's webhooks say who joined and left; because LiveKit promises no
 * delivery (events repeat, arrive out of order or get dropped), each event is applied once, every
 * state is terminal per LiveKit sid (a left connection or finished room never reopens: a rejoin
 * gets a new sid), and the whole picture is reconciled against LiveKit's own lists.
 */
import { createHash } from "node:crypto";

import { schema, type Transaction } from "@parlor/db";
import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { jwtVerify } from "jose";
import { WebhookEvent } from "livekit-server-sdk";

import { decideAndEvict, endLiveKitRoom, isParlorRoomName, type Eviction } from "../access/evict";
import { accessFacts, factsFromRow, factsSelectList, isParlorIdentity, judge } from "../access/rule";
import { notifyPresenceChanged, PRESENCE_CHANNEL } from "../lib/announce";
import type { LiveKitParticipant, LiveKitRoom } from "../livekit/service";
import { isRecorderIdentity } from "../recordings/identity";
import { isGuestIdentity } from "../lib/call";
import type { Services } from "../lib/services";

export { notifyPresenceChanged, PRESENCE_CHANNEL };
const RECONCILED_AT = "presence.reconciled_at";
const RECONCILE_LOCK = 0x7072657365; // "prese"

export interface Present {
  identity: string;
  userId: string | null;
  /** The name chosen for the call. */
  name: string;
  /** The account's own name, for a Parlor user; shown beside a chosen name that differs. */
  accountName: string | null;
  joinedAt: Date;
  /** Joined through a guest link (see guests/logic.ts), without an account. */
  isGuest: boolean;
}

export class WebhookRejected extends Error {
  override name = "WebhookRejected";
}

/**
 * The HMAC key of a LiveKit configuration, imported once. The SDK's WebhookReceiver re-encodes the
 * secret and has jose import it on every delivery, and hashes the body through WebCrypto's async
 * digest: both a hop to the thread pool per webhook.
 */
const webhookKeys = new WeakMap<object, Promise<CryptoKey>>();
const webhookKey = (livekit: Services["config"]["livekit"]) => {
  let key = webhookKeys.get(livekit);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(livekit.apiSecret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    webhookKeys.set(livekit, key);
  }
  return key;
};

/**
 * Verifies a webhook as the SDK's WebhookReceiver does (an HS256 token from our API key, with an
 * expiry, 10 s of clock tolerance, whose `sha256` claim is the body's hash) and parses it into the
 * SDK's WebhookEvent; throws WebhookRejected otherwise.
 */
export async function verifyWebhook(
  svc: Services,
  body: string,
  authorization: string | null,
): Promise<WebhookEvent> {
  if (!authorization) throw new WebhookRejected("missing Authorization header");
  try {
    const { payload } = await jwtVerify(authorization, await webhookKey(svc.config.livekit), {
      issuer: svc.config.livekit.apiKey,
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
      clockTolerance: 10,
    });
    if (payload.sha256 !== createHash("sha256").update(body).digest("base64")) {
      throw new WebhookRejected("sha256 checksum of body does not match");
    }
    return WebhookEvent.fromJson(JSON.parse(body), { ignoreUnknownFields: true });
  } catch (error) {
    if (error instanceof WebhookRejected) throw error;
    throw new WebhookRejected(error instanceof Error ? error.message : "invalid webhook");
  }
}

/** A signed event that can never be applied (its values are out of range); not worth a retry. */
export class UnusableWebhookEvent extends Error {
  override name = "UnusableWebhookEvent";
}

/**
 * LiveKit's Unix seconds as a Date, or null when the field is absent (protobuf sends an unset
 * timestamp as 0, which must not become a meeting in 1970); refuses values outside what a
 * timestamp column holds.
 */
function seconds(value: bigint | number | undefined): Date | null {
  if (value === undefined || Number(value) === 0) return null;
  const date = new Date(Number(value) * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 2000) {
    throw new UnusableWebhookEvent(`timestamp out of range: ${String(value)}`);
  }
  return date;
}
const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

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
 * (`applyToRoomSession`'s room_finished part, for speed): a change here belongs there too.
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

/** Records a connection for reconciliation; webhooks do the same in `applyToRoomSession`'s statement. */
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

/** Lifts a room's lock (see guests/lobby.ts); the meeting it was set for has ended. */
export const unlockRoom = (tx: Pick<Transaction, "update">, roomId: string) =>
  tx.update(schema.rooms).set({ lockedAt: null }).where(eq(schema.rooms.id, roomId));

/** After announcing a team's change, further changes of that team within this time make one more announcement at its end. */
export const PRESENCE_ANNOUNCE_COOLDOWN_MS = 50;
const announcing = new WeakMap<Services, Map<string, { again: boolean }>>();

/**
 * Announces, after the change is committed, that a team's presence changed: at once, then at most
 * once per cooldown while changes keep coming (a burst of webhooks for one team makes a few
 * announcements, not one per event, and each subscriber refetches a few times, not thousands).
 * Outside the change's transaction on purpose: Postgres serialises the commits of all transactions
 * that NOTIFY behind one lock held across the commit's WAL flush (~12 ms a commit on the bench
 * machine's disk), so concurrent webhooks could not share a flush. The announcement's own commit need not reach the disk (synchronous_commit off):
 * a notification is never replayed after a crash anyway.
 */
export function announcePresenceChanged(svc: Services, teamId: string): void {
  let teams = announcing.get(svc);
  if (!teams) announcing.set(svc, (teams = new Map()));
  const pending = teams.get(teamId);
  if (pending) {
    pending.again = true;
    return;
  }
  const entry = { again: false };
  teams.set(teamId, entry);
  const send = async () => {
    try {
      await svc.db.execute(
        sql`select set_config('synchronous_commit', 'off', true), pg_notify(${PRESENCE_CHANNEL}, ${teamId})`,
      );
    } catch (error) {
      svc.logger.warn({ err: error, teamId }, "could not announce a presence change");
    }
    const timer = setTimeout(() => {
      if (!entry.again) {
        teams.delete(teamId);
        return;
      }
      entry.again = false;
      void send();
    }, PRESENCE_ANNOUNCE_COOLDOWN_MS);
    timer.unref?.();
  };
  void send();
}

const PARTICIPANT_EVENTS = new Set([
  "participant_joined",
  "participant_left",
  "participant_connection_aborted",
]);

/** What applying a webhook asks of the caller, beyond the records it changed. */
export interface WebhookOutcome {
  /** False for a redelivery (nothing changed). */
  applied: boolean;
  /** The team of the Parlor room it concerns (null when none, or not applied). */
  teamId: string | null;
  /** A Parlor identity that joined although the access rule refuses it: to be evicted at once. */
  refusedJoiner: Eviction | null;
  /**
   * Someone joined a LiveKit room named like Parlor's that Parlor does not have (deleted: LiveKit
   * re-created it from a join token's room options): the room is to be ended.
   */
  orphanRoom: string | null;
}

/**
 * Applies one verified webhook event, once, in one statement: the event id is recorded by the
 * statement that applies it, so a redelivery finds it and changes nothing. A Parlor identity's
 * join is judged by the access rule (access/rule.ts) in that same statement, so a join the rule
 * allows costs no further query; the caller evicts a refused one (`refusedJoiner`).
 */
export async function applyWebhookEvent(svc: Services, event: WebhookEvent): Promise<WebhookOutcome> {
  const at = seconds(event.createdAt) ?? svc.clock();
  const room = event.room;
  if (!room?.name || !room.sid) return recordRoomlessEvent(svc, event, at);
  let outcome = await applyToRoomSession(svc, event, room, at);
  // A session another event recorded at the same moment is visible only to a new statement.
  if (outcome.sessionUnseen) outcome = await applyToRoomSession(svc, event, room, at);
  if (outcome.sessionUnseen) throw new UnusableWebhookEvent(`room sid ${room.sid} is another room's`);
  const teamId = outcome.applied ? outcome.teamId : null;
  if (teamId) announcePresenceChanged(svc, teamId);
  const p = event.participant;
  const joined = event.event === "participant_joined" && p && isParlorIdentity(p.identity);
  // Only a join says the room is in use: a room_started may come from a room being created this moment.
  const orphanRoom = joined && !outcome.roomId && isParlorRoomName(room.name) ? room.name : null;
  const refusedJoiner = joined ? refusedJoinerOf(svc, p, room.name, outcome) : null;
  return { applied: outcome.applied, teamId, refusedJoiner, orphanRoom };
}

/** An event of no LiveKit room (none named): only its id is recorded, once. */
async function recordRoomlessEvent(svc: Services, event: WebhookEvent, at: Date): Promise<WebhookOutcome> {
  const [fresh] = await svc.db
    .insert(schema.webhookEvents)
    .values({ id: event.id, event: event.event, createdAt: at })
    .onConflictDoNothing()
    .returning({ id: schema.webhookEvents.id });
  return { applied: !!fresh, teamId: null, refusedJoiner: null, orphanRoom: null };
}

/** The Parlor identity that just joined, when the access rule refuses it (by the facts the statement read). */
function refusedJoinerOf(
  svc: Services,
  p: NonNullable<WebhookEvent["participant"]>,
  roomName: string,
  outcome: RoomSessionOutcome,
): Eviction | null {
  if (!outcome.facts || !outcome.roomId) return null;
  const decision = judge(p.identity, outcome.facts, "connection", svc.clock(), {
    joinedAt: p.joinedAtMs ? new Date(Number(p.joinedAtMs)) : seconds(p.joinedAt),
    attributes: { ...p.attributes },
  });
  if (decision.allowed) return null;
  return {
    roomName,
    roomId: outcome.roomId,
    teamId: outcome.teamId,
    identity: p.identity,
    reason: decision.reason,
  };
}

type WebhookRoom = { name: string; sid: string; creationTime?: bigint };

/** What the webhook statement read: whether it applied, the room and session, and a joiner's facts. */
type RoomSessionRow = {
  applied: boolean;
  room_id: string | null;
  team_id: string | null;
  session_id: string | null;
  locked_at?: Date | string | null;
  e2ee?: boolean;
  max_participants?: number;
} & Parameters<typeof factsFromRow>[1];

type RoomSessionOutcome = Awaited<ReturnType<typeof applyToRoomSession>>;

/**
 * The statement behind `applyWebhookEvent` for an event in a LiveKit room: finds the Parlor room
 * and its session of this LiveKit lifetime (recording the session on a lifetime's first event),
 * records the event id and applies the change. When a concurrent event recorded the session at
 * the same moment this statement cannot see it: it then changes nothing and says so
 * (`sessionUnseen`), and is run again. For a Parlor identity's join it also reads the access
 * rule's facts, so that a join the rule allows costs no further query.
 */
async function applyToRoomSession(svc: Services, event: WebhookEvent, room: WebhookRoom, at: Date) {
  const p = event.participant;
  const atTime = sql`${at.toISOString()}::timestamptz`;
  const startedAt = sql`${(seconds(room.creationTime) ?? at).toISOString()}::timestamptz`;
  // A session first heard of in its room_finished is recorded as ended (an update in this
  // statement could not see the row it inserts).
  const finished = event.event === "room_finished";
  // A Parlor identity's join: the access rule's facts, read in this statement (access/rule.ts).
  const joiner =
    event.event === "participant_joined" && p && isParlorIdentity(p.identity) ? p.identity : null;
  const [row] = await rows<RoomSessionRow>(
    svc.db.execute(sql`
      with room as (
        select id, team_id, locked_at, e2ee, max_participants from ${schema.rooms}
        where livekit_room_name = ${room.name}),
      recorded as (
        select s.id, s.ended_at from ${schema.roomSessions} s, room r
        where s.room_id = r.id and s.livekit_room_sid = ${room.sid}),
      created as (
        insert into ${schema.roomSessions} (room_id, livekit_room_sid, started_at, ended_at)
        select r.id, ${room.sid}, ${startedAt}, ${finished ? atTime : null}::timestamptz from room r
        where not exists (select from recorded)
        on conflict (livekit_room_sid) do nothing
        returning id, ended_at, room_id),
      target as (
        select r.id as room_id, r.team_id, r.locked_at, r.e2ee, r.max_participants,
          s.id as session_id, s.ended_at
        from room r
        left join (select * from recorded union all select id, ended_at from created) s on true),
      fresh as (
        insert into ${schema.webhookEvents} (id, event, created_at)
        select ${event.id}, ${event.event}, ${atTime}
        where not exists (select from target where session_id is null)
        on conflict do nothing
        returning id)${eventChange(svc, event, at)}
      select exists (select from fresh) as applied, t.room_id, t.team_id, t.session_id${joinerFacts(svc, joiner)}
      from (select) one left join target t on true`),
  );
  return {
    applied: !!row?.applied,
    teamId: row?.team_id ?? null,
    sessionUnseen: !!row?.room_id && !row.session_id,
    roomId: row?.room_id ?? null,
    facts: joiner && row ? joinerFactsFromRow(row, room.name) : null,
  };
}

/**
 * The webhook statement's change for this event (its further common table expressions, each
 * acting only when the event is fresh): a room_finished ends the lifetime, a participant event
 * records the connection; other events change nothing.
 */
function eventChange(svc: Services, event: WebhookEvent, at: Date): SQL {
  const p = event.participant;
  if (event.event === "room_finished") return roomFinishedChange(svc, at);
  // (Parlor's recorder is left out: it is nobody in the call, see recordings/schemas.ts.)
  if (PARTICIPANT_EVENTS.has(event.event) && p?.sid && !isRecorderIdentity(p.identity)) {
    return participantChange(event.event, p as ParticipantWithSid, at);
  }
  return sql``;
}

/**
 * A room_finished: the lifetime ends, everyone in it has left, and the room's lock lifts. As
 * `endRoomSession` (reconciliation's way): a change to one belongs in the other. A lock is for one
 * meeting: it lifts when the meeting ends (webhook or reconciliation alike).
 */
function roomFinishedChange(svc: Services, at: Date): SQL {
  const atTime = sql`${at.toISOString()}::timestamptz`;
  return sql`,
      ended as (
        update ${schema.roomSessions} s set ended_at = ${atTime}
        from target t
        where s.id = t.session_id and s.ended_at is null and exists (select from fresh)
        returning s.room_id),
      unlocked as (
        update ${schema.rooms} set locked_at = null, updated_at = ${svc.clock().toISOString()}::timestamptz
        where id in (select room_id from ended union all select room_id from created)
          and exists (select from fresh)),
      closed as (
        update ${schema.participantSessions} ps set left_at = ${atTime}
        from target t
        where ps.room_session_id = t.session_id and ps.left_at is null and exists (select from fresh))`;
}

type ParticipantWithSid = NonNullable<WebhookEvent["participant"]> & { sid: string };

/**
 * A join, leave or aborted connection. Nobody is present in a room lifetime that has ended,
 * whatever order the events came in: a join that arrives after room_finished is recorded as over
 * when the room finished (least() ignores a null ended_at). A join never reopens a connection
 * already seen leaving; a leave closes it once.
 */
function participantChange(kind: string, p: ParticipantWithSid, at: Date): SQL {
  const atTime = sql`${at.toISOString()}::timestamptz`;
  const joinedAt = sql`least(${(seconds(p.joinedAt) ?? at).toISOString()}::timestamptz, t.ended_at)`;
  const leftAt = kind === "participant_joined" ? sql`t.ended_at` : sql`least(${atTime}, t.ended_at)`;
  return sql`,
      participant as (
        insert into ${schema.participantSessions}
          (room_session_id, room_id, user_id, identity, name, participant_sid, joined_at, left_at)
        select t.session_id, t.room_id,
          (select id from ${schema.users} where id = ${isUuid(p.identity) ? p.identity : null}::uuid),
          ${p.identity}, ${p.name || p.identity}, ${p.sid}, ${joinedAt}, ${leftAt}
        from target t
        where exists (select from fresh)
        on conflict (participant_sid) do update
          set name = excluded.name, left_at = coalesce(${schema.participantSessions}.left_at, excluded.left_at))`;
}

/** For a Parlor identity's join, the columns the access rule's facts need, read by the same statement. */
function joinerFacts(svc: Services, joiner: string | null): SQL {
  if (!joiner) return sql``;
  return sql`, t.locked_at, t.e2ee, t.max_participants, ${factsSelectList(
    accessFacts(
      {
        roomId: sql`t.room_id`,
        teamId: sql`t.team_id`,
        lockedAt: sql`t.locked_at`,
        identity: sql`${joiner}::text`,
        userId: sql`${isUuid(joiner) ? joiner : null}::uuid`,
        now: sql`${svc.clock().toISOString()}::timestamptz`,
      },
      { adminEmails: [...svc.config.adminEmails], capacity: false },
    ),
  )}`;
}

/** The access rule's facts about a joiner, from the row the webhook statement returned. */
function joinerFactsFromRow(row: RoomSessionRow, roomName: string) {
  return factsFromRow(
    row.room_id
      ? {
          id: row.room_id,
          teamId: row.team_id!,
          livekitRoomName: roomName,
          lockedAt: row.locked_at ? new Date(row.locked_at) : null,
          e2ee: !!row.e2ee,
          maxParticipants: Number(row.max_participants ?? 0),
        }
      : null,
    row,
  );
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
      await recordJoin(tx, room, sessionId, person, null);
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

/** One connection as `presenceByRoom` reads it: identity, user id, chosen name, account name, joinedAt. */
type PresentRow = [
  identity: string,
  userId: string | null,
  name: string,
  accountName: string | null,
  joinedAt: string,
];

/** A room's people by joinedAt, one entry per person (even when connected from two tabs): their first connection. */
function toPresent(rows: PresentRow[]): Present[] {
  const connections = rows.map(([identity, userId, name, accountName, joinedAt]) => ({
    identity,
    userId,
    name,
    accountName,
    // ISO 8601 with an offset, in microseconds; Date keeps the milliseconds, as the driver's own parsing does.
    joinedAt: new Date(joinedAt),
    isGuest: isGuestIdentity(identity),
  }));
  connections.sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
  const seen = new Set<string>();
  return connections.filter((c) => !seen.has(c.identity) && seen.add(c.identity));
}

/**
 * Who is in each of the given rooms now (every room with someone in it when `roomIds` is "all"),
 * per the records, with the account behind each Parlor user.
 *
 * The database answers one row per room holding its connections as one JSON array: at a thousand
 * rooms of ten, parsing a thousand JSON values costs the app a fraction of reading, mapping and
 * grouping ten thousand rows. Not ordered there (`json_agg(... order by)` sorts each room apart,
 * which doubled the statement's time at that scale): `toPresent` sorts.
 */
export async function presenceByRoom(
  svc: Services,
  roomIds: string[] | "all",
): Promise<Map<string, Present[]>> {
  if (roomIds !== "all" && roomIds.length === 0) return new Map();
  const p = schema.participantSessions;
  const rows = await svc.db
    .select({
      roomId: p.roomId,
      people: sql<
        PresentRow[]
      >`json_agg(json_build_array(${p.identity}, ${p.userId}, ${p.name}, ${schema.users.name}, ${p.joinedAt}))`,
    })
    .from(p)
    .leftJoin(schema.users, eq(schema.users.id, p.userId))
    .where(roomIds === "all" ? isNull(p.leftAt) : and(inArray(p.roomId, roomIds), isNull(p.leftAt)))
    .groupBy(p.roomId);
  return new Map(rows.map((row) => [row.roomId, toPresent(row.people)]));
}

/**
 * Every meeting happening now across teams, with who is in it (for site admins). A room LiveKit
 * merely has open (someone opened its pre-join, nobody joined) is not a meeting and is not listed;
 * `createdAt` is when the meeting started: when its first person joined.
 */
export async function activeRooms(svc: Services) {
  const s = schema.roomSessions;
  const p = schema.participantSessions;
  const meetingsQuery = svc.db
    .select({
      roomId: schema.rooms.id,
      roomName: schema.rooms.livekitRoomName,
      roomSlug: schema.rooms.slug,
      displayName: schema.rooms.name,
      teamSlug: schema.teams.slug,
      teamName: schema.teams.name,
      createdAt: sql<Date>`(select min(${p.joinedAt}) from ${p} where ${p.roomSessionId} = ${s.id})`.mapWith(
        s.startedAt,
      ),
    })
    .from(s)
    .innerJoin(schema.rooms, eq(schema.rooms.id, s.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(
      and(
        isNull(s.endedAt),
        sql`exists (select 1 from ${p} where ${p.roomSessionId} = ${s.id} and ${p.leftAt} is null)`,
      ),
    )
    .orderBy(desc(s.startedAt));
  // Everyone present anywhere, read alongside: the same rows as asking for the meetings' rooms,
  // without waiting for the meetings first and sending their 1,000 ids back as parameters.
  const [meetings, presence] = await Promise.all([meetingsQuery, presenceByRoom(svc, "all")]);
  const seen = new Set<string>();
  return meetings
    .filter((m) => !seen.has(m.roomId) && seen.add(m.roomId))
    .map((m) => {
      const participants = presence.get(m.roomId) ?? [];
      return { ...m, numParticipants: participants.length, participants };
    })
    .filter((m) => m.numParticipants > 0);
}

type Interval = [start: number, end: number];

/** The total length of a set of intervals, overlaps counted once. */
function coveredMs(intervals: Interval[]): number {
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

/**
 * Past and current meetings of one room, newest first, with who attended. A meeting starts when
 * the first person joins and ends when the last one leaves, so a room only opened (a pre-join,
 * nobody joined) is no meeting. Nobody is credited with more than the meeting lasted: each
 * person's connections are clipped to the meeting and overlapping ones (two tabs) count once.
 */
export async function roomHistory(svc: Services, roomId: string, limit: number) {
  const p = schema.participantSessions;
  const sessions = await svc.db
    .select()
    .from(schema.roomSessions)
    .where(
      and(
        eq(schema.roomSessions.roomId, roomId),
        sql`exists (select 1 from ${p} where ${p.roomSessionId} = ${schema.roomSessions.id})`,
      ),
    )
    .orderBy(desc(schema.roomSessions.startedAt))
    .limit(limit);
  if (sessions.length === 0) return [];
  const attendance = await svc.db
    .select({
      roomSessionId: p.roomSessionId,
      identity: p.identity,
      userId: p.userId,
      name: p.name,
      accountName: schema.users.name,
      joinedAt: p.joinedAt,
      leftAt: p.leftAt,
    })
    .from(p)
    .leftJoin(schema.users, eq(schema.users.id, p.userId))
    .where(
      inArray(
        p.roomSessionId,
        sessions.map((s) => s.id),
      ),
    )
    .orderBy(p.joinedAt);
  const now = svc.clock().getTime();
  const meetings = sessions.map((session) =>
    meetingOf(
      session,
      attendance.filter((a) => a.roomSessionId === session.id),
      now,
    ),
  );
  return meetings.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

/** One connection as the room's history reads it. */
interface Attendance {
  identity: string;
  userId: string | null;
  name: string;
  accountName: string | null;
  joinedAt: Date;
  leftAt: Date | null;
}

/**
 * One meeting (a room lifetime) with who came and for how long: an ongoing meeting lasts until
 * now, an ended one until the room ended or its last person left; each person's connections are
 * clipped to the meeting and their overlaps counted once.
 */
function meetingOf(session: typeof schema.roomSessions.$inferSelect, rows: Attendance[], now: number) {
  const roomEnd = session.endedAt?.getTime() ?? Infinity;
  const ongoing = !session.endedAt && rows.some((a) => a.leftAt === null);
  const end = ongoing ? now : Math.min(roomEnd, Math.max(...rows.map((a) => a.leftAt?.getTime() ?? roomEnd)));
  // A join recorded after the room finished (webhooks out of order) starts nothing after its end.
  const start = Math.min(end, ...rows.map((a) => a.joinedAt.getTime()));
  const clip = (from: number, to: number): Interval => [
    Math.min(Math.max(from, start), end),
    Math.max(Math.min(to, end), start),
  ];
  const byPerson = new Map<
    string,
    {
      identity: string;
      name: string;
      accountName: string | null;
      /** A Parlor user (the identity is a user id) whose account was deleted since. */
      formerMember: boolean;
      isGuest: boolean;
      firstJoinedAt: Date;
      spans: Interval[];
    }
  >();
  for (const a of rows) {
    const span = clip(a.joinedAt.getTime(), a.leftAt?.getTime() ?? end);
    const entry = byPerson.get(a.identity);
    if (entry) entry.spans.push(span);
    else
      byPerson.set(a.identity, {
        identity: a.identity,
        name: a.name,
        formerMember: a.userId === null && isUuid(a.identity),
        accountName: a.accountName,
        isGuest: isGuestIdentity(a.identity),
        firstJoinedAt: a.joinedAt,
        spans: [span],
      });
  }
  return {
    id: session.id,
    startedAt: new Date(start),
    endedAt: ongoing ? null : new Date(end),
    durationSeconds: Math.round(Math.max(0, end - start) / 1000),
    attendees: [...byPerson.values()].map(({ spans, ...person }) => ({
      ...person,
      secondsPresent: Math.round(coveredMs(spans) / 1000),
    })),
  };
}

async function rows<T>(result: Promise<unknown>): Promise<T[]> {
  const value = await result;
  return Array.isArray(value) ? (value as T[]) : ((value as { rows: T[] }).rows ?? []);
}
