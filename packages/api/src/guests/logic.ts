/**
 * Guests: people without an account, let into one room by a guest link. A link's token and a
 * guest's cookie token are both random and stored only as SHA-256 hashes. A guest session is
 * bound to the link's room and reaches only the guest.* procedures; LiveKit sees the guest as
 * `guest-<random>` with the `parlor.guest` attribute and no room admin rights.
 */
import { schema } from "@parlor/db";
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type * as z from "zod";

import { guestCookies, type SessionCookie } from "../lib/lucia";
import type { RequestMeta } from "../lib/request-meta";
import { randomToken, sha256Hex } from "../lib/crypto";
import {
  accessFacts,
  factsFromRow,
  linkMakerMay,
  judge,
  LINK_REVOKED,
  mayBeInRoom,
  reDecide,
  refusalError,
} from "../access";
import { REMOVAL_COOLDOWN_SECONDS } from "../access/rule";
import { conflict, forbidden, notFound, roomEncrypted } from "../lib/errors";
import { notifyPresenceChanged } from "../lib/announce";
import { liveKitOptions, participantDisplayName } from "../calls/livekit-room";
import { GUEST_ATTRIBUTE, GUEST_IDENTITY_PREFIX, HAND_ATTRIBUTE } from "../lib/call";
import { LOBBY_TIMEOUT_SECONDS, type createGuestLinkInput } from "./schemas";
import { resolveGuestToken, type GuestSession } from "../lib/requester";
import type { Services } from "../lib/services";
import { canManage, requireMembership, type Actor } from "../teams/logic";

/** A guest pass lasts this long from joining, however long the link lives. */
export const GUEST_SESSION_HOURS = 12;

const LINK_UNKNOWN =
  "This guest link is not valid. Check that you copied all of it, or ask the person who sent it for a new one.";
const LINK_EXPIRED = "This guest link has expired. Ask the person who sent it for a new one.";

type RoomRef = { teamSlug: string; roomSlug: string };

export type GuestStatus = "waiting" | "admitted" | "denied" | "timedOut" | "revoked";

/**
 * Who may create and revoke a room's guest links: its moderators (team owners and admins, site
 * admins), and plain members when the team allows it.
 */
async function requireLinkManager(svc: Services, actor: Actor, ref: RoomRef) {
  const [row] = await svc.db
    .select({
      room: {
        id: schema.rooms.id,
        teamId: schema.rooms.teamId,
        livekitRoomName: schema.rooms.livekitRoomName,
        e2ee: schema.rooms.e2ee,
      },
      membersMay: schema.teams.membersCreateGuestLinks,
      role: schema.teamMembers.role,
    })
    .from(schema.rooms)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .leftJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.rooms.teamId), eq(schema.teamMembers.userId, actor.id)),
    )
    .where(and(eq(schema.teams.slug, ref.teamSlug), eq(schema.rooms.slug, ref.roomSlug)))
    .limit(1);
  if (!row || (!row.role && !actor.isAdmin)) throw notFound("We could not find that room.");
  const allowed = actor.isAdmin || (row.role && (canManage(row.role) || row.membersMay));
  if (!allowed) throw forbidden("Only the team's owners and admins can invite guests to this room.");
  return row.room;
}

export async function createGuestLink(
  svc: Services,
  actor: Actor,
  input: z.output<typeof createGuestLinkInput>,
  appOrigin: string,
) {
  const room = await requireLinkManager(svc, actor, input);
  refuseEncrypted(room);
  await svc.rateLimiter.consume(
    `guest-link-create:user:${actor.id}`,
    svc.ratePolicies.guestLinkCreate,
    "Too many guest links",
  );
  const token = randomToken(24);
  const expiresAt = new Date(svc.clock().getTime() + input.expiresInHours * 3_600_000);
  const [link] = await svc.db
    .insert(schema.guestLinks)
    .values({
      roomId: room.id,
      tokenHash: sha256Hex(token),
      requireKnock: input.requireKnock,
      createdBy: actor.id,
      expiresAt,
    })
    .returning({ id: schema.guestLinks.id });
  svc.logger.info({ event: "guest-link.created", roomId: room.id, by: actor.id }, "guest link created");
  return { id: link!.id, token, url: `${appOrigin}/g/${token}`, expiresAt, requireKnock: input.requireKnock };
}

