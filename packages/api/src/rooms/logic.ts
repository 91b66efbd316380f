import { schema, type Database, type TeamRole } from "@parlor/db";
import { and, asc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";

import { accessFacts, factsFromRow, judge, refusalError, reDecide, ROOM_ADMIN_ATTRIBUTE } from "../access";
import { randomToken } from "../lib/crypto";
import { badRequest, conflict, forbidden, notFound } from "../lib/errors";
import { waitingIn } from "../guests/lobby";
import { closeRoomAfterNotice, sendModerationNotice } from "../calls/moderation";
import { notifyPresenceChanged } from "../lib/announce";
import { presenceByRoom, roomHistory } from "../presence/views";
import { liveKitOptions, participantDisplayName } from "../calls/livekit-room";
import { nameFromSlug, slugify } from "../lib/common-schemas";
import { removeRecordingsOfRooms } from "../recordings/lifecycle";
import { retryIfDeadlocked } from "../lib/retry";
import type { Services } from "../lib/services";
import {
  canManage,
  requireMembership,
  TEAM_NOT_FOUND,
  withUniqueSlug,
  type Actor,
  type TeamSummary,
} from "../teams/logic";

/** Parlor's options for every LiveKit room. */
export const ROOM_DEFAULTS = {
  /** A room nobody joined closes after this long. */
  emptyTimeoutSeconds: 300,
  /** After the last person leaves, the room stays open this long for a quick rejoin. */
  departureTimeoutSeconds: 30,
  maxParticipants: 100,
};

/**
 * Join tokens live for minutes by default (LIVEKIT_TOKEN_TTL_SECONDS): enough to join, short if
 * one leaks. A call outlives it: LiveKit hands connected participants fresh tokens to resume with.
 */
export const TOKEN_TTL_SECONDS = 10 * 60;

const ROOM_NOT_FOUND = "We could not find that room in this team. It may have been deleted.";

export interface RoomSummary {
  id: string;
  slug: string;
  name: string;
  teamSlug: string;
}

type RoomRow = typeof schema.rooms.$inferSelect;

const newLiveKitRoomName = () => `parlor-${randomToken(12)}`;

const summary = (team: TeamSummary, room: RoomRow): RoomSummary => ({
  id: room.id,
  slug: room.slug,
  name: room.name,
  teamSlug: team.slug,
});

export async function createRoom(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  name: string,
  { e2ee = false }: { e2ee?: boolean } = {},
): Promise<RoomSummary> {
  const team = await requireMembership(svc, actor, teamSlug);
  await svc.rateLimiter.consume(
    `room-create:user:${actor.id}`,
    svc.ratePolicies.roomCreate,
    "Too many new rooms",
  );
  const room = await withUniqueSlug(name, "room", async (slug) => {
    const [row] = await svc.db
      .insert(schema.rooms)
      .values({
        teamId: team.id,
        slug,
        name,
        livekitRoomName: newLiveKitRoomName(),
        createdBy: actor.id,
        ...ROOM_DEFAULTS,
        // Whoever creates a room may make it encrypted: nobody is in it yet.
        e2ee,
      })
      .returning();
    return row!;
  });
  svc.logger.info({ event: "room.created", roomId: room.id, teamId: team.id }, "room created");
  return summary(team, room);
}

async function findRoom(svc: Services, teamId: string, roomSlug: string): Promise<RoomRow | undefined> {
  const [room] = await svc.db
    .select()
    .from(schema.rooms)
    .where(and(eq(schema.rooms.teamId, teamId), eq(schema.rooms.slug, roomSlug)))
    .limit(1);
  return room;
}

export async function getRoom(svc: Services, actor: Actor, teamSlug: string, roomSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug);
  const room = await findRoom(svc, team.id, roomSlug);
  if (!room) throw notFound(ROOM_NOT_FOUND);
  return {
    ...summary(team, room),
    teamName: team.name,
    role: team.role,
    canManage: canManage(team.role),
    locked: room.lockedAt !== null,
    encrypted: room.e2ee,
    createdAt: room.createdAt,
  };
}

