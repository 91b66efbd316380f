/**
 * The access rule: whether one person (a Parlor account or a guest pass) may be in one room now,
 * and if not, why. It is the only place that decides it. Every door asks it — the join tokens
 * (`room.connectionDetails`, `guest.connectionDetails`), LiveKit's participant_joined webhook, chat,
 * hands, the live streams, the 30-second reconciliation and every change that can turn a yes into
 * a no (access/evict.ts) — so a token outlives nothing: LiveKit refreshes tokens, the rule ends the
 * place.
 *
 * It comes in two halves: `accessFacts`, the SQL that reads what the rule needs (one scalar
 * subquery per fact, so a door folds it into the query it runs anyway and a batch reads many
 * people in many rooms in one statement), and `judge`, a pure function from those facts to the
 * answer. This module sits low: it imports the database schema and nothing of the domains.
 */
import { schema, type Database, type TeamRole, type Transaction } from "@parlor/db";
import { sql, type SQL } from "drizzle-orm";

import { AppError, conflict, forbidden, notFound, roomEncrypted, unauthorized } from "../lib/errors";
import { GUEST_IDENTITY_PREFIX } from "../lib/call";

/** Owners and admins manage a team: they moderate its rooms and hold LiveKit's roomAdmin in its calls. */
const ROLE_RANK: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };
export const roleRank = (role: TeamRole) => ROLE_RANK[role];
export const canManage = (role: TeamRole) => ROLE_RANK[role] >= ROLE_RANK.admin;

/** The participant attribute, set from the join token, that says the connection holds `roomAdmin`. */
export const ROOM_ADMIN_ATTRIBUTE = "roomAdmin";

/**
 * How long someone a moderator removed stays out: an account gets no token for the room, and the
 * guest link a removed guest came through makes everyone knock (a fresh guest pass is no way back).
 */
export const REMOVAL_COOLDOWN_SECONDS = 5 * 60;

/**
 * Someone who was in the call when it was locked stays; so does their reconnection (a new LiveKit
 * connection replacing one that dropped) within this many seconds of the old one closing.
 */
export const LOCK_RECONNECT_GRACE_SECONDS = 60;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUserIdentity = (identity: string) => UUID.test(identity);
export const isGuestPassIdentity = (identity: string) =>
  identity.startsWith(GUEST_IDENTITY_PREFIX) && identity.length > GUEST_IDENTITY_PREFIX.length;
/**
 * Whether a LiveKit identity is one Parlor hands out (an account's user id, or `guest-<random>`).
 * Others (agents, egress, anything a deployment adds with its own tokens) are not Parlor's to judge.
 */
export const isParlorIdentity = (identity: string) =>
  isUserIdentity(identity) || isGuestPassIdentity(identity);

export type DenyReason =
  | "room-deleted"
  | "account-deleted"
  | "account-disabled"
  | "not-member"
  | "banned"
  /** The connection holds roomAdmin from a token minted while its holder managed the team; they no longer do. */
  | "demoted"
  | "room-locked"
  | "room-full"
  | "e2ee-no-guests"
  /** The guest pass is gone: the guest left (or it never existed). */
  | "guest-left"
  | "guest-pass-expired"
  | "guest-link-revoked"
  /** Whoever made the guest link may no longer make links for the room (removed, demoted, disabled, deleted). */
  | "link-maker-lost-rights"
  /** A moderator turned the guest away: denied at the door or removed from the call. */
  | "guest-removed"
  | "guest-not-admitted"
  | "not-a-parlor-identity";

export type AccessDecision =
  | { allowed: true; kind: "member"; role: TeamRole; roomAdmin: boolean }
  | { allowed: true; kind: "guest"; roomAdmin: false }
  | { allowed: false; reason: DenyReason; /** For `banned`: when the ban ends. */ until?: Date };

type GuestPassState = "valid" | "expired" | "revoked" | "maker-lost";

