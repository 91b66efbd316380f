/**
 * A room's chat, kept beyond the call. Messages are stored, then delivered to everyone in the
 * call by LiveKit (data sent by the server on the chat topic), so browsers never trust each other
 * for what was said: what they show comes from Parlor.
 */
import { schema } from "@parlor/db";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";

import { accessFacts, factsFromRow, judge, refusalError, type AccessDecision } from "../access/rule";
import { guestStatus } from "../guests/logic";
import type { GuestSession } from "../lib/requester";
import { forbidden, notFound, roomEncrypted } from "../lib/errors";
import { containsPattern } from "../lib/search";
import { participantDisplayName } from "../calls/livekit-room";
import { CHAT_TOPIC } from "./schemas";
import type { Services } from "../lib/services";
import { canManage, type Actor } from "../teams/logic";

export interface ChatMessage {
  id: string;
  authorIdentity: string;
  authorName: string;
  body: string;
  createdAt: Date;
  meetingId: string | null;
}

/** What the call receives on the chat topic. */
export type ChatEvent = { type: "message"; message: ChatMessage } | { type: "deleted"; id: string };

interface RoomRef {
  teamSlug: string;
  roomSlug: string;
}

const ROOM_NOT_FOUND = "We could not find that room in this team.";

/** Encrypted rooms' chat goes from browser to browser, encrypted; the server neither sees nor keeps it. */
function refuseIfEncrypted(room: { encrypted: boolean }) {
  if (room.encrypted) {
    throw roomEncrypted(
      "This room is end-to-end encrypted: its chat goes straight between the people in the call and is not saved. Write in the call's chat instead.",
    );
  }
}

/**
 * The room, the actor's role in its team (site admins may moderate without being members), the
 * live meeting, the name the actor has in it and the access rule's answer for the actor (may they
 * be in this call now: access/rule.ts), in one query.
 */
async function roomForChat(svc: Services, actor: Actor, ref: RoomRef) {
  const now = svc.clock();
  const [row] = await svc.db
    .select({
      id: schema.rooms.id,
      lockedAt: schema.rooms.lockedAt,
      maxParticipants: schema.rooms.maxParticipants,
      teamId: schema.rooms.teamId,
      livekitRoomName: schema.rooms.livekitRoomName,
      encrypted: schema.rooms.e2ee,
      role: schema.teamMembers.role,
      meetingId: sql<string | null>`(
        select s.id from ${schema.roomSessions} s
        where s.room_id = ${schema.rooms.id} and s.ended_at is null
        order by s.started_at desc limit 1
      )`,
      // What a message written now belongs to: the meeting under way once someone is in it
      // (LiveKit's room exists from its creation, before anyone joins).
      meetingInUse: sql<string | null>`(
        select s.id from ${schema.roomSessions} s
        where s.room_id = ${schema.rooms.id} and s.ended_at is null
          and exists (select 1 from ${schema.participantSessions} p
            where p.room_session_id = s.id and p.left_at is null)
        order by s.started_at desc limit 1
      )`,
      nameInCall: sql<string | null>`(
        select p.name from ${schema.participantSessions} p
        where p.room_id = ${schema.rooms.id} and p.identity = ${actor.id} and p.left_at is null
        order by p.joined_at desc limit 1
      )`,
      displayName: schema.userPreferences.displayName,
      ...accessFacts(
        {
          roomId: sql`${schema.rooms.id}`,
          teamId: sql`${schema.rooms.teamId}`,
          lockedAt: sql`${schema.rooms.lockedAt}`,
          identity: sql`${actor.id}::text`,
          userId: sql`${actor.id}::uuid`,
          now: sql`${now.toISOString()}::timestamptz`,
        },
        { adminEmails: [...svc.config.adminEmails], capacity: false },
      ),
    })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .leftJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.rooms.teamId), eq(schema.teamMembers.userId, actor.id)),
    )
    .leftJoin(schema.userPreferences, eq(schema.userPreferences.userId, actor.id))
    .where(and(eq(schema.teams.slug, ref.teamSlug), eq(schema.rooms.slug, ref.roomSlug)))
    .limit(1);
  if (!row || (!row.role && !actor.isAdmin)) throw notFound(ROOM_NOT_FOUND);
  const access: AccessDecision = judge(
    actor.id,
    factsFromRow(
      {
        id: row.id,
        teamId: row.teamId,
        livekitRoomName: row.livekitRoomName,
        lockedAt: row.lockedAt,
        e2ee: row.encrypted,
        maxParticipants: row.maxParticipants,
      },
      row,
    ),
    "connection",
    now,
  );
  /** Refuses whom the rule keeps out of the call: the call's chat is part of the call. */
  const requireInCall = () => {
    if (!access.allowed) throw refusalError(access, now);
  };
  return {
    ...row,
    moderator: actor.isAdmin || (row.role !== null && canManage(row.role)),
    mayBeInCall: access.allowed,
    requireInCall,
  };
}