/** The team's rooms and who is in each now (from the presence records, not a call to LiveKit). */
export async function listRooms(svc: Services, actor: Actor, teamSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug);
  const rows = await svc.db
    .select({ room: getTableColumns(schema.rooms), attended: hasAttendance(sql`${schema.rooms.id}`) })
    .from(schema.rooms)
    .where(eq(schema.rooms.teamId, team.id))
    .orderBy(asc(schema.rooms.name), asc(schema.rooms.slug));
  const presence = await presenceByRoom(
    svc,
    rows.map((r) => r.room.id),
  );
  // Knocks are for those who can answer them.
  const waiting = canManage(team.role)
    ? await waitingIn(
        svc,
        rows.map((r) => r.room.id),
      )
    : [];
  return rows.map(({ room, attended }) => ({
    ...summary(team, room),
    canDelete: mayDelete(actor, team.role, room, attended),
    locked: room.lockedAt !== null,
    encrypted: room.e2ee,
    lobby: waiting
      .filter((w) => w.roomId === room.id)
      .map(({ id, name, isGuest, createdAt }) => ({ id, name, isGuest, createdAt })),
    participants: (presence.get(room.id) ?? []).map(({ identity, name, accountName, joinedAt, isGuest }) => ({
      identity,
      name,
      accountName,
      joinedAt,
      isGuest,
    })),
  }));
}

export async function getRoomHistory(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  roomSlug: string,
  limit: number,
) {
  const team = await requireMembership(svc, actor, teamSlug);
  const room = await findRoom(svc, team.id, roomSlug);
  if (!room) throw notFound(ROOM_NOT_FOUND);
  return roomHistory(svc, room.id, limit);
}

export async function renameRoom(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  roomSlug: string,
  name: string,
) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  // The slug stays: links people saved keep working after a rename.
  const [room] = await svc.db
    .update(schema.rooms)
    .set({ name })
    .where(and(eq(schema.rooms.teamId, team.id), eq(schema.rooms.slug, roomSlug)))
    .returning();
  if (!room) throw notFound(ROOM_NOT_FOUND);
  return summary(team, room);
}

/**
 * Marks a room end-to-end encrypted, or not (team owners and admins). Refused while anyone is in
 * the call: people who joined under the old setting would stop seeing and hearing the others.
 */
export async function setRoomEncrypted(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  roomSlug: string,
  encrypted: boolean,
) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  const room = await findRoom(svc, team.id, roomSlug);
  if (!room) throw notFound(ROOM_NOT_FOUND);
  if (room.e2ee !== encrypted) {
    const present = (await presenceByRoom(svc, [room.id])).get(room.id) ?? [];
    if (present.length > 0) {
      throw conflict(
        `${present.length === 1 ? "Someone is" : `${present.length} people are`} in this room now. Change its encryption when the call is over (or end the meeting first): people in the call would stop seeing and hearing each other.`,
      );
    }
    await svc.db.transaction(async (tx) => {
      await tx.update(schema.rooms).set({ e2ee: encrypted }).where(eq(schema.rooms.id, room.id));
      await notifyPresenceChanged(tx, team.id);
    });
    svc.logger.info(
      { event: encrypted ? "room.encrypted" : "room.unencrypted", roomId: room.id, by: actor.id },
      "room encryption changed",
    );
  }
  return { ...summary(team, room), encrypted };
}

/** Whether anyone ever joined the room: a room with meetings in its history. */
const hasAttendance = (roomId: SQL | string) => sql<boolean>`exists (
  select 1 from ${schema.roomSessions} s
  join ${schema.participantSessions} p on p.room_session_id = s.id
  where s.room_id = ${roomId}
)`;

/**
 * Who may delete a room: the team's owners and admins, and whoever created it while nobody has
 * met in it yet (a room made by mistake, a mistyped address, goes without asking an admin).
 */
function mayDelete(actor: Actor, role: TeamRole, room: { createdBy: string | null }, attended: boolean) {
  return canManage(role) || (room.createdBy === actor.id && !attended);
}

/**
 * Closes the live LiveKit room first, so a record is only dropped once nobody can still be in it;
 * a join with an older token after that finds a room Parlor does not have, which the join webhook
 * and reconciliation end (access/evict.ts).
 */
