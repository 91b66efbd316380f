import { schema, type Database, type TeamRole, type Transaction } from "@parlor/db";
import { and, asc, count, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type * as z from "zod";

import { AppError, badRequest, forbidden, isUniqueViolation, notFound } from "../lib/errors";
import { randomToken, sha256Hex } from "../lib/crypto";
import { canManage, notifyAccessChanged, reDecide, roleRank } from "../access";
import { containsPattern } from "../lib/search";
import { inviteMessage } from "../mail/messages";
import { notifyPresenceChanged } from "../lib/announce";
import { removeRecordingsOfRooms } from "../recordings/lifecycle";
import { retryIfDeadlocked } from "../lib/retry";
import { cleanText, slugify } from "../lib/common-schemas";
import type { createInviteInput, sendInviteInput } from "./schemas";
import type { Services } from "../lib/services";

export interface Actor {
  id: string;
  isAdmin: boolean;
}

export interface TeamSummary {
  id: string;
  slug: string;
  name: string;
  role: TeamRole;
}

export { canManage };

export const TEAM_NOT_FOUND = "We could not find that team, or you are not a member of it.";

function assertRole(role: TeamRole, minimum: TeamRole) {
  if (roleRank(role) < roleRank(minimum)) {
    throw forbidden(
      minimum === "owner"
        ? "Only the team's owners can do this."
        : "Only the team's owners and admins can do this.",
    );
  }
}

/** Finds a team by slug and the actor's role in it, in one query; refuses non-members with NOT_FOUND. */
export async function requireMembership(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  minimum: TeamRole = "member",
): Promise<TeamSummary> {
  const [row] = await svc.db
    .select({
      id: schema.teams.id,
      slug: schema.teams.slug,
      name: schema.teams.name,
      role: schema.teamMembers.role,
    })
    .from(schema.teams)
    .innerJoin(
      schema.teamMembers,
      and(eq(schema.teamMembers.teamId, schema.teams.id), eq(schema.teamMembers.userId, actor.id)),
    )
    .where(eq(schema.teams.slug, teamSlug))
    .limit(1);
  if (!row) throw notFound(TEAM_NOT_FOUND);
  assertRole(row.role, minimum);
  return row;
}

/**
 * The one lock over teams' memberships. Every change that can take an owner from a team (leaving,
 * a demotion, a removal, deleting one's account) holds it on the team's row until its transaction
 * ends, and checks under it that another owner remains; so no two such changes, whatever their
 * paths, can both pass that check and leave a team without an owner. Several teams are locked in
 * id order, so two changes never wait on each other in a cycle.
 */
export function lockTeams(tx: Transaction, which: SQL) {
  return tx
    .select({ id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name })
    .from(schema.teams)
    .where(which)
    .orderBy(asc(schema.teams.id))
    .for("no key update");
}

/**
 * Runs a change of a team's memberships in one transaction that first takes the team's lock (see
 * `lockTeams`), so changes to one team apply one after another: the actor's role, the target's
 * role and the number of owners are all read under the lock.
 */
async function changeMemberships<T>(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  minimum: TeamRole,
  change: (tx: Transaction, team: TeamSummary) => Promise<T>,
): Promise<T> {
  return svc.db.transaction(async (tx) => {
    const [team] = await lockTeams(tx, eq(schema.teams.slug, teamSlug));
    const role = team ? await memberRole(tx, team.id, actor.id) : null;
    if (!team || !role) throw notFound(TEAM_NOT_FOUND);
    assertRole(role, minimum);
    return change(tx, { ...team, role });
  });
}

/**
 * Inserts a row whose slug is derived from a name, trying `slug`, `slug-2`, `slug-3`… until one is
 * free. `insert` must throw a unique violation when the slug is taken.
 */
export async function withUniqueSlug<T>(
  name: string,
  fallback: string,
  insert: (slug: string) => Promise<T>,
): Promise<T> {
  const base = slugify(name) || fallback;
  for (let attempt = 1; attempt <= 50; attempt++) {
    const slug = attempt === 1 ? base : `${base}-${attempt}`;
    try {
      return await insert(slug);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return insert(
    `${base}-${randomToken(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}`,
  );
}

export async function createTeam(
  svc: Services,
  actor: Actor,
  name: string,
): Promise<Omit<TeamSummary, "role">> {
  await svc.rateLimiter.consume(
    `team-create:user:${actor.id}`,
    svc.ratePolicies.teamCreate,
    "Too many new teams",
  );
  const team = await withUniqueSlug(name, "team", (slug) =>
    svc.db.transaction(async (tx) => {
      const [created] = await tx.insert(schema.teams).values({ slug, name }).returning();
      if (!created) throw new Error("team insert returned no row");
      await tx.insert(schema.teamMembers).values({ teamId: created.id, userId: actor.id, role: "owner" });
      return created;
    }),
  );
  svc.logger.info({ event: "team.created", teamId: team.id, userId: actor.id }, "team created");
  return { id: team.id, slug: team.slug, name: team.name };
}

export async function listTeams(svc: Services, actor: Actor): Promise<TeamSummary[]> {
  return svc.db
    .select({
      id: schema.teams.id,
      slug: schema.teams.slug,
      name: schema.teams.name,
      role: schema.teamMembers.role,
    })
    .from(schema.teamMembers)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.teamMembers.teamId))
    .where(eq(schema.teamMembers.userId, actor.id))
    .orderBy(asc(schema.teams.name));
}

/** The team's members. Emails are shown to owners and admins only; members see names and roles. */
export async function listMembers(svc: Services, actor: Actor, teamSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug);
  const members = await svc.db
    .select({
      userId: schema.users.id,
      name: schema.users.name,
      email: schema.users.email,
      role: schema.teamMembers.role,
      joinedAt: schema.teamMembers.createdAt,
    })
    .from(schema.teamMembers)
    .innerJoin(schema.users, eq(schema.users.id, schema.teamMembers.userId))
    .where(eq(schema.teamMembers.teamId, team.id))
    .orderBy(
      sql`case ${schema.teamMembers.role} when 'owner' then 0 when 'admin' then 1 else 2 end`,
      asc(schema.users.name),
    );
  const showEmails = canManage(team.role);
  return members.map((m) => ({ ...m, email: showEmails || m.userId === actor.id ? m.email : null }));
}