/** What the rule reads about one identity and one room (null room: the room does not exist). */
export interface AccessFacts {
  room: {
    id: string;
    teamId: string;
    livekitRoomName: string;
    lockedAt: Date | null;
    e2ee: boolean;
    maxParticipants: number;
  } | null;
  /** For an account: null when no such account. */
  account: "active" | "disabled" | null;
  role: TeamRole | null;
  bannedUntil: Date | null;
  admittedSinceLock: boolean;
  presentAtLock: boolean;
  guestPass: GuestPassState | null;
  /** The latest lobby answer for this identity in this room. */
  admission: "waiting" | "admitted" | "denied" | null;
  /** People in the call other than this identity (read for the token door only). */
  othersPresent: number | null;
}

/** A connection LiveKit reports (from its participant list or a webhook), when judging one. */
export interface ConnectionFacts {
  /** When this connection joined; one made before a lock stays through it. */
  joinedAt?: Date | null;
  /** Set from its join token (participants cannot change them). */
  attributes?: Record<string, string>;
}

/**
 * The door asking: `token` mints a new join token (and checks the room's capacity), `connection`
 * judges a connection LiveKit already has (capacity is LiveKit's own limit there).
 */
export type Door = "token" | "connection";

/** The answer for one identity, from its facts. Pure: the model test can call it too. */
export function judge(
  identity: string,
  facts: AccessFacts,
  door: Door,
  now: Date,
  connection: ConnectionFacts = {},
): AccessDecision {
  const room = facts.room;
  if (!isParlorIdentity(identity)) return { allowed: false, reason: "not-a-parlor-identity" };
  if (!room) return { allowed: false, reason: "room-deleted" };
  const joinedBeforeLock =
    room.lockedAt !== null &&
    connection.joinedAt != null &&
    connection.joinedAt.getTime() <= room.lockedAt.getTime();
  const throughLock = () =>
    room.lockedAt === null || facts.admittedSinceLock || facts.presentAtLock || joinedBeforeLock;
  const full = () =>
    door === "token" && room.maxParticipants > 0 && (facts.othersPresent ?? 0) >= room.maxParticipants;

  if (isUserIdentity(identity)) {
    if (facts.account === null) return { allowed: false, reason: "account-deleted" };
    if (facts.account === "disabled") return { allowed: false, reason: "account-disabled" };
    if (facts.role === null) return { allowed: false, reason: "not-member" };
    if (facts.bannedUntil && facts.bannedUntil > now) {
      return { allowed: false, reason: "banned", until: facts.bannedUntil };
    }
    const manages = canManage(facts.role);
    if (connection.attributes?.[ROOM_ADMIN_ATTRIBUTE] === "true" && !manages) {
      return { allowed: false, reason: "demoted" };
    }
    if (!manages && !throughLock()) return { allowed: false, reason: "room-locked" };
    if (full()) return { allowed: false, reason: "room-full" };
    return { allowed: true, kind: "member", role: facts.role, roomAdmin: manages };
  }

  if (room.e2ee) return { allowed: false, reason: "e2ee-no-guests" };
  switch (facts.guestPass) {
    case null:
      return { allowed: false, reason: "guest-left" };
    case "expired":
      return { allowed: false, reason: "guest-pass-expired" };
    case "revoked":
      return { allowed: false, reason: "guest-link-revoked" };
    case "maker-lost":
      return { allowed: false, reason: "link-maker-lost-rights" };
  }
  if (facts.admission === "denied") return { allowed: false, reason: "guest-removed" };
  if (facts.admission !== "admitted") return { allowed: false, reason: "guest-not-admitted" };
  if (!throughLock()) return { allowed: false, reason: "room-locked" };
  if (full()) return { allowed: false, reason: "room-full" };
  return { allowed: true, kind: "guest", roomAdmin: false };
}

/** The SQL expressions a door supplies for the room and the identity it asks about. */
export interface FactSources {
  roomId: SQL;
  teamId: SQL;
  lockedAt: SQL;
  /** The LiveKit identity, as text. */
  identity: SQL;
  /** The identity as an account id (uuid), or null for a guest or another identity. */
  userId: SQL;
  now: SQL;
}

/** The admins by ADMIN_EMAILS (config), who may make guest links like stored site admins. */
const siteAdminByEmail = (emails: readonly string[]) =>
  emails.length
    ? sql`mu.email in (${sql.join(
        emails.map((e) => sql`${e}`),
        sql`, `,
      )})`
    : sql`false`;

