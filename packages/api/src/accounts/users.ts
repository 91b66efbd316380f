/**
 * Accounts as a site admin sees them (list, site admin rights, disabling) and as their owner
 * does (deleting one's own account). Changes to who is a site admin, or to whether one can still
 * act, run under one advisory lock, so concurrent requests can never leave the instance without
 * a site admin.
 */
import { schema, type Transaction } from "@parlor/db";
import { and, asc, count, eq, ilike, inArray, isNull, ne, or, sql } from "drizzle-orm";

import { reDecide } from "../access";
import { voidPasswordResetLinks } from "./password-reset";
import { confirmOwnPassword, type ClientMeta } from "./auth";
import { AppError, badRequest, notFound } from "../lib/errors";
import { retryIfDeadlocked } from "../lib/retry";
import { containsPattern } from "../lib/search";
import type { Services } from "../lib/services";
import { lockTeams, type Actor } from "../teams/logic";

const SITE_ADMINS_LOCK = 0x61646d696e; // "admin"

/** Site admins by the stored flag or by ADMIN_EMAILS. */
function isSiteAdmin(svc: Services) {
  const byConfig = [...svc.config.adminEmails];
  return byConfig.length
    ? or(eq(schema.users.isAdmin, true), inArray(schema.users.email, byConfig))!
    : eq(schema.users.isAdmin, true);
}

/** Holds the site-admin lock until the transaction ends, then counts enabled site admins other than `userId`. */
async function otherActiveAdmins(svc: Services, tx: Transaction, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(schema.users)
    .where(and(isSiteAdmin(svc), isNull(schema.users.disabledAt), ne(schema.users.id, userId)));
  return row?.n ?? 0;
}

const lockSiteAdmins = (tx: Transaction) =>
  tx.execute(sql`select pg_advisory_xact_lock(${SITE_ADMINS_LOCK})`);

const LAST_ADMIN = "This is the instance's only site admin. Make someone else a site admin first.";

export async function listUsers(svc: Services, input: { query: string; limit: number; offset: number }) {
  const u = schema.users;
  const needle = input.query.trim();
  const where = needle
    ? or(ilike(u.name, containsPattern(needle)), ilike(u.email, containsPattern(needle)))
    : undefined;
  const [rows, [total]] = await Promise.all([
    svc.db
      .select({
        id: u.id,
        name: u.name,
        email: u.email,
        isAdmin: u.isAdmin,
        lastSignInAt: u.lastSignInAt,
        disabledAt: u.disabledAt,
        createdAt: u.createdAt,
      })
      .from(u)
      .where(where)
      .orderBy(asc(u.name), asc(u.email))
      .limit(input.limit)
      .offset(input.offset),
    svc.db.select({ n: count() }).from(u).where(where),
  ]);
  const memberships = rows.length
    ? await svc.db
        .select({
          userId: schema.teamMembers.userId,
          slug: schema.teams.slug,
          name: schema.teams.name,
          role: schema.teamMembers.role,
        })
        .from(schema.teamMembers)
        .innerJoin(schema.teams, eq(schema.teams.id, schema.teamMembers.teamId))
        .where(
          inArray(
            schema.teamMembers.userId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(schema.teams.name))
    : [];
  return {
    total: total?.n ?? 0,
    users: rows.map((row) => {
      const adminByConfig = svc.config.adminEmails.has(row.email);
      return {
        ...row,
        isAdmin: row.isAdmin || adminByConfig,
        adminByConfig,
        disabled: row.disabledAt !== null,
        teams: memberships
          .filter((m) => m.userId === row.id)
          .map(({ slug, name, role }) => ({ slug, name, role })),
      };
    }),
  };
}

/** Makes someone a site admin or takes it back; never takes it from the last one. */
export async function setSiteAdmin(svc: Services, actor: Actor, userId: string, isAdmin: boolean) {
  const result = await svc.db.transaction(async (tx) => {
    await lockSiteAdmins(tx);
    const [user] = await tx
      .select({ id: schema.users.id, email: schema.users.email, disabledAt: schema.users.disabledAt })
      .from(schema.users)
      .where(eq(schema.users.id, userId));
    if (!user) throw notFound("That account does not exist any more.");
    if (!isAdmin) {
      if (svc.config.adminEmails.has(user.email)) {
        throw badRequest(
          "isAdmin",
          "This person is a site admin through ADMIN_EMAILS in Parlor's configuration. Remove their address there.",
        );
      }
      if ((await otherActiveAdmins(svc, tx, user.id)) === 0) throw badRequest("isAdmin", LAST_ADMIN);
    }
    await tx.update(schema.users).set({ isAdmin }).where(eq(schema.users.id, user.id));
    return { userId: user.id, isAdmin };
  });
  svc.sessions.forgetUser(userId);
  svc.logger.info({ event: "admin.site_admin", userId, isAdmin, by: actor.id }, "site admin changed");
  return result;
}

/**
 * Disables an account (its sessions end, sign-in is refused, it is removed from every live call)
 * or enables it again. Disabling is idempotent: when LiveKit could not be reached, running it
 * again retries the removal from calls.
 */
export async function setDisabled(svc: Services, actor: Actor, userId: string, disabled: boolean) {
  if (disabled && userId === actor.id) {
    throw badRequest("userId", "You cannot disable your own account. Ask another site admin.");
  }
  await svc.db.transaction(async (tx) => {
    await lockSiteAdmins(tx);
    const [user] = await tx
      .select({ id: schema.users.id, disabledAt: schema.users.disabledAt })
      .from(schema.users)
      .where(eq(schema.users.id, userId));
    if (!user) throw notFound("That account does not exist any more.");
    if (disabled && (await otherActiveAdmins(svc, tx, user.id)) === 0) throw badRequest("userId", LAST_ADMIN);
    await tx
      .update(schema.users)
      .set({ disabledAt: disabled ? (user.disabledAt ?? svc.clock()) : null })
      .where(eq(schema.users.id, user.id));
    // For good: enabling the account again must not bring a reset link made before back to life.
    if (disabled) await voidPasswordResetLinks(tx, user.id, svc.clock());
  });
  svc.logger.info({ event: "admin.disable", userId, disabled, by: actor.id }, "account disabled or enabled");
  if (!disabled) return { userId, disabled, removedFromRooms: 0 };

  await svc.sessions.invalidateUserSessions(userId);
  // The rule refuses a disabled account, and the guest links it made: out of every call now.
  const removal = await reDecide(svc, { identities: [userId] });
  if (removal.failed > 0) {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "The account is disabled and signed out everywhere, but Parlor could not reach the video service to remove it from its call. Try again in a moment to remove it.",
    );
  }
  return { userId, disabled, removedFromRooms: removal.evicted };
}