async function memberRole(
  db: Database | Transaction,
  teamId: string,
  userId: string,
): Promise<TeamRole | null> {
  const [row] = await db
    .select({ role: schema.teamMembers.role })
    .from(schema.teamMembers)
    .where(and(eq(schema.teamMembers.teamId, teamId), eq(schema.teamMembers.userId, userId)));
  return row?.role ?? null;
}

async function ownerCount(tx: Transaction, teamId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(schema.teamMembers)
    .where(and(eq(schema.teamMembers.teamId, teamId), eq(schema.teamMembers.role, "owner")));
  return row?.n ?? 0;
}

const ADMINS_ACT_ON_MEMBERS =
  "Admins can make members admins and remove members; only owners can demote or remove admins and owners.";

/**
 * Owners may set any role. Admins may only act on members (make them admins), and may lower
 * their own role; demoting an admin is for owners, so no sequence of an admin's steps (demote,
 * then remove) reaches further than one step would. A team always keeps at least one owner.
 */
export async function changeRole(
  svc: Services,
  actor: Actor,
  teamSlug: string,
  userId: string,
  role: TeamRole,
) {
  const changed = await changeMemberships(svc, actor, teamSlug, "admin", async (tx, team) => {
    const current = await memberRole(tx, team.id, userId);
    if (!current) throw notFound("That person is not a member of this team.");
    if (current === role) return null;
    if (team.role !== "owner") {
      if (current === "owner" || role === "owner") throw forbidden("Only owners can make or change owners.");
      const lowersSelf = userId === actor.id && roleRank(role) < roleRank(current);
      if (current !== "member" && !lowersSelf) throw forbidden(ADMINS_ACT_ON_MEMBERS);
    }
    if (current === "owner" && (await ownerCount(tx, team.id)) <= 1) {
      throw badRequest("role", "A team needs at least one owner. Make someone else an owner first.");
    }
    await tx
      .update(schema.teamMembers)
      .set({ role })
      .where(and(eq(schema.teamMembers.teamId, team.id), eq(schema.teamMembers.userId, userId)));
    await notifyAccessChanged(tx, userId);
    return { teamId: team.id, demoted: canManage(current) && !canManage(role) };
  });
  // A demoted admin's connection keeps roomAdmin (LiveKit cannot take a grant back from a live
  // connection): the rule ends it, and their rejoin gets a member's token. Guest links they made
  // die with their right to make them.
  if (changed?.demoted) await reDecide(svc, { teamIds: [changed.teamId], identities: [userId] });
  return { userId, role };
}