export async function deleteRoom(
  svc: Services,
  actor: Actor & { name: string },
  teamSlug: string,
  roomSlug: string,
) {
  const team = await requireMembership(svc, actor, teamSlug);
  const [found] = await svc.db
    .select({ room: getTableColumns(schema.rooms), attended: hasAttendance(sql`${schema.rooms.id}`) })
    .from(schema.rooms)
    .where(and(eq(schema.rooms.teamId, team.id), eq(schema.rooms.slug, roomSlug)))
    .limit(1);
  if (!found) throw notFound(ROOM_NOT_FOUND);
  const { room } = found;
  if (!mayDelete(actor, team.role, room, found.attended)) {
    throw forbidden(
      room.createdBy === actor.id
        ? "People have met in this room, so it keeps its history: ask a team owner or admin to delete it."
        : "Only the team's owners and admins, or whoever created this room before anyone met in it, can delete it.",
    );
  }
  // Its recordings' files first: when the storage cannot be reached, nothing is deleted yet.
  await removeRecordingsOfRooms(svc, [room.id]);
  // Anyone still in its call learns why the call ends (LiveKit has no such room when nobody is in it).
  await sendModerationNotice(svc, room.livekitRoomName, { type: "deleted", by: actor.name });
  await closeRoomAfterNotice(svc, room.livekitRoomName);
  // LiveKit's room_finished for it, arriving now, takes its sessions' rows in the other order.
  await retryIfDeadlocked(() =>
    svc.db.transaction(async (tx) => {
      await tx.delete(schema.rooms).where(eq(schema.rooms.id, room.id));
      // Team pages, and its guests' status streams (their passes went with it), hear of it at once.
      await notifyPresenceChanged(tx, team.id);
    }),
  );
  // Someone who joined between the two steps, with a token minted before (LiveKit re-creates the
  // room from its options), is in a room Parlor no longer has: the rule ends it again.
  await reDecide(svc, { roomNames: [room.livekitRoomName] });
  svc.logger.info({ event: "room.deleted", roomId: room.id }, "room deleted");
  return { ok: true as const };
}

/** Seconds of clock difference and webhook delay allowed for when trusting presence records. */
const LIVENESS_MARGIN_SECONDS = 5;

/**
 * Whether the presence records show LiveKit has the room open right now: its current LiveKit
 * session has not ended, and either someone is in it, or it closes later than now by LiveKit's
 * own rules (a room nobody joined lives `emptyTimeout` from its start; one everybody left lives
 * `departureTimeout` after the last departure). Anything else (no record, a lost webhook that
 * leaves the last departure long past) counts as unknown, and `room.ensure` asks LiveKit.
 */
function knownLive(at: SQL) {
  const margin = LIVENESS_MARGIN_SECONDS;
  return sql<boolean>`exists (
    select 1 from ${schema.roomSessions} s
    where s.room_id = ${schema.rooms.id} and s.ended_at is null
      and (
        exists (select 1 from ${schema.participantSessions} p where p.room_session_id = s.id and p.left_at is null)
        or (
          not exists (select 1 from ${schema.participantSessions} p where p.room_session_id = s.id)
          and s.started_at > ${at} - make_interval(secs => ${schema.rooms.emptyTimeoutSeconds} - ${margin})
        )
        or (
          select max(p.left_at) from ${schema.participantSessions} p where p.room_session_id = s.id
        ) > ${at} - make_interval(secs => ${schema.rooms.departureTimeoutSeconds} - ${margin})
      )
  )`;
}

const param = {
  userId: sql.placeholder("userId"),
  teamSlug: sql.placeholder("teamSlug"),
  roomSlug: sql.placeholder("roomSlug"),
  /** The service clock's time, as an ISO string (placeholders skip the columns' own encoding). */
  now: sql`${sql.placeholder("now")}::timestamptz`,
};

/**
 * The join path's two queries, built once per database and sent as prepared statements: drizzle
 * builds a query's SQL from its builder on every call otherwise, which the profile of the join
 * path under load showed as its largest cost after Next itself.
 */
function prepareJoinQueries(db: Database, adminEmails: readonly string[]) {
  const ensureLookup = db
    .select({
      team: { id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name },
      role: schema.teamMembers.role,
      room: getTableColumns(schema.rooms),
      live: knownLive(param.now),
    })
    .from(schema.teams)
    .innerJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.teams.id), eq(schema.teamMembers.userId, param.userId)),
    )
    .leftJoin(
      schema.rooms,
      and(eq(schema.rooms.teamId, schema.teams.id), eq(schema.rooms.slug, param.roomSlug)),
    )
    .where(eq(schema.teams.slug, param.teamSlug))
    .limit(1)
    .prepare("parlor_ensure_lookup");

  // The token door: the room, the saved display name and the access rule's facts (access/rule.ts)
  // in one statement.
  const r = schema.rooms;
  const connectionLookup = db
    .select({
      room: getTableColumns(schema.rooms),
      team: { id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name },
      displayName: sql<
        string | null
      >`(select display_name from ${schema.userPreferences} where user_id = ${param.userId}::uuid)`,
      ...accessFacts(
        {
          roomId: sql`${r.id}`,
          teamId: sql`${r.teamId}`,
          lockedAt: sql`${r.lockedAt}`,
          identity: sql`${param.userId}::text`,
          userId: sql`${param.userId}::uuid`,
          now: param.now,
        },
        { adminEmails, capacity: true },
      ),
    })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(and(eq(schema.teams.slug, param.teamSlug), eq(schema.rooms.slug, param.roomSlug)))
    .limit(1)
    .prepare("parlor_connection_lookup");

  return { ensureLookup, connectionLookup };
}