/**
 * Deletes the signed-in person's account, after their password confirms it. A team's only owner
 * must hand the team over or delete it first. Meeting history keeps the name they had in each
 * meeting, shown as a former member.
 */
export async function deleteOwnAccount(svc: Services, actor: Actor, password: string, meta: ClientMeta) {
  if (!(await confirmOwnPassword(svc, actor.id, password, meta))) {
    throw badRequest("password", "That is not your password.");
  }

  // Its participant records lose their account (set null) while LiveKit's webhooks may be ending them.
  const teamIds = await retryIfDeadlocked(() =>
    svc.db.transaction(async (tx) => {
      await lockSiteAdmins(tx);
      const mine = schema.teamMembers;
      // Under the teams' own lock, the one leaving and demoting take: an owner leaving at the same
      // moment waits, and then sees this account gone (or this deletion sees them gone).
      await lockTeams(
        tx,
        inArray(schema.teams.id, tx.select({ id: mine.teamId }).from(mine).where(eq(mine.userId, actor.id))),
      );
      const soleOwned = await tx
        .select({ name: schema.teams.name })
        .from(mine)
        .innerJoin(schema.teams, eq(schema.teams.id, mine.teamId))
        .where(
          and(
            eq(mine.userId, actor.id),
            eq(mine.role, "owner"),
            sql`not exists (select 1 from ${schema.teamMembers} o where o.team_id = ${mine.teamId} and o.role = 'owner' and o.user_id <> ${actor.id})`,
          ),
        )
        .orderBy(asc(schema.teams.name));
      if (soleOwned.length) {
        const names = soleOwned.map((t) => t.name);
        const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
        throw badRequest(
          "password",
          `You are the only owner of ${list}. Make someone else an owner, or delete the team, first.`,
        );
      }
      const [self] = await tx
        .select({ id: schema.users.id })
        .from(schema.users)
        .where(and(eq(schema.users.id, actor.id), isSiteAdmin(svc)));
      if (self && (await otherActiveAdmins(svc, tx, actor.id)) === 0)
        throw badRequest("password", LAST_ADMIN);
      // Its teams, read while the memberships still name it; then it goes, with its sessions.
      const teams = await tx
        .select({ id: schema.teamMembers.teamId })
        .from(schema.teamMembers)
        .where(eq(schema.teamMembers.userId, actor.id));
      await tx.delete(schema.users).where(eq(schema.users.id, actor.id));
      return teams.map((t) => t.id);
    }),
  );
  svc.sessions.forgetUser(actor.id);
  // The rule refuses a deleted account and the guest links it made: out of every call now.
  const removal = await reDecide(svc, { teamIds, identities: [actor.id] });
  if (removal.failed) svc.logger.warn({ userId: actor.id }, "a deleted account is still in a live call");
  svc.logger.info({ event: "account.deleted", userId: actor.id }, "account deleted");
  return { ok: true as const };
}
