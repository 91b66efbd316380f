import { schema } from "@parlor/db";
import { and, eq, isNull, sql } from "drizzle-orm";

import { AppError, forbidden, notFound } from "../lib/errors";
import { notifyPresenceChanged } from "../lib/announce";
import { HAND_ATTRIBUTE, isGuestIdentity, MODERATION_TOPIC, type ModerationNotice } from "../lib/call";
import type { Services } from "../lib/services";
import { canManage, type Actor } from "../teams/logic";

import { REMOVAL_COOLDOWN_SECONDS } from "../access/rule";

/** How long a removed person stays out (see the access rule). */
export { REMOVAL_COOLDOWN_SECONDS };

/**
 * The room and whether the actor may moderate it: team owners and admins, and site admins (who
 * need not be members). Non-members who are not site admins learn nothing of the room.
 */
export async function requireModerator(
  svc: Services,
  actor: Actor,
  where: { teamSlug: string; roomSlug: string } | { roomName: string },
) {
  const [row] = await svc.db
    .select({
      id: schema.rooms.id,
      teamId: schema.rooms.teamId,
      livekitRoomName: schema.rooms.livekitRoomName,
      role: schema.teamMembers.role,
    })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .leftJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.rooms.teamId), eq(schema.teamMembers.userId, actor.id)),
    )
    .where(
      "roomName" in where
        ? eq(schema.rooms.livekitRoomName, where.roomName)
        : and(eq(schema.teams.slug, where.teamSlug), eq(schema.rooms.slug, where.roomSlug)),
    )
    .limit(1);
  if (!row || (!row.role && !actor.isAdmin)) throw notFound("We could not find that room.");
  if (!actor.isAdmin && !(row.role && canManage(row.role))) {
    throw forbidden("Only the team's owners and admins can moderate its rooms.");
  }
  return row;
}

type RoomRef = { teamSlug: string; roomSlug: string } | { roomName: string };

/**
 * Tells the people concerned, in the call, what a moderator did (`to`: only them; else everyone).
 * A notice that cannot be delivered (they left, LiveKit is slow) does not undo the action.
 */
export async function sendModerationNotice(
  svc: Services,
  livekitRoomName: string,
  notice: ModerationNotice,
  to?: string[],
) {
  try {
    await svc.livekit.sendData(livekitRoomName, MODERATION_TOPIC, notice, to);
  } catch (error) {
    svc.logger.debug(
      { reason: error instanceof Error ? error.message : String(error), notice: notice.type },
      "moderation notice not delivered",
    );
  }
}

/**
 * How long the people told that their call ends may take to leave on their own. They leave within
 * a moment; the bound is for a browser that does not, and is generous because a phone or a busy
 * machine can take seconds to act on the notice (closing the room first gives them a dropped
 * connection instead of a clean leave).
 */
const LEAVE_GRACE_MS = 8_000;

/**
 * Closes a LiveKit room after a notice that ends its call (`ended`, `deleted`). Everyone told
 * leaves on their own, which is a clean leave; LiveKit then closes the empty room. Closing it under
 * people still publishing makes their livekit-client renegotiate on a connection it is closing
 * ("could not createOffer with closed peer connection" in their console), so this waits for them,
 * for LEAVE_GRACE_MS at most: after that LiveKit disconnects whoever is left.
 */
export async function closeRoomAfterNotice(svc: Services, livekitRoomName: string): Promise<void> {
  const deadline = performance.now() + LEAVE_GRACE_MS;
  for (let remaining = LEAVE_GRACE_MS; remaining > 0; remaining = deadline - performance.now()) {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<null>((resolve) => (timer = setTimeout(resolve, remaining, null)));
    const people = await Promise.race([
      // A LiveKit that cannot list them cannot be waited on: deleting the room says what is wrong.
      svc.livekit.listParticipants(livekitRoomName).catch(() => []),
      graceOver,
    ]).finally(() => clearTimeout(timer));
    if (!people || people.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, remaining)));
  }
  await svc.livekit.deleteRoom(livekitRoomName);
}

export async function muteParticipant(
  svc: Services,
  actor: Actor & { name: string },
  ref: RoomRef,
  identity: string,
  kind: "audio" | "video",
) {
  const room = await requireModerator(svc, actor, ref);
  const muted = await svc.livekit.muteParticipant(room.livekitRoomName, identity, kind);
  if (muted > 0)
    await sendModerationNotice(svc, room.livekitRoomName, { type: "muted", kind, by: actor.name }, [
      identity,
    ]);
  svc.logger.info({ event: "moderation.mute", roomId: room.id, by: actor.id, kind }, "participant muted");
  return { muted };
}