/**
 * Whether the maker of a guest link may still make links for the team's rooms: their account is
 * enabled and they are a site admin, or an owner or admin of the team, or a member while the team
 * lets members make links. A link dies with its maker's right to make it.
 */
export function linkMakerMay(createdBy: SQL, teamId: SQL, adminEmails: readonly string[]): SQL {
  return sql`exists (
    select from ${schema.users} mu where mu.id = ${createdBy} and mu.disabled_at is null and (
      mu.is_admin or ${siteAdminByEmail(adminEmails)} or exists (
        select from ${schema.teamMembers} mm where mm.team_id = ${teamId} and mm.user_id = mu.id
          and (mm.role <> 'member'
            or (select tt.members_create_guest_links from ${schema.teams} tt where tt.id = ${teamId})))))`;
}

/**
 * The rule's facts as SQL scalar subqueries, keyed by the alias each is selected under. Each
 * is a lookup by an index (a membership, a ban, a guest pass, the latest lobby answer…), so a
 * door adds them to its own query at little cost.
 */
export function accessFacts(
  at: FactSources,
  options: { adminEmails: readonly string[]; capacity: boolean },
): Record<(typeof FACT_COLUMNS)[number], SQL> {
  const { roomId, teamId, lockedAt, identity, userId, now } = at;
  const makerMay = linkMakerMay(sql`l.created_by`, teamId, options.adminEmails);
  return {
    acc_account: sql`(select case when u.disabled_at is null then 'active' else 'disabled' end
      from ${schema.users} u where u.id = ${userId})`,
    acc_role: sql`(select m.role from ${schema.teamMembers} m where m.team_id = ${teamId} and m.user_id = ${userId})`,
    acc_banned_until: sql`(select (extract(epoch from b.until) * 1000)::float8 from ${schema.roomBans} b
      where b.room_id = ${roomId} and b.user_id = ${userId} and b.until > ${now})`,
    acc_admitted_since_lock: sql`(${lockedAt} is not null and exists (
      select from ${schema.lobbyRequests} q where q.room_id = ${roomId} and q.identity = ${identity}
        and q.status = 'admitted' and q.created_at >= ${lockedAt}))`,
    acc_present_at_lock: sql`(${lockedAt} is not null and exists (
      select from ${schema.participantSessions} p where p.room_id = ${roomId} and p.identity = ${identity}
        and p.joined_at <= ${lockedAt}
        and (p.left_at is null or (p.left_at > ${lockedAt}
          and p.left_at > ${now} - make_interval(secs => ${LOCK_RECONNECT_GRACE_SECONDS})))))`,
    acc_guest_pass: sql`(select case
        when g.expires_at <= ${now} then 'expired'
        when l.revoked_at is not null then 'revoked'
        when not ${makerMay} then 'maker-lost'
        else 'valid' end
      from ${schema.guestSessions} g join ${schema.guestLinks} l on l.id = g.link_id
      where g.identity = ${identity} and g.room_id = ${roomId})`,
    acc_admission: sql`(select q.status from ${schema.lobbyRequests} q
      where q.room_id = ${roomId} and q.identity = ${identity} order by q.created_at desc limit 1)`,
    acc_others_present: options.capacity
      ? sql`(select count(distinct p.identity)::int from ${schema.participantSessions} p
          join ${schema.roomSessions} s on s.id = p.room_session_id and s.ended_at is null
          where p.room_id = ${roomId} and p.left_at is null and p.identity <> ${identity})`
      : sql`null::int`,
  };
}

export const FACT_COLUMNS = [
  "acc_account",
  "acc_role",
  "acc_banned_until",
  "acc_admitted_since_lock",
  "acc_present_at_lock",
  "acc_guest_pass",
  "acc_admission",
  "acc_others_present",
] as const;

/** The facts as a select list (`expr as alias, …`) for a statement written in SQL. */
export const factsSelectList = (facts: Record<string, SQL>) =>
  sql.join(
    Object.entries(facts).map(([alias, expr]) => sql`${expr} as ${sql.identifier(alias)}`),
    sql`, `,
  );