/** The room's links still usable, newest first; the tokens are not stored, so not shown. */
export async function listGuestLinks(svc: Services, actor: Actor, ref: RoomRef) {
  const room = await requireLinkManager(svc, actor, ref);
  const l = schema.guestLinks;
  return svc.db
    .select({
      id: l.id,
      requireKnock: l.requireKnock,
      guestCount: l.guestCount,
      expiresAt: l.expiresAt,
      createdAt: l.createdAt,
      createdByName: schema.users.name,
    })
    .from(l)
    .leftJoin(schema.users, eq(schema.users.id, l.createdBy))
    .where(and(eq(l.roomId, room.id), isNull(l.revokedAt), gt(l.expiresAt, svc.clock())))
    .orderBy(desc(l.createdAt));
}

/**
 * Withdraws a link: its guests waiting in the lobby are turned away, its guests in the call are
 * removed, and their guest passes stop working.
 */
export async function revokeGuestLink(svc: Services, actor: Actor, ref: RoomRef & { linkId: string }) {
  const room = await requireLinkManager(svc, actor, ref);
  const now = svc.clock();
  const identities = await svc.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(schema.guestLinks)
      .set({ revokedAt: sql`coalesce(${schema.guestLinks.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(schema.guestLinks.id, ref.linkId), eq(schema.guestLinks.roomId, room.id)))
      .returning({ id: schema.guestLinks.id });
    if (!revoked) throw notFound("That guest link does not exist.");
    const guests = await tx
      .select({ id: schema.guestSessions.id, identity: schema.guestSessions.identity })
      .from(schema.guestSessions)
      .where(eq(schema.guestSessions.linkId, revoked.id));
    await tx
      .update(schema.lobbyRequests)
      .set({ status: "denied", decidedBy: actor.id, decidedAt: now })
      .where(
        and(
          eq(schema.lobbyRequests.status, "waiting"),
          sql`${schema.lobbyRequests.guestSessionId} in (select id from guest_sessions where link_id = ${revoked.id})`,
        ),
      );
    await notifyPresenceChanged(tx, room.teamId);
    return guests.map((g) => g.identity);
  });

  // A withdrawn link's guests may no longer be in the call (the access rule): out now.
  const removed = identities.length
    ? (await reDecide(svc, { roomNames: [room.livekitRoomName] })).evicted
    : 0;
  svc.logger.info(
    { event: "guest-link.revoked", roomId: room.id, by: actor.id, removed },
    "guest link revoked",
  );
  return { ok: true as const, removedFromCall: removed };
}

async function findLink(svc: Services, token: string) {
  const [row] = await svc.db
    .select({
      link: schema.guestLinks,
      makerMay: linkMakerMay(sql`${schema.guestLinks.createdBy}`, sql`${schema.rooms.teamId}`, [
        ...svc.config.adminEmails,
      ]).mapWith(Boolean),
      room: schema.rooms,
      team: { id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name },
    })
    .from(schema.guestLinks)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.guestLinks.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(eq(schema.guestLinks.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) throw notFound(LINK_UNKNOWN);
  return row;
}

/**
 * Guests join without an account through a link Parlor's server makes: an encrypted room's
 * passphrase is not Parlor's to hand out, and a guest joining unencrypted would send their
 * camera and microphone in the clear into an encrypted call.
 */
function refuseEncrypted(room: { e2ee: boolean }) {
  if (room.e2ee) {
    throw roomEncrypted(
      "This room is end-to-end encrypted, and guest links don't open encrypted rooms. Ask whoever invited you to invite you to the team, or to use a room that is not encrypted.",
    );
  }
}

function assertUsable(
  svc: Services,
  { link, makerMay }: { link: typeof schema.guestLinks.$inferSelect; makerMay: boolean },
) {
  if (link.revokedAt) throw forbidden(LINK_REVOKED);
  if (link.expiresAt <= svc.clock()) throw forbidden(LINK_EXPIRED);
  if (!makerMay) throw refusalError({ allowed: false, reason: "link-maker-lost-rights" }, svc.clock());
}

/** What the guest page shows before joining; with this link's guest pass, where the guest stands. */
export async function previewGuestLink(svc: Services, token: string, guest: GuestSession | null) {
  const found = await findLink(svc, token);
  const { link, room, team } = found;
  assertUsable(svc, found);
  refuseEncrypted(room);
  const mine = guest && guest.linkId === link.id ? await guestStatus(svc, guest) : null;
  return {
    teamName: team.name,
    roomName: room.name,
    requireKnock: link.requireKnock || room.lockedAt !== null,
    expiresAt: link.expiresAt,
    guest: mine,
  };
}

/** Counts a guest join or knock against the link's and the address's limits. */
async function consumeGuestLimits(svc: Services, linkId: string, ip: string | null) {
  if (ip)
    await svc.rateLimiter.consume(`guest-join:ip:${ip}`, svc.ratePolicies.guestJoinIp, "Too many tries");
  await svc.rateLimiter.consume(
    `guest-join:link:${linkId}`,
    svc.ratePolicies.guestJoinLink,
    "Too many people are trying this link",
  );
}

/**
 * Joins through a guest link under `name`: a new guest pass (the returned cookie holds its only
 * copy) and a request that is admitted at once or waits in the lobby. A link lets in at most as
 * many guests as the room holds.
 */
export async function joinAsGuest(
  svc: Services,
  meta: Pick<RequestMeta, "ip" | "secure">,
  token: string,
  name: string,
): Promise<{ cookie: SessionCookie; status: Awaited<ReturnType<typeof guestStatus>> }> {
  const found = await findLink(svc, token);
  const { link, room, team } = found;
  assertUsable(svc, found);
  refuseEncrypted(room);
  await consumeGuestLimits(svc, link.id, meta.ip);

  const cleanName = participantDisplayName(name);
  const guestToken = randomToken(20);
  const now = svc.clock();
  const expiresAt = new Date(now.getTime() + GUEST_SESSION_HOURS * 3_600_000);
  const knock = link.requireKnock || room.lockedAt !== null || (await recentlyTurnedAway(svc, link.id));
  await svc.db.transaction(async (tx) => {
    // Counting the guest and letting them in happen together; the condition stops a race past the limit.
    const [counted] = await tx
      .update(schema.guestLinks)
      .set({ guestCount: sql`${schema.guestLinks.guestCount} + 1` })
      .where(
        and(
          eq(schema.guestLinks.id, link.id),
          sql`${schema.guestLinks.guestCount} < ${room.maxParticipants}`,
        ),
      )
      .returning({ id: schema.guestLinks.id });
    if (!counted) {
      throw conflict(
        `This guest link has already let in as many guests as the room holds (${room.maxParticipants}). Ask the person who sent it for a new one.`,
      );
    }
    const identity = `${GUEST_IDENTITY_PREFIX}${randomToken(12)}`;
    const [session] = await tx
      .insert(schema.guestSessions)
      .values({
        id: sha256Hex(guestToken),
        linkId: link.id,
        roomId: room.id,
        identity,
        name: cleanName,
        ip: meta.ip,
        expiresAt,
      })
      .returning({ id: schema.guestSessions.id });
    await tx.insert(schema.lobbyRequests).values({
      roomId: room.id,
      guestSessionId: session!.id,
      identity,
      name: cleanName,
      status: knock ? "waiting" : "admitted",
      decidedAt: knock ? null : now,
      createdAt: now,
    });
    await notifyPresenceChanged(tx, team.id);
  });
  svc.logger.info({ event: "guest.joined", roomId: room.id, knock }, "guest joined through a link");
  const guest = await resolveGuestToken(svc, guestToken);
  return {
    cookie: guestCookies.create(meta.secure, guestToken, expiresAt),
    status: await guestStatus(svc, guest!),
  };
}

/**
 * Whether a moderator turned away (removed or denied) a guest of this link within the removal
 * cool-off: then everyone coming through it knocks, so a removed guest cannot walk straight back in
 * with a fresh guest pass.
 */
async function recentlyTurnedAway(svc: Services, linkId: string): Promise<boolean> {
  const since = new Date(svc.clock().getTime() - REMOVAL_COOLDOWN_SECONDS * 1000);
  const [row] = await svc.db
    .select({ id: schema.lobbyRequests.id })
    .from(schema.lobbyRequests)
    .innerJoin(schema.guestSessions, eq(schema.guestSessions.id, schema.lobbyRequests.guestSessionId))
    .where(
      and(
        eq(schema.guestSessions.linkId, linkId),
        eq(schema.lobbyRequests.status, "denied"),
        gt(schema.lobbyRequests.decidedAt, since),
      ),
    )
    .limit(1);
  return !!row;
}

export interface GuestStatusView {
  status: GuestStatus;
  name: string;
  teamName: string;
  roomName: string;
  knockedAt: Date | null;
  answerBy: Date | null;
  /** Let in before the room was locked and not in the call: asking again knocks. */
  locked: boolean;
}

/** A status after which a guest's pass opens nothing more: its status stream ends there. */
export const isFinalGuestStatus = (status: GuestStatus) => status === "denied" || status === "revoked";

/**
 * Where each of these guest passes stands, by the access rule (access/rule.ts), in one statement:
 * admitted (the rule lets them in), waiting, denied (turned away or removed), not answered in time
 * (or let in before a lock: they ask again), or revoked (the link was withdrawn or its maker may no
 * longer invite). Passes that are over (left, expired, their room deleted) are absent.
 */
export async function guestStatuses(svc: Services, passIds: readonly string[]) {
  const answers = new Map<string, GuestStatusView>();
  if (passIds.length === 0) return answers;
  const now = svc.clock();
  const g = schema.guestSessions;
  const r = schema.rooms;
  const rows = await svc.db
    .select({
      id: g.id,
      identity: g.identity,
      name: g.name,
      room: {
        id: r.id,
        teamId: r.teamId,
        livekitRoomName: r.livekitRoomName,
        lockedAt: r.lockedAt,
        e2ee: r.e2ee,
        maxParticipants: r.maxParticipants,
        name: r.name,
      },
      teamName: schema.teams.name,
      knockedAt: sql<number | null>`(select (extract(epoch from max(q.created_at)) * 1000)::float8
        from ${schema.lobbyRequests} q where q.guest_session_id = ${g.id})`,
      ...accessFacts(
        {
          roomId: sql`${r.id}`,
          teamId: sql`${r.teamId}`,
          lockedAt: sql`${r.lockedAt}`,
          identity: sql`${g.identity}`,
          userId: sql`null::uuid`,
          now: sql`${now.toISOString()}::timestamptz`,
        },
        { adminEmails: [...svc.config.adminEmails], capacity: false },
      ),
    })
    .from(g)
    .innerJoin(r, eq(r.id, g.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, r.teamId))
    .where(inArray(g.id, [...passIds]));
  for (const row of rows) {
    const decision = judge(row.identity, factsFromRow(row.room, row), "connection", now);
    const knockedAt = row.knockedAt === null ? null : new Date(Number(row.knockedAt));
    const answerBy = knockedAt ? new Date(knockedAt.getTime() + LOBBY_TIMEOUT_SECONDS * 1000) : null;
    let status: GuestStatus;
    let locked = false;
    if (decision.allowed) status = "admitted";
    else {
      switch (decision.reason) {
        case "guest-left":
        case "guest-pass-expired":
        case "room-deleted":
          continue;
        case "guest-removed":
          status = "denied";
          break;
        case "room-locked":
          status = "timedOut";
          locked = true;
          break;
        case "guest-not-admitted":
          status = row.acc_admission === "waiting" && answerBy && answerBy > now ? "waiting" : "timedOut";
          break;
        default:
          status = "revoked";
      }
    }
    answers.set(row.id, {
      status,
      name: row.name,
      teamName: row.teamName,
      roomName: row.room.name,
      knockedAt,
      answerBy: status === "waiting" ? answerBy : null,
      locked,
    });
  }
  return answers;
}

/** Where one guest stands (see `guestStatuses`); a pass that ended meanwhile reads as withdrawn. */
export async function guestStatus(svc: Services, guest: GuestSession): Promise<GuestStatusView> {
  const status = (await guestStatuses(svc, [guest.id])).get(guest.id);
  return (
    status ?? {
      status: "revoked",
      name: guest.name,
      teamName: guest.team.name,
      roomName: guest.room.name,
      knockedAt: null,
      answerBy: null,
      locked: false,
    }
  );
}

/** Knocks again after nobody answered in time. */
export async function askAgain(svc: Services, guest: GuestSession, ip: string | null) {
  if (guest.linkRevoked) throw forbidden(LINK_REVOKED);
  // Not answered in time, or let in before the room was locked: knock (again).
  const current = await guestStatus(svc, guest);
  if (current.status !== "timedOut") return current;
  await consumeGuestLimits(svc, guest.linkId, ip);
  await svc.db.transaction(async (tx) => {
    await tx.insert(schema.lobbyRequests).values({
      roomId: guest.room.id,
      guestSessionId: guest.id,
      identity: guest.identity,
      name: guest.name,
      status: "waiting",
      createdAt: svc.clock(),
    });
    await notifyPresenceChanged(tx, guest.team.id);
  });
  return guestStatus(svc, guest);
}

/** A LiveKit token for a guest the access rule lets in: their guest identity, marked as a guest, no admin rights. */
export async function guestConnectionDetails(svc: Services, guest: GuestSession) {
  const { room } = guest;
  const now = svc.clock();
  const decision = await mayBeInRoom(
    { db: svc.db, now, adminEmails: [...svc.config.adminEmails] },
    { roomName: room.livekitRoomName, identity: guest.identity },
    "token",
  );
  if (!decision.allowed) throw refusalError(decision, now, room);
  const ttlSeconds = svc.config.livekit.tokenTtlSeconds;
  const participantToken = await svc.livekit.mintToken({
    identity: guest.identity,
    name: guest.name,
    room: room.livekitRoomName,
    roomAdmin: false,
    ttlSeconds,
    attributes: { [GUEST_ATTRIBUTE]: "1" },
    roomConfig: liveKitOptions(guest.team, room),
  });
  svc.metrics.joins.inc();
  return {
    serverUrl: svc.livekit.publicUrl,
    roomName: room.livekitRoomName,
    participantToken,
    participantName: guest.name,
    expiresAt: new Date(svc.clock().getTime() + ttlSeconds * 1000),
  };
}

/** Ends the guest's pass: the cookie goes, a waiting request is withdrawn, and the guest leaves the call. */
export async function leaveAsGuest(svc: Services, guest: GuestSession, secure: boolean) {
  await svc.db.transaction(async (tx) => {
    await tx.delete(schema.guestSessions).where(eq(schema.guestSessions.id, guest.id));
    await notifyPresenceChanged(tx, guest.team.id);
  });
  // A pass that is over lets nobody stay in the call: a token fetched before is no way back.
  await reDecide(svc, { roomNames: [guest.room.livekitRoomName] });
  return guestCookies.blank(secure);
}

/** Whether the team's plain members may create guest links (read by members, set by owners and admins). */
export async function guestLinkPolicy(svc: Services, actor: Actor, teamSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug);
  const [row] = await svc.db
    .select({ membersCreateGuestLinks: schema.teams.membersCreateGuestLinks })
    .from(schema.teams)
    .where(eq(schema.teams.id, team.id));
  return { membersCreateGuestLinks: row?.membersCreateGuestLinks ?? false, canChange: canManage(team.role) };
}

export async function setGuestLinkPolicy(svc: Services, actor: Actor, teamSlug: string, membersMay: boolean) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  await svc.db
    .update(schema.teams)
    .set({ membersCreateGuestLinks: membersMay })
    .where(eq(schema.teams.id, team.id));
  // Links plain members made die with the policy that let them make them.
  if (!membersMay) await reDecide(svc, { teamIds: [team.id] });
  return { membersCreateGuestLinks: membersMay, canChange: true };
}

/** A guest in the call raises or lowers their own hand, as members do (calls/hands.ts). */
export async function setGuestHand(svc: Services, guest: GuestSession, raised: boolean) {
  const { status } = await guestStatus(svc, guest);
  if (status !== "admitted") throw forbidden("Only guests in the call can raise a hand.");
  const raisedAt = raised ? svc.clock().toISOString() : "";
  await svc.livekit.setParticipantAttributes(guest.room.livekitRoomName, guest.identity, {
    [HAND_ATTRIBUTE]: raisedAt,
  });
  return { raised, raisedAt: raised ? raisedAt : null };
}
