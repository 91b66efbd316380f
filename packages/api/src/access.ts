/**
 * Access that outlives the request that granted it: a place in a live call (a LiveKit connection,
 * whose token LiveKit keeps refreshing) and a live-update stream (server-sent events). When a
 * membership, a role or a session ends, both end with it: the person is disconnected from the
 * team's live rooms, and every stream re-checks its session and membership and closes.
 */
import { schema, type Database, type TeamRole, type Transaction } from "@parlor/db";
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { WebhookEvent } from "livekit-server-sdk";

import { AppError, unauthorized } from "./lib/errors";
import { notifyPresenceChanged } from "./presence";
import type { Services } from "./services";
import { canManage } from "./teams";

export const ACCESS_CHANNEL = "parlor_access";

/** Tells every instance that a user's access changed (delivered on commit when sent in a transaction). */
export const notifyAccessChanged = (db: Pick<Transaction, "execute">, userId: string) =>
  db.execute(sql`select pg_notify(${ACCESS_CHANNEL}, ${userId})`);

/**
 * Disconnects a user from every live room of a team through LiveKit. A removed member leaves the
 * call for good (their membership is gone, so no new token); a demoted admin rejoins at once with
 * a member's token, because LiveKit cannot take `roomAdmin` back from a live connection (it is
 * not part of the permissions UpdateParticipant changes, and the tokens LiveKit refreshes for a
 * connection keep the grants it joined with). When LiveKit cannot be reached the change stands:
 * reconciliation disconnects them later (see `enforceMemberships`).
 */
export async function endLiveAccess(
  svc: Services,
  teamId: string,
  userId: string,
  reason: "removed" | "left" | "demoted",
): Promise<number> {
  try {
    const teamRooms = await svc.db
      .select({ id: schema.rooms.id, name: schema.rooms.livekitRoomName })
      .from(schema.rooms)
      .where(eq(schema.rooms.teamId, teamId));
    const live = await svc.livekit.listRooms(teamRooms.map((r) => r.name));
    let disconnected = 0;
    for (const room of live) {
      if (room.numParticipants === 0) continue;
      if (await removeIfPresent(svc, room.name, userId)) disconnected++;
    }
    if (reason !== "demoted" && teamRooms.length > 0) {
      // Show them gone at once; LiveKit's participant_left webhook will say the same.
      const closed = await recordLeft(
        svc,
        teamRooms.map((r) => r.id),
        userId,
      );
      if (closed) await notifyPresenceChanged(svc.db, teamId);
    }
    svc.logger.info(
      { event: "access.live_ended", teamId, userId, reason, disconnected },
      "live access ended",
    );
    return disconnected;
  } catch (error) {
    svc.logger.warn(
      { err: error, teamId, userId, reason },
      "could not disconnect from live rooms; reconciliation will",
    );
    return 0;
  }
}

/** Disconnects one identity from one LiveKit room; false when LiveKit does not have them there. */
async function removeIfPresent(svc: Services, room: string, identity: string): Promise<boolean> {
  try {
    await svc.livekit.removeParticipant(room, identity);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return false;
    throw error;
  }
}

/** Closes an identity's open presence records in the given rooms; how many were open. */
async function recordLeft(svc: Services, roomIds: string[], identity: string): Promise<number> {
  const closed = await svc.db
    .update(schema.participantSessions)
    .set({ leftAt: svc.clock() })
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

export interface LiveRoomPresence {
  roomId: string;
  teamId: string;
  livekitRoomName: string;
  identity: string;
}

/** The live rooms a user is in now, per the presence records (in any team). */
export async function liveRoomsOf(db: Database | Transaction, userId: string): Promise<LiveRoomPresence[]> {
  return db
    .selectDistinct({
      roomId: schema.rooms.id,
      teamId: schema.rooms.teamId,
      livekitRoomName: schema.rooms.livekitRoomName,
      identity: schema.participantSessions.identity,
    })
    .from(schema.participantSessions)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.participantSessions.roomId))
    .where(and(eq(schema.participantSessions.userId, userId), isNull(schema.participantSessions.leftAt)));
}

/**
 * Takes a user out of every live call they are in, in any team (an account disabled or deleted),
 * and records them as gone. Unlike `endLiveAccess`, which asks LiveKit about one team's rooms, this
 * goes by the presence records, because the account (and so its memberships) may already be gone.
 * Someone LiveKit no longer has counts as removed; rooms LiveKit could not be asked about are
 * counted in `failed` so that the caller can say so.
 */