type FactRow = Partial<Record<(typeof FACT_COLUMNS)[number], unknown>>;

const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(value as string);

/** Reads the facts of a row selected with `accessFacts` (either as a select record or a select list). */
export function factsFromRow(room: AccessFacts["room"], row: FactRow): AccessFacts {
  const banned = row.acc_banned_until;
  return {
    room,
    account: (row.acc_account as AccessFacts["account"]) ?? null,
    role: (row.acc_role as TeamRole | null) ?? null,
    bannedUntil: banned === null || banned === undefined ? null : new Date(Number(banned)),
    admittedSinceLock: row.acc_admitted_since_lock === true,
    presentAtLock: row.acc_present_at_lock === true,
    guestPass: (row.acc_guest_pass as GuestPassState | null) ?? null,
    admission: (row.acc_admission as AccessFacts["admission"]) ?? null,
    othersPresent:
      row.acc_others_present === null || row.acc_others_present === undefined
        ? null
        : Number(row.acc_others_present),
  };
}

/** One question for the batch form: may `identity` be in the LiveKit room `roomName`? */
export interface AccessQuestion {
  roomName: string;
  identity: string;
  connection?: ConnectionFacts;
}

export interface RuleContext {
  db: Database | Transaction;
  now: Date;
  adminEmails: readonly string[];
}

const key = (roomName: string, identity: string) => `${roomName}\u0000${identity}`;

/**
 * The rule for many people in many rooms, in one statement (reconciliation, the changes that
 * re-decide, the model test). Answers are keyed by `decisionKey(roomName, identity)`.
 */
export async function decideMany(
  ctx: RuleContext,
  questions: readonly AccessQuestion[],
  door: Door = "connection",
): Promise<Map<string, AccessDecision>> {
  const answers = new Map<string, AccessDecision>();
  const asked = questions.filter((q) => isParlorIdentity(q.identity));
  for (const q of questions) {
    if (!isParlorIdentity(q.identity))
      answers.set(key(q.roomName, q.identity), judge(q.identity, emptyFacts, door, ctx.now));
  }
  const pairs = [...new Map(asked.map((q) => [key(q.roomName, q.identity), q])).values()];
  if (pairs.length === 0) return answers;
  const values = sql.join(
    pairs.map(
      (q) =>
        sql`(${q.roomName}::text, ${q.identity}::text, ${isUserIdentity(q.identity) ? q.identity : null}::uuid)`,
    ),
    sql`, `,
  );
  const now = sql`${ctx.now.toISOString()}::timestamptz`;
  const facts = accessFacts(
    {
      roomId: sql`r.id`,
      teamId: sql`r.team_id`,
      lockedAt: sql`r.locked_at`,
      identity: sql`ask.identity`,
      userId: sql`ask.user_id`,
      now,
    },
    { adminEmails: ctx.adminEmails, capacity: door === "token" },
  );
  const rows = await rowsOf<
    FactRow & {
      room_name: string;
      identity: string;
      room_id: string | null;
      team_id: string | null;
      locked_at: unknown;
      e2ee: boolean | null;
      max_participants: number | null;
    }
  >(
    ctx.db.execute(sql`
      select ask.room_name, ask.identity, r.id as room_id, r.team_id, r.locked_at, r.e2ee, r.max_participants,
        ${factsSelectList(facts)}
      from (values ${values}) as ask(room_name, identity, user_id)
      left join ${schema.rooms} r on r.livekit_room_name = ask.room_name`),
  );
  const byKey = new Map(pairs.map((q) => [key(q.roomName, q.identity), q]));
  for (const row of rows) {
    const k = key(row.room_name, row.identity);
    const room = row.room_id
      ? {
          id: row.room_id,
          teamId: row.team_id!,
          livekitRoomName: row.room_name,
          lockedAt: toDate(row.locked_at),
          e2ee: !!row.e2ee,
          maxParticipants: Number(row.max_participants ?? 0),
        }
      : null;
    answers.set(k, judge(row.identity, factsFromRow(room, row), door, ctx.now, byKey.get(k)?.connection));
  }
  return answers;
}

export const decisionKey = key;