const toMessage = (row: typeof schema.chatMessages.$inferSelect): ChatMessage => ({
  id: row.id,
  authorIdentity: row.authorIdentity,
  authorName: row.authorName,
  body: row.body,
  createdAt: row.createdAt,
  meetingId: row.roomSessionId,
});

/** Sends an event to everyone in the call; the message is stored whatever LiveKit says. */
async function broadcast(svc: Services, livekitRoomName: string, event: ChatEvent) {
  try {
    await svc.livekit.sendData(livekitRoomName, CHAT_TOPIC, event);
  } catch (error) {
    // Nobody in the call, or LiveKit unreachable: the message is kept and shown on the next load.
    svc.logger.debug(
      { reason: error instanceof Error ? error.message : String(error) },
      "chat event not delivered live",
    );
  }
}

/** The room's recent messages, oldest first (or one meeting's, from the history). */
export async function listMessages(
  svc: Services,
  actor: Actor,
  ref: RoomRef & { meetingId?: string; before?: Date; limit: number },
): Promise<ChatMessage[]> {
  const room = await roomForChat(svc, actor, ref);
  refuseIfEncrypted(room);
  // The live chat is the call's: for those the rule lets in (and site admins, who moderate). A past
  // meeting's chat is history, which every member reads.
  const history = ref.meetingId !== undefined && ref.meetingId !== room.meetingId;
  if (!history && !(actor.isAdmin && !room.role)) room.requireInCall();
  const rows = await svc.db
    .select()
    .from(schema.chatMessages)
    .where(
      and(
        eq(schema.chatMessages.roomId, room.id),
        ref.meetingId ? eq(schema.chatMessages.roomSessionId, ref.meetingId) : undefined,
        ref.before ? lt(schema.chatMessages.createdAt, ref.before) : undefined,
      ),
    )
    .orderBy(desc(schema.chatMessages.createdAt), desc(schema.chatMessages.id))
    .limit(ref.limit);
  return rows.reverse().map(toMessage);
}

export async function sendMessage(
  svc: Services,
  actor: Actor & { name: string },
  ref: RoomRef,
  body: string,
) {
  const room = await roomForChat(svc, actor, ref);
  if (!room.role) throw forbidden("Only members of the team can write in its rooms.");
  refuseIfEncrypted(room);
  room.requireInCall();
  await svc.rateLimiter.consume(`chat:user:${actor.id}`, svc.ratePolicies.chatSend, "Too many messages");
  const [row] = await svc.db
    .insert(schema.chatMessages)
    .values({
      roomId: room.id,
      roomSessionId: room.meetingInUse,
      authorId: actor.id,
      authorIdentity: actor.id,
      authorName: participantDisplayName(room.nameInCall, room.displayName, actor.name),
      body,
    })
    .returning();
  const message = toMessage(row!);
  await broadcast(svc, room.livekitRoomName, { type: "message", message });
  return message;
}

/** The author may delete their message; owners, admins and site admins any message. */
export async function deleteMessage(svc: Services, actor: Actor, ref: RoomRef, messageId: string) {
  const room = await roomForChat(svc, actor, ref);
  const [message] = await svc.db
    .select({ authorId: schema.chatMessages.authorId })
    .from(schema.chatMessages)
    .where(and(eq(schema.chatMessages.id, messageId), eq(schema.chatMessages.roomId, room.id)))
    .limit(1);
  if (!message) throw notFound("That message was already deleted.");
  if (message.authorId !== actor.id && !room.moderator) {
    throw forbidden("You can delete your own messages; owners and admins can delete any.");
  }
  if (!room.moderator) room.requireInCall();
  await svc.db.delete(schema.chatMessages).where(eq(schema.chatMessages.id, messageId));
  await broadcast(svc, room.livekitRoomName, { type: "deleted", id: messageId });
  return { ok: true as const };
}

/** Deletes messages older than their team's retention period. Returns how many went. */
export async function pruneChat(svc: Services): Promise<number> {
  const deleted = await svc.db
    .delete(schema.chatMessages)
    .where(
      sql`${schema.chatMessages.createdAt} < ${svc.clock().toISOString()}::timestamptz - make_interval(days => (
        select t.chat_retention_days from ${schema.rooms} r join ${schema.teams} t on t.id = r.team_id
        where r.id = ${schema.chatMessages.roomId}
      ))`,
    )
    .returning({ id: schema.chatMessages.id });
  return deleted.length;
}

async function teamForRetention(svc: Services, actor: Actor, teamSlug: string) {
  const [row] = await svc.db
    .select({ id: schema.teams.id, role: schema.teamMembers.role, days: schema.teams.chatRetentionDays })
    .from(schema.teams)
    .innerJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.teams.id), eq(schema.teamMembers.userId, actor.id)),
    )
    .where(eq(schema.teams.slug, teamSlug))
    .limit(1);
  if (!row) throw notFound("We could not find that team, or you are not a member of it.");
  return row;
}

