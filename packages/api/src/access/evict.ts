/**
 * Putting the access rule (rule.ts) into effect on LiveKit: whoever the rule no longer allows is
 * disconnected, shown gone in presence and told so on their live streams, on every instance.
 * `reDecide` runs after every change that can turn the rule's answer from yes to no (a removal, a
 * disable, a lock, a revoked link, a demotion, a guest leaving…); reconciliation and the join
 * webhook use `evict` on what they judged themselves.
 */
import { schema, type Database, type Transaction } from "@parlor/db";
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";

import { AppError } from "../lib/errors";
import { notifyAccessChanged, notifyPresenceChanged } from "../lib/announce";
import type { Services } from "../lib/services";
import { decideMany, decisionKey, isParlorIdentity, isUserIdentity, type DenyReason } from "./rule";

/** Disconnects one identity from one LiveKit room; false when LiveKit does not have them there. */
export async function removeIfPresent(svc: Services, room: string, identity: string): Promise<boolean> {
  try {
    await svc.livekit.removeParticipant(room, identity);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return false;
    throw error;
  }
}

/** Closes an identity's open presence records in the given rooms; how many were open. */
export async function recordLeft(
  db: Database | Transaction,
  at: Date,
  roomIds: string[],
  identity: string,
): Promise<number> {
  if (roomIds.length === 0) return 0;
  const closed = await db
    .update(schema.participantSessions)
    .set({ leftAt: at })
    .where(
      and(
        inArray(schema.participantSessions.roomId, roomIds),
        eq(schema.participantSessions.identity, identity),
        isNull(schema.participantSessions.leftAt),
      ),
    )
    .returning({ id: schema.participantSessions.id });
  return closed.length;
}

export interface Eviction {
  roomName: string;
  roomId: string | null;
  teamId: string | null;
  identity: string;
  reason: DenyReason;
}

/**
 * Disconnects each from their LiveKit room and shows them gone at once (LiveKit's participant_left
 * webhook will say the same); their teams' presence streams hear of it. Someone LiveKit no longer
 * has counts as removed; a room LiveKit could not be asked about counts in `failed`.
 */
export async function evict(
  svc: Services,
  evictions: readonly Eviction[],
): Promise<{ removed: number; failed: number }> {
  let removed = 0;
  let failed = 0;
  const teams = new Set<string>();
  for (const e of evictions) {
    try {
      await removeIfPresent(svc, e.roomName, e.identity);
    } catch (error) {
      failed++;
      svc.logger.warn(
        { err: error, reason: e.reason },
        "could not disconnect someone the access rule refuses; reconciliation will",
      );
      continue;
    }
    removed++;
    if (e.roomId && (await recordLeft(svc.db, svc.clock(), [e.roomId], e.identity))) {
      if (e.teamId) teams.add(e.teamId);
    }
  }
  for (const teamId of teams) await notifyPresenceChanged(svc.db, teamId);
  if (evictions.length) {
    svc.logger.info(
      {
        event: "access.evicted",
        removed,
        failed,
        reasons: [...new Set(evictions.map((e) => e.reason))],
      },
      "disconnected people the access rule no longer allows",
    );
  }
  return { removed, failed };
}

/** The rooms a re-decision looks at. */
export interface DecisionScope {
  /** LiveKit room names. */
  roomNames?: string[];
  /** Every room of these teams. */
  teamIds?: string[];
  /** Every room these accounts (or guest identities) are recorded in now, and every room of their teams. */
  identities?: string[];
}

/**
 * Asks the rule again about everyone LiveKit has in the rooms of `scope`, and evicts those it now
 * refuses; then tells the live streams of the accounts in scope to re-check (every instance).
 * LiveKit unreachable: the change stands, `failed` says how many rooms could not be looked at, and
 * reconciliation (every 30 s) evicts later.
 */