export async function removeFromLiveRooms(
  svc: Services,
  userId: string,
  rooms?: LiveRoomPresence[],
): Promise<{ removed: number; failed: number }> {
  const present = rooms ?? (await liveRoomsOf(svc.db, userId));
  let removed = 0;
  let failed = 0;
  const teams = new Set<string>();
  for (const room of present) {
    try {
      await removeIfPresent(svc, room.livekitRoomName, room.identity);
    } catch {
      failed++;
      continue;
    }
    removed++;
    teams.add(room.teamId);
    await recordLeft(svc, [room.roomId], room.identity);
  }
  for (const teamId of teams) await notifyPresenceChanged(svc.db, teamId);
  if (present.length) svc.logger.info({ userId, removed, failed }, "removed from live calls");
  return { removed, failed };
}

const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** The participant attribute, set from the join token, that says the connection holds `roomAdmin`. */
export const ROOM_ADMIN_ATTRIBUTE = "roomAdmin";

/**
 * Whether a Parlor user's connection to a team's room may stay: they are a member of the team
 * (`role`), not banned from the room, and hold `roomAdmin` only while they manage the team.
 */
export const keepsAccess = (
  role: TeamRole | null | undefined,
  banned: boolean,
  attributes: Record<string, string>,
): boolean => !!role && (attributes[ROOM_ADMIN_ATTRIBUTE] !== "true" || canManage(role)) && !banned;

/**
 * The backstop of `endLiveAccess`, run by reconciliation: disconnects every Parlor user LiveKit
 * lists in a team's room who is no longer a member of that team, or whose connection holds
 * `roomAdmin` (per its token's attributes, which participants cannot change) although they no
 * longer manage the team, or whom a moderator removed from that room less than the cooling-off
 * period ago: removals and demotions whose LiveKit calls failed, and reconnections with tokens
 * minted before them. Identities that are
 * not Parlor users (agents, egress) are left alone.
 */
export async function enforceMemberships(
  svc: Services,
  rooms: {
    name: string;
    teamId: string;
    participants: { identity: string; attributes: Record<string, string> }[];
  }[],
): Promise<number> {
  const userIds = [...new Set(rooms.flatMap((r) => r.participants.map((p) => p.identity).filter(isUuid)))];
  if (userIds.length === 0) return 0;
  const [users, memberships, bans] = await Promise.all([
    svc.db.select({ id: schema.users.id }).from(schema.users).where(inArray(schema.users.id, userIds)),
    svc.db
      .select({
        teamId: schema.teamMembers.teamId,
        userId: schema.teamMembers.userId,
        role: schema.teamMembers.role,
      })
      .from(schema.teamMembers)
      .where(inArray(schema.teamMembers.userId, userIds)),
    svc.db
      .select({ room: schema.rooms.livekitRoomName, userId: schema.roomBans.userId })
      .from(schema.roomBans)
      .innerJoin(schema.rooms, eq(schema.rooms.id, schema.roomBans.roomId))
      .where(and(inArray(schema.roomBans.userId, userIds), gt(schema.roomBans.until, svc.clock()))),
  ]);
  const known = new Set(users.map((u) => u.id));
  const roles = new Map(memberships.map((m) => [`${m.teamId}/${m.userId}`, m.role]));
  const banned = new Set(bans.map((b) => `${b.room}/${b.userId}`));
  let evicted = 0;
  for (const room of rooms) {
    for (const { identity, attributes } of room.participants) {
      if (!known.has(identity)) continue;
      const role = roles.get(`${room.teamId}/${identity}`);
      if (keepsAccess(role, banned.has(`${room.name}/${identity}`), attributes)) continue;
      if (await removeIfPresent(svc, room.name, identity)) evicted++;
    }
  }
  if (evicted) {
    svc.logger.info({ event: "access.evicted", evicted }, "disconnected people who lost their access");
  }
  return evicted;
}

/**
 * Checks a participant LiveKit just reported joining a room of team `teamId`: someone removed from the team or the room
 * (or demoted) may still hold a join token minted before, valid for minutes and accepted by
 * LiveKit without asking Parlor, so a join is checked at once, not only at the next reconciliation.
 * The webhook calls it only when the statement that recorded the join read a lost access
 * (`applyWebhookEvent`); this check is the authority and removes them.
 */
export async function enforceOnJoin(svc: Services, event: WebhookEvent, teamId: string): Promise<void> {
  const participant = event.participant;
  const roomName = event.room?.name;
  if (event.event !== "participant_joined" || !participant || !roomName || !isUuid(participant.identity)) {
    return;
  }
  await enforceMemberships(svc, [
    {
      name: roomName,
      teamId,
      participants: [{ identity: participant.identity, attributes: { ...participant.attributes } }],
    },
  ]);
}

export interface LiveStreamPolicy {
  /** Streams held open at once per session, and per user (on each web instance). */
  perSession: number;
  perUser: number;
  /** Streams re-check their access this often even when no change is announced (e.g. a session's expiry). */
  recheckMs: number;
}