/**
 * Removes someone from the team: their membership, any invite made before now (see
 * `acceptInvite`), their place in the team's live calls, and their live updates.
 */
export async function removeMember(svc: Services, actor: Actor, teamSlug: string, userId: string) {
  if (userId === actor.id) return leaveTeam(svc, actor, teamSlug);
  const teamId = await changeMemberships(svc, actor, teamSlug, "admin", async (tx, team) => {
    const current = await memberRole(tx, team.id, userId);
    if (!current) throw notFound("That person is not a member of this team.");
    if (team.role !== "owner" && current !== "member") throw forbidden(ADMINS_ACT_ON_MEMBERS);
    if (current === "owner" && (await ownerCount(tx, team.id)) <= 1) {
      throw badRequest("userId", "A team needs at least one owner.");
    }
    await tx
      .delete(schema.teamMembers)
      .where(and(eq(schema.teamMembers.teamId, team.id), eq(schema.teamMembers.userId, userId)));
    await tx
      .insert(schema.teamRemovals)
      .values({ teamId: team.id, userId, removedBy: actor.id })
      .onConflictDoUpdate({
        target: [schema.teamRemovals.teamId, schema.teamRemovals.userId],
        set: { removedAt: sql`now()`, removedBy: actor.id },
      });
    await notifyAccessChanged(tx, userId);
    return team.id;
  });
  await reDecide(svc, { teamIds: [teamId], identities: [userId] });
  return { ok: true as const };
}

export async function leaveTeam(svc: Services, actor: Actor, teamSlug: string) {
  const teamId = await changeMemberships(svc, actor, teamSlug, "member", async (tx, team) => {
    if (team.role === "owner" && (await ownerCount(tx, team.id)) <= 1) {
      throw badRequest(
        "teamSlug",
        "You are the team's only owner. Make someone else an owner before you leave.",
      );
    }
    await tx
      .delete(schema.teamMembers)
      .where(and(eq(schema.teamMembers.teamId, team.id), eq(schema.teamMembers.userId, actor.id)));
    await notifyAccessChanged(tx, actor.id);
    return team.id;
  });
  await reDecide(svc, { teamIds: [teamId], identities: [actor.id] });
  return { ok: true as const };
}

export async function createInvite(
  svc: Services,
  actor: Actor,
  input: z.output<typeof createInviteInput>,
  appOrigin: string,
) {
  const team = await requireMembership(svc, actor, input.teamSlug, "admin");
  await svc.rateLimiter.consume(
    `invite-create:user:${actor.id}`,
    svc.ratePolicies.inviteCreate,
    "Too many invites",
  );
  const token = randomToken(24);
  const expiresAt = new Date(svc.clock().getTime() + input.expiresInDays * 86_400_000);
  const [invite] = await svc.db
    .insert(schema.invites)
    .values({
      teamId: team.id,
      tokenHash: sha256Hex(token),
      role: input.role,
      createdBy: actor.id,
      expiresAt,
      maxUses: input.maxUses ?? null,
    })
    .returning({ id: schema.invites.id });
  return {
    id: invite!.id,
    token,
    url: `${appOrigin}/invite/${token}`,
    expiresAt,
    role: input.role,
    maxUses: input.maxUses ?? null,
  };
}

