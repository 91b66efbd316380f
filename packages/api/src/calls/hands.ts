/**
 * Raised hands. The server sets them as a LiveKit participant attribute, so everyone in the call
 * (late joiners too) sees them and their order, and nobody can raise or lower someone else's
 * hand; moderators lower hands through moderation.ts.
 */
import { schema } from "@parlor/db";
import { and, eq } from "drizzle-orm";

import { mayBeInRoom, refusalError } from "../access/rule";
import { notFound } from "../lib/errors";
import { HAND_ATTRIBUTE } from "../lib/call";
import type { Services } from "../lib/services";
import type { Actor } from "../teams/logic";

export async function setOwnHand(
  svc: Services,
  actor: Actor,
  ref: { teamSlug: string; roomSlug: string },
  raised: boolean,
) {
  const [room] = await svc.db
    .select({ livekitRoomName: schema.rooms.livekitRoomName })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .innerJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.rooms.teamId), eq(schema.teamMembers.userId, actor.id)),
    )
    .where(and(eq(schema.teams.slug, ref.teamSlug), eq(schema.rooms.slug, ref.roomSlug)))
    .limit(1);
  if (!room) throw notFound("We could not find that room in this team.");
  const now = svc.clock();
  const access = await mayBeInRoom(
    { db: svc.db, now, adminEmails: [...svc.config.adminEmails] },
    { roomName: room.livekitRoomName, identity: actor.id },
  );
  if (!access.allowed) throw refusalError(access, now);
  const raisedAt = raised ? svc.clock().toISOString() : "";
  await svc.livekit.setParticipantAttributes(room.livekitRoomName, actor.id, { [HAND_ATTRIBUTE]: raisedAt });
  return { raised, raisedAt: raised ? raisedAt : null };
}