export const LIVE_STREAM_POLICY: LiveStreamPolicy = { perSession: 5, perUser: 20, recheckMs: 60_000 };

export interface StreamHolder {
  sessionId: string;
  userId: string;
}

/** Counts the live-update streams open in this process. */
export function createLiveStreamRegistry(policy: LiveStreamPolicy = LIVE_STREAM_POLICY) {
  const bySession = new Map<string, number>();
  const byUser = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  return {
    policy,
    /** Counts one more stream; TOO_MANY_REQUESTS past a cap. The returned release may be called any number of times. */
    claim(holder: StreamHolder): () => void {
      if ((bySession.get(holder.sessionId) ?? 0) >= policy.perSession) {
        throw tooManyLiveStreams(`Too many live updates open in this browser (at most ${policy.perSession})`);
      }
      if ((byUser.get(holder.userId) ?? 0) >= policy.perUser) {
        throw tooManyLiveStreams(`Too many live updates open for your account (at most ${policy.perUser})`);
      }
      bump(bySession, holder.sessionId, 1);
      bump(byUser, holder.userId, 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bump(bySession, holder.sessionId, -1);
        bump(byUser, holder.userId, -1);
      };
    },
  };
}

export type LiveStreamRegistry = ReturnType<typeof createLiveStreamRegistry>;

const tooManyLiveStreams = (what: string) =>
  new AppError(
    "TOO_MANY_REQUESTS",
    `${what}. Close some Parlor tabs, then reload this page; until then it still refreshes on its own, only less often.`,
    { retryAfterSeconds: 30 },
  );

/** What a stream relies on beyond its session: membership of one team, or being a site admin. */
export type StreamScope = { teamId: string } | "site-admin";

type AccessState = "held" | "signed-out" | "withdrawn";

/** Whether the session is still valid and still grants the stream's scope. */
export async function accessState(
  svc: Services,
  holder: StreamHolder,
  scope: StreamScope,
): Promise<AccessState> {
  const now = new Date(); // sessions expire on the wall clock (Lucia's), not the service clock
  const [row] = await svc.db
    .select({
      email: schema.users.email,
      isAdmin: schema.users.isAdmin,
      member:
        scope === "site-admin"
          ? sql<boolean>`false`
          : sql<boolean>`exists (select 1 from ${schema.teamMembers} m where m.team_id = ${scope.teamId} and m.user_id = ${schema.users.id})`,
    })
    .from(schema.sessions)
    .innerJoin(schema.users, eq(schema.users.id, schema.sessions.userId))
    .where(
      and(
        eq(schema.sessions.id, holder.sessionId),
        eq(schema.sessions.userId, holder.userId),
        gt(schema.sessions.expiresAt, now),
        gt(schema.sessions.absoluteExpiresAt, now),
      ),
    );
  if (!row) return "signed-out";
  const allowed =
    scope === "site-admin" ? row.isAdmin || svc.config.adminEmails.has(row.email) : Boolean(row.member);
  return allowed ? "held" : "withdrawn";
}

/**
 * Wraps a live-update stream so it counts against the caps and closes with an error as soon as
 * its access is gone: re-checked when an access change for its user is announced (any instance),
 * once right after it opens (a change between the caller's check and the subscription), and every
 * `policy.recheckMs`. Throws TOO_MANY_REQUESTS at once, before any stream opens, past a cap.
 */
export function guardLiveStream<T>(
  svc: Services,
  holder: StreamHolder,
  scope: StreamScope,
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncIterable<T> {
  const release = svc.liveStreams.claim(holder);
  signal?.addEventListener("abort", release, { once: true });
  return (async function* guarded() {
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener("abort", stop, { once: true });
    let ended = "held" as AccessState;
    const recheck = async () => {
      if (controller.signal.aborted) return;
      try {
        ended = await accessState(svc, holder, scope);
      } catch (error) {
        // The database did not answer: keep the stream; the next check decides.
        svc.logger.warn({ err: error }, "could not re-check a live stream's access");
        return;
      }
      if (ended !== "held") controller.abort();
    };
    const stopListening = svc.presenceBus.onAccessChange(holder.userId, () => void recheck());
    const timer = setInterval(() => void recheck(), svc.liveStreams.policy.recheckMs);
    timer.unref?.();
    try {
      await svc.presenceBus.ready();
      await recheck();
      if (!controller.signal.aborted) yield* source(controller.signal);
    } finally {
      clearInterval(timer);
      stopListening();
      signal?.removeEventListener("abort", stop);
      release();
      controller.abort();
    }
    if (ended === "signed-out")
      throw unauthorized("Your session has ended. Sign in again to see live updates.");
    if (ended === "withdrawn") {
      throw new AppError("FORBIDDEN", "You no longer have access to these live updates. Reload the page.");
    }
  })();
}
