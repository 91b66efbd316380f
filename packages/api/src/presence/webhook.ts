/**
 * LiveKit's webhooks: verified, then each event applied once, in one statement that also records
 * its id, so a redelivery changes nothing; out of order correctly (a join after room_finished is
 * recorded as over). A Parlor identity's join is judged by the access rule in that statement.
 */
import { createHash } from "node:crypto";

import { schema } from "@parlor/db";
import { sql, type SQL } from "drizzle-orm";
import { jwtVerify } from "jose";
import { WebhookEvent } from "livekit-server-sdk";

import { isParlorRoomName, type Eviction } from "../access/evict";
import { accessFacts, factsFromRow, factsSelectList, isParlorIdentity, judge } from "../access/rule";
import { isEgress } from "../livekit/service";
import { isRecorderIdentity } from "../recordings/identity";
import { retryIfDeadlocked } from "../lib/retry";
import type { Services } from "../lib/services";
import { announcePresenceChanged, isUuid, rows } from "./records";

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
  return storable(new Date(Number(value) * 1000), value);
}

/**
 * When a participant joined: to the millisecond where LiveKit says (its `joinedAt` is whole
 * seconds, so a join a moment after a lock in the same second would read as before it).
 */
function joinedAtOf(p: NonNullable<WebhookEvent["participant"]>): Date | null {
  if (p.joinedAtMs) return storable(new Date(Number(p.joinedAtMs)), p.joinedAtMs);
  return seconds(p.joinedAt);
}

function storable(date: Date, value: bigint | number): Date {
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 2000) {
    throw new UnusableWebhookEvent(`timestamp out of range: ${String(value)}`);
  }
  return date;
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
  // Run again when the room (or a session, an account) it names was deleted while it ran (23503): it
  // then finds nothing to apply to; or when it and that deletion deadlocked (lib/retry.ts).
  const apply = () => retryIfDeadlocked(() => applyToRoomSession(svc, event, room, at), { also: ["23503"] });
  let outcome = await apply();
  // A session another event recorded at the same moment is visible only to a new statement.
  if (outcome.sessionUnseen) outcome = await apply();
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
    joinedAt: joinedAtOf(p),
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
  // (Parlor's recorder, and LiveKit's Egress, are left out: nobody in the call, see recordings/schemas.ts.)
  if (PARTICIPANT_EVENTS.has(event.event) && p?.sid && !isRecorderIdentity(p.identity) && !isEgress(p)) {
    return participantChange(event.event, p as ParticipantWithSid, at);
  }
  return sql``;
}

/**
 * A room_finished: the lifetime ends, everyone in it has left, and the room's lock lifts. As
 * `endRoomSession` (reconciliation's way, reconcile.ts): a change to one belongs in the other. A lock is for one
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
          and locked_at is not null and exists (select from fresh)),
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
  const joinedAt = sql`least(${(joinedAtOf(p) ?? at).toISOString()}::timestamptz, t.ended_at)`;
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