/** Removes someone from the live room and keeps them out for the cooling-off period. */
export async function removeParticipant(
  svc: Services,
  actor: Actor & { name: string },
  ref: RoomRef,
  identity: string,
) {
  const room = await requireModerator(svc, actor, ref);
  // The rule says no first: should LiveKit fail or answer late, they still cannot come back (a
  // rejoin, a token refresh, reconciliation all refuse them), and trying again is safe.
  const until = new Date(svc.clock().getTime() + REMOVAL_COOLDOWN_SECONDS * 1000);
  const [user] = await svc.db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(sql`${schema.users.id}::text = ${identity}`);
  if (isGuestIdentity(identity)) {
    // A removed guest stays out: their admission is withdrawn, so their pass gets no new token.
    await svc.db
      .update(schema.lobbyRequests)
      .set({ status: "denied", decidedBy: actor.id, decidedAt: svc.clock() })
      .where(and(eq(schema.lobbyRequests.roomId, room.id), eq(schema.lobbyRequests.identity, identity)));
  }
  if (user) {
    await svc.db
      .insert(schema.roomBans)
      .values({ roomId: room.id, userId: user.id, until, createdBy: actor.id })
      .onConflictDoUpdate({
        target: [schema.roomBans.roomId, schema.roomBans.userId],
        set: { until, createdBy: actor.id },
      });
  }
  // Before the removal, so it arrives while they are still connected.
  await sendModerationNotice(svc, room.livekitRoomName, { type: "removed", by: actor.name }, [identity]);
  try {
    await svc.livekit.removeParticipant(room.livekitRoomName, identity);
  } catch (error) {
    // LiveKit does not have them: whatever the records say (a lost or late webhook), they are
    // not in the call, so clearing the records below is the whole removal.
    if (!(error instanceof AppError && error.code === "NOT_FOUND")) throw error;
  }
  // Show them gone at once; LiveKit's participant_left webhook will say the same.
  await svc.db
    .update(schema.participantSessions)
    .set({ leftAt: svc.clock() })
    .where(
      and(
        eq(schema.participantSessions.roomId, room.id),
        eq(schema.participantSessions.identity, identity),
        isNull(schema.participantSessions.leftAt),
      ),
    );
  await notifyPresenceChanged(svc.db, room.teamId);
  svc.logger.info({ event: "moderation.remove", roomId: room.id, by: actor.id }, "participant removed");
  return { ok: true as const, blockedUntil: until };
}

/** Ends the meeting for everyone: LiveKit closes the room and disconnects all. */
export async function endRoom(svc: Services, actor: Actor & { name: string }, ref: RoomRef) {
  const room = await requireModerator(svc, actor, ref);
  // Before closing the room, so everyone still in it learns who ended it.
  await sendModerationNotice(svc, room.livekitRoomName, { type: "ended", by: actor.name });
  await closeRoomAfterNotice(svc, room.livekitRoomName);
  const now = svc.clock();
  await svc.db.transaction(async (tx) => {
    const open = await tx
      .update(schema.roomSessions)
      .set({ endedAt: now })
      .where(and(eq(schema.roomSessions.roomId, room.id), isNull(schema.roomSessions.endedAt)))
      .returning({ id: schema.roomSessions.id });
    for (const session of open) {
      await tx
        .update(schema.participantSessions)
        .set({ leftAt: now })
        .where(
          and(
            eq(schema.participantSessions.roomSessionId, session.id),
            isNull(schema.participantSessions.leftAt),
          ),
        );
    }
  });
  await notifyPresenceChanged(svc.db, room.teamId);
  svc.logger.info({ event: "moderation.end", roomId: room.id, by: actor.id }, "room ended");
  return { ok: true as const };
}

/** Lowers someone's raised hand (see hands.ts). */
export async function lowerHand(svc: Services, actor: Actor, ref: RoomRef, identity: string) {
  const room = await requireModerator(svc, actor, ref);
  await svc.livekit.setParticipantAttributes(room.livekitRoomName, identity, { [HAND_ATTRIBUTE]: "" });
  return { ok: true as const };
}