/** How long the team keeps chat; every member may know. */
export async function chatRetention(svc: Services, actor: Actor, teamSlug: string) {
  const team = await teamForRetention(svc, actor, teamSlug);
  return { chatRetentionDays: team.days, canChange: team.role === "owner" };
}

/** Owners set how long their team's chat is kept; older messages go at the next pruning. */
export async function setChatRetention(svc: Services, actor: Actor, teamSlug: string, days: number) {
  const row = await teamForRetention(svc, actor, teamSlug);
  if (row.role !== "owner") throw forbidden("Only the team's owners can change how long chat is kept.");
  await svc.db.update(schema.teams).set({ chatRetentionDays: days }).where(eq(schema.teams.id, row.id));
  return { chatRetentionDays: days };
}

/**
 * Guests (guests/logic.ts) write and read the chat of the one room their pass is for, once admitted,
 * and see only the meeting under way: the room's earlier conversations are the team's.
 */
async function requireAdmittedGuest(svc: Services, guest: GuestSession) {
  const { status } = await guestStatus(svc, guest);
  if (status !== "admitted") throw forbidden("Only guests in the call can use its chat.");
  refuseIfEncrypted({ encrypted: guest.room.e2ee });
  const [meeting] = await svc.db
    .select({ id: schema.roomSessions.id })
    .from(schema.roomSessions)
    .where(and(eq(schema.roomSessions.roomId, guest.room.id), isNull(schema.roomSessions.endedAt)))
    .orderBy(desc(schema.roomSessions.startedAt))
    .limit(1);
  return meeting?.id ?? null;
}

/** The meeting's messages so far, oldest first, for a guest in it. */
export async function listMessagesForGuest(svc: Services, guest: GuestSession, limit: number) {
  const meetingId = await requireAdmittedGuest(svc, guest);
  if (!meetingId) return [];
  const rows = await svc.db
    .select()
    .from(schema.chatMessages)
    .where(
      and(eq(schema.chatMessages.roomId, guest.room.id), eq(schema.chatMessages.roomSessionId, meetingId)),
    )
    .orderBy(desc(schema.chatMessages.createdAt), desc(schema.chatMessages.id))
    .limit(limit);
  return rows.reverse().map(toMessage);
}

/** A guest's message, under their guest name, delivered like anyone's. */
export async function sendMessageAsGuest(svc: Services, guest: GuestSession, body: string) {
  const meetingId = await requireAdmittedGuest(svc, guest);
  await svc.rateLimiter.consume(`chat:guest:${guest.id}`, svc.ratePolicies.chatSend, "Too many messages");
  const [row] = await svc.db
    .insert(schema.chatMessages)
    .values({
      roomId: guest.room.id,
      roomSessionId: meetingId,
      authorId: null,
      authorIdentity: guest.identity,
      authorName: guest.name,
      body,
    })
    .returning();
  const message = toMessage(row!);
  await broadcast(svc, guest.room.livekitRoomName, { type: "message", message });
  return message;
}

export interface ChatSearchHit extends ChatMessage {
  /** When the meeting it was written in began; null for a message written outside any meeting. */
  meetingStartedAt: Date | null;
}

/**
 * The room's chat over all its meetings, newest first: messages holding every word of the query,
 * in any case. Members read the room's history, so they search it; the meeting under way only
 * for those the rule lets into the call, as its live chat.
 */
export async function searchMessages(
  svc: Services,
  actor: Actor,
  ref: RoomRef & { query: string; before?: Date; limit: number },
): Promise<{ hits: ChatSearchHit[]; more: boolean }> {
  const room = await roomForChat(svc, actor, ref);
  refuseIfEncrypted(room);
  const seesLiveMeeting = (actor.isAdmin && !room.role) || room.mayBeInCall;
  const words = [...new Set(ref.query.toLowerCase().split(/\s+/).filter(Boolean))].slice(0, 8);
  const m = schema.chatMessages;
  const rows = await svc.db
    .select({ message: m, meetingStartedAt: schema.roomSessions.startedAt })
    .from(m)
    .leftJoin(schema.roomSessions, eq(schema.roomSessions.id, m.roomSessionId))
    .where(
      and(
        eq(m.roomId, room.id),
        ...words.map((word) => sql`${m.body} ilike ${containsPattern(word)}`),
        ref.before ? lt(m.createdAt, ref.before) : undefined,
        !seesLiveMeeting && room.meetingId
          ? sql`${m.roomSessionId} is distinct from ${room.meetingId}::uuid`
          : undefined,
      ),
    )
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(ref.limit + 1);
  return {
    hits: rows
      .slice(0, ref.limit)
      .map((r) => ({ ...toMessage(r.message), meetingStartedAt: r.meetingStartedAt })),
    more: rows.length > ref.limit,
  };
}