export async function listInvites(svc: Services, actor: Actor, teamSlug: string) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  const i = schema.invites;
  return svc.db
    .select({
      id: i.id,
      role: i.role,
      expiresAt: i.expiresAt,
      maxUses: i.maxUses,
      uses: i.uses,
      createdAt: i.createdAt,
    })
    .from(i)
    .where(
      and(
        eq(i.teamId, team.id),
        isNull(i.revokedAt),
        gt(i.expiresAt, svc.clock()),
        or(isNull(i.maxUses), sql`${i.uses} < ${i.maxUses}`),
      ),
    )
    .orderBy(asc(i.createdAt));
}

export async function revokeInvite(svc: Services, actor: Actor, teamSlug: string, inviteId: string) {
  const team = await requireMembership(svc, actor, teamSlug, "admin");
  const revoked = await svc.db
    .update(schema.invites)
    .set({ revokedAt: svc.clock() })
    .where(and(eq(schema.invites.id, inviteId), eq(schema.invites.teamId, team.id)))
    .returning({ id: schema.invites.id });
  if (revoked.length === 0) throw notFound("That invite does not exist.");
  return { ok: true as const };
}

const INVITE_UNKNOWN =
  "This invite link is not valid. Check that you copied all of it, or ask for a new one.";

async function findInvite(svc: Services, token: string) {
  const [row] = await svc.db
    .select({
      invite: schema.invites,
      team: { id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name },
    })
    .from(schema.invites)
    .innerJoin(schema.teams, eq(schema.teams.id, schema.invites.teamId))
    .where(eq(schema.invites.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) throw notFound(INVITE_UNKNOWN);
  return row;
}

function assertUsable(svc: Services, invite: typeof schema.invites.$inferSelect) {
  if (invite.revokedAt) throw forbidden("This invite was withdrawn. Ask a team admin for a new link.");
  if (invite.expiresAt <= svc.clock())
    throw forbidden("This invite has expired. Ask a team admin for a new link.");
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
    throw forbidden("This invite has been used as many times as allowed. Ask a team admin for a new link.");
  }
}

/** What the invite page shows before accepting (team, role, who invited); reveals nothing without the token. */
export async function previewInvite(svc: Services, token: string) {
  const { invite, team } = await findInvite(svc, token);
  assertUsable(svc, invite);
  const [inviter] = invite.createdBy
    ? await svc.db
        .select({ name: schema.users.name })
        .from(schema.users)
        .where(eq(schema.users.id, invite.createdBy))
        .limit(1)
    : [];
  return {
    teamName: team.name,
    teamSlug: team.slug,
    role: invite.role,
    expiresAt: invite.expiresAt,
    invitedBy: inviter?.name ?? null,
  };
}