const prepared = new WeakMap<Database, ReturnType<typeof prepareJoinQueries>>();

function preparedFor(svc: Services) {
  const db = svc.db;
  let queries = prepared.get(db);
  if (!queries) {
    queries = prepareJoinQueries(db, [...svc.config.adminEmails]);
    prepared.set(db, queries);
  }
  return queries;
}

/** What `room.ensure` answers about the room it found or made. */
const ensured = (
  room: Pick<typeof schema.rooms.$inferSelect, "livekitRoomName" | "slug" | "name" | "e2ee">,
  created: boolean,
) => ({
  roomName: room.livekitRoomName,
  created,
  roomSlug: room.slug,
  name: room.name,
  encrypted: room.e2ee,
});

/**
 * Makes sure the room at /t/<team>/<room> exists, in Parlor and in LiveKit. One query finds the
 * team, the caller's membership, the room and whether LiveKit already has it open (from the
 * presence records that LiveKit's webhooks and reconciliation keep); CreateRoom is only called
 * when that is not known. A belief that turns out wrong cannot fail a join: the join token
 * carries the room's configuration (see `connectionDetails`), so LiveKit creates the room with
 * Parlor's options if it had closed it. A new room's record is written in the same transaction
 * that waits for LiveKit, so when LiveKit fails no record is left behind; concurrent ensures of
 * one new URL wait on the unique index and end with one room.
 */
export async function ensureRoom(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  roomSlug: string,
  { create = true }: { create?: boolean } = {},
) {
  const slug = slugify(roomSlug) || roomSlug;
  const [found] = await preparedFor(svc).ensureLookup.execute({
    userId: actor.id,
    teamSlug,
    roomSlug: slug,
    now: svc.clock().toISOString(),
  });
  if (!found) throw notFound(TEAM_NOT_FOUND);
  const team: TeamSummary = { ...found.team, role: found.role };
  if (found.room) {
    if (!found.live) await svc.livekit.ensureRoom(liveKitOptions(team, found.room));
    return ensured(found.room, false);
  }
  if (!create) throw notFound(ROOM_NOT_FOUND);
  await svc.rateLimiter.consume(
    `room-create:user:${actor.id}`,
    svc.ratePolicies.roomCreate,
    "Too many new rooms",
  );
  const created = await createInParlorAndLiveKit(svc, actor, team, slug);
  if (created) {
    svc.logger.info({ event: "room.created", roomId: created.id, via: "ensure" }, "room created");
    return ensured(created, true);
  }
  return ensured(await confirmConcurrentlyCreated(svc, team, slug), false);
}

/**
 * Creates the room at this slug, its record in the same transaction that waits for LiveKit, so
 * when LiveKit fails no record is left behind. Null when another request created it first.
 */
async function createInParlorAndLiveKit(svc: Services, actor: Actor, team: TeamSummary, slug: string) {
  return svc.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(schema.rooms)
      .values({
        teamId: team.id,
        slug,
        name: nameFromSlug(slug),
        livekitRoomName: newLiveKitRoomName(),
        createdBy: actor.id,
        ...ROOM_DEFAULTS,
      })
      .onConflictDoNothing({ target: [schema.rooms.teamId, schema.rooms.slug] })
      .returning();
    if (!inserted) return null;
    await svc.livekit.ensureRoom(liveKitOptions(team, inserted));
    return inserted;
  });
}

/** Someone else created the room while we waited on the unique index: confirm theirs, in LiveKit too. */
async function confirmConcurrentlyCreated(svc: Services, team: TeamSummary, slug: string) {
  const winner = await findRoom(svc, team.id, slug);
  if (!winner) throw notFound(ROOM_NOT_FOUND);
  await svc.livekit.ensureRoom(liveKitOptions(team, winner));
  return winner;
}

/** Characters that show nothing: format and control characters, blank fillers, variation selectors. */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\u115F\u3164\uFFA0\u2800\u180E]|\u1160|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu;

/**
 * A name as a reader sees it: compatibility forms folded (NFKC: full-width or mathematical letters
 * become plain ones), invisible characters removed (format characters such as zero-width spaces,
 * fillers that render as blank, variation selectors) and every run of spaces made one space.
 */
export function visibleForm(name: string): string {
  return name
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .replace(/[\s\p{Z}]+/gu, " ")
    .trim();
}

/**
 * Refuses a chosen name that looks like another member's name but is written differently (with
 * invisible or look-alike characters): it could only be meant to pass as them. The very same
 * name is allowed (two people can share a name); the account name shown beside it tells them apart.
 */
