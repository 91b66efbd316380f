/**
 * The lobby: people asking to join a room wait here until a moderator admits or denies them.
 * Guests whose link says knock wait here, and so does everyone but the room's moderators while
 * the room is locked. Every change is announced on the presence channel (LISTEN/NOTIFY), so
 * moderators' calls, team pages and the people waiting hear of it at once.
 */
import { schema, type LobbyStatus } from "@parlor/db";
import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";

import { notFound } from "../lib/errors";
import { requireModerator } from "../calls/moderation";
import { notifyPresenceChanged } from "../lib/announce";
import { isGuestIdentity } from "../lib/call";
import { LOBBY_TIMEOUT_SECONDS } from "./schemas";
import type { Services } from "../lib/services";
import { canManage, requireMembership, type Actor } from "../teams/logic";

type RoomRef = { teamSlug: string; roomSlug: string };

const waitingSince = (svc: Services) => new Date(svc.clock().getTime() - LOBBY_TIMEOUT_SECONDS * 1000);

/** Requests still waiting (not answered, not lapsed) in the given rooms, oldest first. */
export async function waitingIn(svc: Services, roomIds: string[]) {
  if (roomIds.length === 0) return [];
  const r = schema.lobbyRequests;
  return svc.db
    .select({ id: r.id, roomId: r.roomId, identity: r.identity, name: r.name, createdAt: r.createdAt })
    .from(r)
    .where(and(inArray(r.roomId, roomIds), eq(r.status, "waiting"), gt(r.createdAt, waitingSince(svc))))
    .orderBy(r.createdAt)
    .then((rows) => rows.map((row) => ({ ...row, isGuest: isGuestIdentity(row.identity) })));
}

export async function listLobby(svc: Services, actor: Actor, ref: RoomRef) {
  const room = await requireModerator(svc, actor, ref);
  const waiting = await waitingIn(svc, [room.id]);
  return waiting.map(({ roomId: _roomId, ...request }) => request);
}

/** Admits or denies one waiting request; the person's page hears of it through the presence channel. */
export async function decide(
  svc: Services,
  actor: Actor,
  ref: RoomRef,
  requestId: string,
  status: Exclude<LobbyStatus, "waiting">,
) {
  const room = await requireModerator(svc, actor, ref);
  const r = schema.lobbyRequests;
  await svc.db.transaction(async (tx) => {
    const [decided] = await tx
      .update(r)
      .set({ status, decidedBy: actor.id, decidedAt: svc.clock() })
      .where(
        and(
          eq(r.id, requestId),
          eq(r.roomId, room.id),
          eq(r.status, "waiting"),
          gt(r.createdAt, waitingSince(svc)),
        ),
      )
      .returning({ id: r.id });
    if (!decided) {
      throw notFound("That request is no longer waiting: someone else answered it, or the person left.");
    }
    await notifyPresenceChanged(tx, room.teamId);
  });
  svc.logger.info({ event: `lobby.${status}`, roomId: room.id, by: actor.id }, "lobby request answered");
  return { ok: true as const, status };
}

/** Locks or unlocks the room; the lock lifts by itself when the meeting ends (presence/: the webhook and reconciliation alike). */
export async function setLocked(svc: Services, actor: Actor, ref: RoomRef, locked: boolean) {
  const room = await requireModerator(svc, actor, ref);
  await svc.db.transaction(async (tx) => {
    await tx
      .update(schema.rooms)
      .set({
        lockedAt: locked
          ? sql`coalesce(${schema.rooms.lockedAt}, ${svc.clock().toISOString()}::timestamptz)`
          : null,
      })
      .where(eq(schema.rooms.id, room.id));
    await notifyPresenceChanged(tx, room.teamId);
  });
  svc.logger.info(
    { event: locked ? "room.locked" : "room.unlocked", roomId: room.id, by: actor.id },
    "room lock",
  );
  return { locked };
}

async function memberRoom(svc: Services, actor: Actor, ref: RoomRef) {
  const team = await requireMembership(svc, actor, ref.teamSlug);
  const [room] = await svc.db
    .select({ id: schema.rooms.id, lockedAt: schema.rooms.lockedAt })
    .from(schema.rooms)
    .where(and(eq(schema.rooms.teamId, team.id), eq(schema.rooms.slug, ref.roomSlug)))
    .limit(1);
  if (!room) throw notFound("We could not find that room in this team.");
  return { team, room };
}

export type KnockStatus = "open" | "waiting" | "admitted" | "denied" | "timedOut";

/**
 * Where a member stands at a locked room: `open` when they may go in (not locked, or they
 * moderate it), else their latest knock since the lock.
 */
export async function knockStatus(svc: Services, actor: Actor, ref: RoomRef) {
  const { team, room } = await memberRoom(svc, actor, ref);
  return statusAt(svc, actor, room, canManage(team.role));
}

async function statusAt(
  svc: Services,
  actor: Actor,
  room: { id: string; lockedAt: Date | null },
  moderates: boolean,
): Promise<{ status: KnockStatus; answerBy: Date | null }> {
  if (!room.lockedAt || moderates) return { status: "open", answerBy: null };
  const r = schema.lobbyRequests;
  const [latest] = await svc.db
    .select({ status: r.status, createdAt: r.createdAt })
    .from(r)
    .where(
      and(
        eq(r.roomId, room.id),
        eq(r.userId, actor.id),
        sql`${r.createdAt} >= ${room.lockedAt.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(r.createdAt))
    .limit(1);
  if (!latest) return { status: "timedOut", answerBy: null };
  const answerBy = new Date(latest.createdAt.getTime() + LOBBY_TIMEOUT_SECONDS * 1000);
  if (latest.status === "waiting" && answerBy <= svc.clock()) return { status: "timedOut", answerBy: null };
  return { status: latest.status, answerBy: latest.status === "waiting" ? answerBy : null };
}

/** A member asks to join a locked room. Knocking while a knock waits changes nothing. */
export async function knock(svc: Services, actor: Actor & { name: string }, ref: RoomRef) {
  const { team, room } = await memberRoom(svc, actor, ref);
  const current = await statusAt(svc, actor, room, canManage(team.role));
  // A denied knock stays denied for this lock; a lapsed one may be repeated.
  if (current.status !== "timedOut") return current;
  await svc.rateLimiter.consume(
    `lobby-knock:user:${actor.id}`,
    svc.ratePolicies.lobbyKnock,
    "Too many knocks",
  );
  const [prefs] = await svc.db
    .select({ displayName: schema.userPreferences.displayName })
    .from(schema.userPreferences)
    .where(eq(schema.userPreferences.userId, actor.id));
  await svc.db.transaction(async (tx) => {
    await tx.insert(schema.lobbyRequests).values({
      roomId: room.id,
      userId: actor.id,
      identity: actor.id,
      name: prefs?.displayName || actor.name,
      status: "waiting",
      createdAt: svc.clock(),
    });
    await notifyPresenceChanged(tx, team.id);
  });
  return statusAt(svc, actor, room, false);
}