/** Joins the invite's team. Accepting again, or as an existing member, changes nothing. */
export async function acceptInvite(svc: Services, actor: Actor, token: string): Promise<TeamSummary> {
  await svc.rateLimiter.consume(
    `invite-accept:user:${actor.id}`,
    svc.ratePolicies.inviteAccept,
    "Too many invites accepted",
  );
  const { invite, team } = await findInvite(svc, token);
  const existing = await memberRole(svc.db, team.id, actor.id);
  if (existing) return { ...team, role: existing };
  assertUsable(svc, invite);
  const [removal] = await svc.db
    .select({ removedAt: schema.teamRemovals.removedAt })
    .from(schema.teamRemovals)
    .where(and(eq(schema.teamRemovals.teamId, team.id), eq(schema.teamRemovals.userId, actor.id)));
  if (removal && removal.removedAt >= invite.createdAt) {
    throw forbidden(
      "You were removed from this team after this invite was made, so it no longer lets you in. Ask an owner or admin for a new invite.",
    );
  }

  return svc.db.transaction(async (tx) => {
    // Counting the use and joining happen together; the condition stops a race past max uses.
    const [claimed] = await tx
      .update(schema.invites)
      .set({ uses: sql`${schema.invites.uses} + 1` })
      .where(
        and(
          eq(schema.invites.id, invite.id),
          isNull(schema.invites.revokedAt),
          gt(schema.invites.expiresAt, svc.clock()),
          or(isNull(schema.invites.maxUses), sql`${schema.invites.uses} < ${schema.invites.maxUses}`),
        ),
      )
      .returning({ id: schema.invites.id });
    if (!claimed) throw forbidden("This invite can no longer be used. Ask a team admin for a new link.");
    const inserted = await tx
      .insert(schema.teamMembers)
      .values({ teamId: team.id, userId: actor.id, role: invite.role })
      .onConflictDoNothing()
      .returning({ role: schema.teamMembers.role });
    if (inserted.length === 0) throw new AppError("CONFLICT", "You joined this team a moment ago.");
    return { ...team, role: invite.role };
  });
}

/**
 * Sends a single-use invite link to an address (needs SMTP). The link is made with the app's
 * configured address (APP_URL), never a request's Host. If the email cannot be sent, the link is
 * withdrawn again, so no link exists that nobody received.
 */
export async function sendInvite(
  svc: Services,
  actor: Actor & { name: string },
  input: z.output<typeof sendInviteInput>,
) {
  const team = await requireMembership(svc, actor, input.teamSlug, "admin");
  const appOrigin = svc.config.appOrigin;
  if (!svc.mailer.enabled || !appOrigin) {
    throw new AppError(
      "BAD_REQUEST",
      "This Parlor cannot send email (no SMTP server is configured). Create an invite link and share it yourself.",
    );
  }
  await svc.rateLimiter.consume(
    `invite-email:user:${actor.id}`,
    svc.ratePolicies.inviteEmail,
    "Too many invites sent by email",
  );
  await svc.rateLimiter.consume(
    `invite-email:recipient:${input.email}`,
    svc.ratePolicies.inviteEmailRecipient,
    "This address has been sent as many invitations as Parlor sends to one address in a day. Create an invite link and share it with them yourself",
  );
  const invite = await createInvite(
    svc,
    actor,
    { teamSlug: team.slug, role: input.role, expiresInDays: 7, maxUses: 1 },
    appOrigin,
  );
  try {
    await svc.mailer.send(
      inviteMessage(input.email, {
        teamName: team.name,
        inviterName: actor.name,
        url: invite.url,
        expiresAt: invite.expiresAt,
      }),
    );
  } catch (error) {
    await svc.db.delete(schema.invites).where(eq(schema.invites.id, invite.id));
    throw error;
  }
  svc.logger.info({ event: "team.invite_emailed", teamId: team.id, by: actor.id }, "invite emailed");
  return { id: invite.id, email: input.email, role: invite.role, expiresAt: invite.expiresAt };
}

/** Owners rename their team. The slug stays, so every saved link to the team and its rooms keeps working. */
export async function renameTeam(svc: Services, actor: Actor, teamSlug: string, name: string) {
  const team = await requireMembership(svc, actor, teamSlug, "owner");
  await svc.db.update(schema.teams).set({ name }).where(eq(schema.teams.id, team.id));
  return { id: team.id, slug: team.slug, name, role: team.role };
}

function assertConfirmed(team: { name: string }, confirmName: string) {
  if (cleanText(confirmName) !== team.name) {
    throw badRequest("confirmName", `Type the team's name, ${team.name}, exactly to confirm.`);
  }
}

/**
 * Deletes a team with its rooms, invites, memberships and history. Its rooms that LiveKit has
 * open are closed first, so the records only go once nobody can still be in those calls.
 */