export async function reDecide(
  svc: Services,
  scope: DecisionScope,
): Promise<{ evicted: number; failed: number }> {
  const identities = scope.identities ?? [];
  const userIds = identities.filter(isUserIdentity);
  const r = schema.rooms;
  const conditions = [
    scope.roomNames?.length ? inArray(r.livekitRoomName, scope.roomNames) : undefined,
    scope.teamIds?.length ? inArray(r.teamId, scope.teamIds) : undefined,
    identities.length
      ? sql`${r.id} in (select room_id from ${schema.participantSessions}
          where identity in (${sql.join(
            identities.map((i) => sql`${i}`),
            sql`, `,
          )}) and left_at is null)`
      : undefined,
    userIds.length
      ? sql`${r.teamId} in (select team_id from ${schema.teamMembers} where user_id in (${sql.join(
          userIds.map((i) => sql`${i}::uuid`),
          sql`, `,
        )}))`
      : undefined,
  ].filter((c) => c !== undefined);
  let evicted = 0;
  let failed = 0;
  if (conditions.length) {
    const rooms = await svc.db
      .select({ id: r.id, teamId: r.teamId, name: r.livekitRoomName })
      .from(r)
      .where(or(...conditions));
    try {
      const outcome = await reDecideRooms(svc, rooms);
      evicted = outcome.removed;
      failed = outcome.failed;
    } catch (error) {
      failed = rooms.length;
      svc.logger.warn({ err: error }, "could not ask LiveKit who is in the rooms; reconciliation will");
    }
    // Names given for rooms Parlor no longer has (deleted): LiveKit's copies, if any, end.
    const known = new Set(rooms.map((room) => room.name));
    const gone = (scope.roomNames ?? []).filter((name) => !known.has(name));
    if (gone.length) {
      try {
        for (const room of await svc.livekit.listRooms(gone)) await endLiveKitRoom(svc, room.name);
      } catch (error) {
        failed++;
        svc.logger.warn({ err: error }, "could not look for deleted rooms in LiveKit; reconciliation will");
      }
    }
  }
  for (const userId of userIds) await notifyAccessChanged(svc.db, userId);
  return { evicted, failed };
}

/** Judges everyone LiveKit lists in these Parlor rooms and evicts whom the rule refuses. */
export async function reDecideRooms(
  svc: Services,
  rooms: readonly { id: string; teamId: string; name: string }[],
): Promise<{ removed: number; failed: number }> {
  if (rooms.length === 0) return { removed: 0, failed: 0 };
  const live = await svc.livekit.listRooms(rooms.map((room) => room.name));
  const people = await Promise.all(
    live.map(async (room) => ({ room, participants: await svc.livekit.listParticipants(room.name) })),
  );
  return decideAndEvict(
    svc,
    people.flatMap(({ room, participants }) => {
      const parlorRoom = rooms.find((r) => r.name === room.name)!;
      return participants.map((p) => ({
        roomName: room.name,
        roomId: parlorRoom.id,
        teamId: parlorRoom.teamId,
        identity: p.identity,
        joinedAt: p.joinedAtMs === null ? p.joinedAt : new Date(p.joinedAtMs),
        attributes: p.attributes,
      }));
    }),
  );
}

/**
 * The rule for connections LiveKit has (`joinedAt`, `attributes` as LiveKit reports them), in one
 * statement, and the eviction of those it refuses. Identities that are not Parlor's are left alone.
 */
export async function decideAndEvict(
  svc: Services,
  connections: readonly {
    roomName: string;
    roomId: string | null;
    teamId: string | null;
    identity: string;
    joinedAt?: Date | null;
    attributes?: Record<string, string>;
  }[],
): Promise<{ removed: number; failed: number }> {
  const parlor = connections.filter((c) => isParlorIdentity(c.identity));
  if (parlor.length === 0) return { removed: 0, failed: 0 };
  const answers = await decideMany(
    { db: svc.db, now: svc.clock(), adminEmails: [...svc.config.adminEmails] },
    parlor.map((c) => ({
      roomName: c.roomName,
      identity: c.identity,
      connection: { joinedAt: c.joinedAt, attributes: c.attributes },
    })),
  );
  const refused: Eviction[] = [];
  for (const c of parlor) {
    const answer = answers.get(decisionKey(c.roomName, c.identity));
    if (answer && !answer.allowed) refused.push({ ...c, reason: answer.reason });
  }
  return evict(svc, refused);
}

/** Ends a LiveKit room (everyone in it is disconnected); a room LiveKit does not have is fine. */
export async function endLiveKitRoom(svc: Services, name: string): Promise<void> {
  try {
    await svc.livekit.deleteRoom(name);
    svc.logger.info({ event: "access.room_ended", room: name }, "ended a LiveKit room Parlor does not have");
  } catch (error) {
    svc.logger.warn({ err: error }, "could not end a LiveKit room Parlor does not have; reconciliation will");
  }
}

/** The prefix of the LiveKit room names Parlor gives its rooms (rooms/logic.ts): others are not Parlor's to end. */
export const PARLOR_ROOM_PREFIX = "parlor-";
export const isParlorRoomName = (name: string) =>
  name.startsWith(PARLOR_ROOM_PREFIX) && name !== "parlor-health-check";