async function assertNotLookAlike(
  svc: Services,
  teamId: string,
  actorId: string,
  /** As typed, before cleaning (which would drop the very characters that make it a look-alike). */
  name: string,
): Promise<void> {
  const seen = visibleForm(name);
  const others = await svc.db
    .select({ name: schema.users.name, displayName: schema.userPreferences.displayName })
    .from(schema.teamMembers)
    .innerJoin(schema.users, eq(schema.users.id, schema.teamMembers.userId))
    .leftJoin(schema.userPreferences, eq(schema.userPreferences.userId, schema.teamMembers.userId))
    .where(and(eq(schema.teamMembers.teamId, teamId), sql`${schema.teamMembers.userId} <> ${actorId}`));
  const imitated = others
    .flatMap((o) => [o.name, o.displayName ?? ""])
    .find((other) => other && other !== name && visibleForm(other) === seen);
  if (imitated !== undefined) {
    throw badRequest(
      "participantName",
      `This name looks just like ${imitated}'s but is written with different characters. Use your own name, or one that reads differently.`,
    );
  }
}

type JoinRow = Awaited<
  ReturnType<ReturnType<typeof prepareJoinQueries>["connectionLookup"]["execute"]>
>[number];

/**
 * A join token for one room. The room, the membership and the saved display name come from one
 * SQL query; a non-member learns nothing about the room.
 */
export async function connectionDetails(
  svc: Services,
  actor: Actor & { name: string },
  teamSlug: string,
  roomSlug: string,
  participantName?: string,
) {
  const [row] = await preparedFor(svc).connectionLookup.execute({
    userId: actor.id,
    teamSlug,
    roomSlug,
    now: svc.clock().toISOString(),
  });
  if (!row) throw notFound(ROOM_NOT_FOUND);
  const { roomAdmin } = admitByTheRule(svc, actor, row);
  const name = await nameInTheCall(svc, actor, row, participantName);
  const { participantToken, expiresAt } = await mintJoinToken(svc, actor, row, name, roomAdmin);
  svc.metrics.joins.inc();
  return {
    serverUrl: svc.livekit.publicUrl,
    roomName: row.room.livekitRoomName,
    participantToken,
    participantName: name,
    expiresAt,
    // Whether to join with end-to-end encryption (the passphrase never reaches the server).
    encrypted: row.room.e2ee,
  };
}

/** The access rule's answer from the facts the lookup read; a refusal throws its reason. */
function admitByTheRule(svc: Services, actor: Actor, row: JoinRow) {
  const now = svc.clock();
  const decision = judge(
    actor.id,
    factsFromRow(
      {
        id: row.room.id,
        teamId: row.team.id,
        livekitRoomName: row.room.livekitRoomName,
        lockedAt: row.room.lockedAt,
        e2ee: row.room.e2ee,
        maxParticipants: row.room.maxParticipants,
      },
      row,
    ),
    "token",
    now,
  );
  if (!decision.allowed) throw refusalError(decision, now, row.room);
  return decision;
}

/** The name shown in the call; one written to pass as another member's is refused. */
async function nameInTheCall(
  svc: Services,
  actor: Actor & { name: string },
  row: JoinRow,
  participantName: string | undefined,
) {
  const name = participantDisplayName(participantName, row.displayName, actor.name);
  // The name as typed (or saved), before cleaning drops the characters that make a look-alike;
  // one's own account name, however written, needs no check.
  const chosen = participantName?.trim() || row.displayName;
  if (chosen && visibleForm(chosen) !== visibleForm(actor.name)) {
    await assertNotLookAlike(svc, row.team.id, actor.id, chosen);
  }
  return name;
}

/** The LiveKit token for this one room, for minutes, carrying the room's configuration. */
async function mintJoinToken(
  svc: Services,
  actor: Actor & { name: string },
  row: JoinRow,
  name: string,
  roomAdmin: boolean,
) {
  const ttlSeconds = svc.config.livekit.tokenTtlSeconds;
  const expiresAt = new Date(svc.clock().getTime() + ttlSeconds * 1000);
  const participantToken = await svc.livekit.mintToken({
    identity: actor.id,
    name,
    room: row.room.livekitRoomName,
    roomAdmin,
    ttlSeconds,
    // The verified identity behind a freely chosen name, for the participant list to show, and
    // whether this connection holds roomAdmin, so reconciliation can end it after a demotion.
    attributes: { accountName: actor.name, [ROOM_ADMIN_ATTRIBUTE]: String(roomAdmin) },
    roomConfig: liveKitOptions(row.team, row.room),
  });
  return { participantToken, expiresAt };
}