const emptyFacts: AccessFacts = {
  room: null,
  account: null,
  role: null,
  bannedUntil: null,
  admittedSinceLock: false,
  presentAtLock: false,
  guestPass: null,
  admission: null,
  othersPresent: null,
};

/** The rule for one person and one room (see `decideMany`). */
export async function mayBeInRoom(
  ctx: RuleContext,
  question: AccessQuestion,
  door: Door = "connection",
): Promise<AccessDecision> {
  const answers = await decideMany(ctx, [question], door);
  return answers.get(key(question.roomName, question.identity))!;
}

/**
 * Everyone who may be in a LiveKit room now, by the rule: among the team's members, the room's
 * guest passes and whoever the records show in it, those it allows (connections judged as if they
 * joined now). What the model test compares LiveKit's participant list against.
 */
export async function allowedIn(ctx: RuleContext, roomName: string): Promise<Set<string>> {
  const candidates = await rowsOf<{ identity: string }>(
    ctx.db.execute(sql`
      select m.user_id::text as identity from ${schema.teamMembers} m
        join ${schema.rooms} r on r.team_id = m.team_id where r.livekit_room_name = ${roomName}
      union select g.identity from ${schema.guestSessions} g
        join ${schema.rooms} r on r.id = g.room_id where r.livekit_room_name = ${roomName}
      union select p.identity from ${schema.participantSessions} p
        join ${schema.rooms} r on r.id = p.room_id where r.livekit_room_name = ${roomName} and p.left_at is null`),
  );
  const answers = await decideMany(
    ctx,
    candidates.map((c) => ({ roomName, identity: c.identity })),
  );
  return new Set(
    candidates.filter((c) => answers.get(key(roomName, c.identity))?.allowed).map((c) => c.identity),
  );
}

export const ROOM_NOT_FOUND = "We could not find that room in this team. It may have been deleted.";
export const LINK_REVOKED = "This guest link was withdrawn. Ask the person who sent it for a new one.";

/**
 * What a door answers when the rule says no: the error a person can act on. Someone who is not a
 * member learns nothing about the room (NOT_FOUND, as for a room that does not exist).
 */
export function refusalError(
  decision: Extract<AccessDecision, { allowed: false }>,
  now: Date,
  room?: { maxParticipants: number },
): AppError {
  switch (decision.reason) {
    case "room-deleted":
    case "not-member":
    case "account-deleted":
    case "not-a-parlor-identity":
      return notFound(ROOM_NOT_FOUND);
    case "account-disabled":
      return unauthorized("This account is disabled. Ask your site admin.");
    case "banned": {
      const minutes = Math.max(1, Math.ceil(((decision.until?.getTime() ?? 0) - now.getTime()) / 60_000));
      return forbidden(
        `You were removed from this room by a moderator. You can rejoin in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      );
    }
    case "demoted":
      return forbidden("Your role in this team changed. Join again to continue.");
    case "room-locked":
      return new AppError(
        "FORBIDDEN",
        "This room is locked: a moderator has to let you in. Ask to join and wait here.",
        { reason: "room-locked" },
      );
    case "room-full": {
      const max = room?.maxParticipants ?? 0;
      return conflict(
        `The room is at its limit of ${max} ${max === 1 ? "person" : "people"}. Try again when someone leaves, or use another room.`,
      );
    }
    case "e2ee-no-guests":
      return roomEncrypted(
        "This room is end-to-end encrypted, and guest links don't open encrypted rooms. Ask whoever invited you to invite you to the team, or to use a room that is not encrypted.",
      );
    case "guest-left":
    case "guest-pass-expired":
      return unauthorized("Your guest pass has ended. Open the guest link again to ask to join.");
    case "guest-link-revoked":
      return forbidden(LINK_REVOKED);
    case "link-maker-lost-rights":
      return forbidden(
        "This guest link no longer works: whoever made it can no longer invite guests to this room. Ask for a new link.",
      );
    case "guest-removed":
      return forbidden("A moderator turned you away from this call.");
    case "guest-not-admitted":
      return forbidden("You have not been let in yet. Wait until someone admits you.");
  }
}

async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  const value = await result;
  return Array.isArray(value) ? (value as T[]) : ((value as { rows: T[] }).rows ?? []);
}