async function closeAndDeleteTeam(svc: Services, team: { id: string; slug: string }, by: string) {
  const rooms = await svc.db
    .select({ id: schema.rooms.id, livekitRoomName: schema.rooms.livekitRoomName })
    .from(schema.rooms)
    .where(eq(schema.rooms.teamId, team.id));
  // Its recordings' files first: when the storage cannot be reached, nothing is deleted yet.
  await removeRecordingsOfRooms(
    svc,
    rooms.map((r) => r.id),
  );
  const live = await svc.livekit.listRooms(rooms.map((r) => r.livekitRoomName));
  for (const room of live) await svc.livekit.deleteRoom(room.name);
  // LiveKit's room_finished for its rooms, arriving now, takes their sessions' rows in the other order.
  await retryIfDeadlocked(() =>
    svc.db.transaction(async (tx) => {
      await tx.delete(schema.teams).where(eq(schema.teams.id, team.id));
      // Members' open team pages learn at once that it is gone.
      await notifyPresenceChanged(tx, team.id);
    }),
  );
  // A join between the two steps, with a token minted before, re-creates a room: ended again.
  await reDecide(svc, { roomNames: rooms.map((r) => r.livekitRoomName) });
  svc.logger.info({ event: "team.deleted", teamId: team.id, by, closedRooms: live.length }, "team deleted");
  return { ok: true as const, closedRooms: live.length };
}

/** Owners delete their team, typing its name to confirm. */
export async function deleteTeam(svc: Services, actor: Actor, teamSlug: string, confirmName: string) {
  const team = await requireMembership(svc, actor, teamSlug, "owner");
  assertConfirmed(team, confirmName);
  return closeAndDeleteTeam(svc, team, actor.id);
}

/** A site admin deletes any team (the admin view asks for its name too). */
export async function adminDeleteTeam(svc: Services, actor: Actor, teamSlug: string, confirmName: string) {
  const [team] = await svc.db
    .select({ id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name })
    .from(schema.teams)
    .where(eq(schema.teams.slug, teamSlug));
  if (!team) throw notFound("That team does not exist any more.");
  assertConfirmed(team, confirmName);
  return closeAndDeleteTeam(svc, team, actor.id);
}

/** Every team on the instance with its member and room counts (site admins). */
export async function listAllTeams(svc: Services, input: { query: string; limit: number; offset: number }) {
  const t = schema.teams;
  const needle = input.query.trim();
  const pattern = containsPattern(needle);
  const where = needle ? or(ilike(t.name, pattern), ilike(t.slug, pattern)) : undefined;
  const [rows, [total]] = await Promise.all([
    svc.db
      .select({
        id: t.id,
        slug: t.slug,
        name: t.name,
        createdAt: t.createdAt,
        // Qualified by hand: in a one-table select drizzle writes `${t.id}` as a bare "id", which
        // inside the subquery would name the room's own id.
        members: sql<number>`(select count(*)::int from ${schema.teamMembers} m where m.team_id = teams.id)`,
        rooms: sql<number>`(select count(*)::int from ${schema.rooms} r where r.team_id = teams.id)`,
      })
      .from(t)
      .where(where)
      .orderBy(asc(t.name))
      .limit(input.limit)
      .offset(input.offset),
    svc.db.select({ n: count() }).from(t).where(where),
  ]);
  const owners = rows.length
    ? await svc.db
        .select({ teamId: schema.teamMembers.teamId, name: schema.users.name, email: schema.users.email })
        .from(schema.teamMembers)
        .innerJoin(schema.users, eq(schema.users.id, schema.teamMembers.userId))
        .where(
          and(
            inArray(
              schema.teamMembers.teamId,
              rows.map((r) => r.id),
            ),
            eq(schema.teamMembers.role, "owner"),
          ),
        )
        .orderBy(asc(schema.users.name))
    : [];
  return {
    total: total?.n ?? 0,
    teams: rows.map((row) => ({
      ...row,
      owners: owners.filter((o) => o.teamId === row.id).map(({ name, email }) => ({ name, email })),
    })),
  };
}
