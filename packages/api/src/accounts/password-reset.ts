/**
 * Forgotten passwords: a single-use link that sets a new one. Asked for by email (needs SMTP), or
 * made by a site admin for a user when the instance sends no email. Only the SHA-256 of a link's
 * token is stored; using one ends every session of the account. An account has at most one usable
 * link, and only while nothing has changed that makes it moot: a newer link, any change of the
 * password, or disabling the account (for good: enabling it again does not bring links back)
 * voids it, through `voidPasswordResetLinks`.
 */
import { schema, type Database, type Transaction } from "@parlor/db";
import { and, eq, gt, isNull } from "drizzle-orm";

import { AppError, badRequest, forbidden, notFound } from "../lib/errors";
import { randomToken, sha256Hex } from "../lib/crypto";
import { passwordResetMessage } from "../mail/messages";
import type { Services } from "../lib/services";
import { assertAcceptablePassword, hashPassword } from "./password";

/** A link sent by email works for an hour. */
export const EMAILED_RESET_TTL_MS = 60 * 60 * 1000;
/** A link a site admin makes is handed over by hand, which can take longer. */
export const ADMIN_RESET_TTL_MS = 24 * 60 * 60 * 1000;

export const NO_EMAIL_RESET =
  "This Parlor cannot send email, so it cannot send you a reset link. Ask your site administrator for one.";
const LINK_NOT_VALID =
  "This password reset link cannot be used: it was already used, it expired, or a newer one replaced it. Ask for a new link.";

export const resetPath = (token: string) => `/reset-password/${token}`;

/** Voids every link of the account that is not used yet; called by whatever makes them moot. */
export async function voidPasswordResetLinks(db: Database | Transaction, userId: string, now: Date) {
  await db
    .update(schema.passwordResets)
    .set({ usedAt: now })
    .where(and(eq(schema.passwordResets.userId, userId), isNull(schema.passwordResets.usedAt)));
}

/**
 * Makes the account's one usable link, voiding older ones. Null when the account is disabled: the
 * account's row is locked first, so a link is never made just as the account is disabled.
 */
async function issueLink(svc: Services, userId: string, createdBy: string | null, expiresAt: Date) {
  return svc.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(and(eq(schema.users.id, userId), isNull(schema.users.disabledAt)))
      .for("no key update");
    if (!user) return null;
    await voidPasswordResetLinks(tx, userId, svc.clock());
    const token = randomToken(32);
    await tx
      .insert(schema.passwordResets)
      .values({ userId, tokenHash: sha256Hex(token), expiresAt, createdBy });
    return token;
  });
}

/**
 * Emails a reset link when the address belongs to an enabled account. The answer is the same,
 * and as quick, whether it does or not: the lookup and the sending happen after the response.
 * Throttled per address asked for and per client address, whether the account exists or not.
 */
export async function requestPasswordReset(svc: Services, email: string, meta: { ip: string | null }) {
  const appOrigin = svc.config.appOrigin;
  if (!svc.mailer.enabled || !appOrigin) throw new AppError("BAD_REQUEST", NO_EMAIL_RESET);
  if (meta.ip) {
    await svc.rateLimiter.consume(
      `password-reset:ip:${meta.ip}`,
      svc.ratePolicies.passwordResetIp,
      "Too many password reset requests",
    );
  }
  await svc.rateLimiter.consume(
    `password-reset:email:${email}`,
    svc.ratePolicies.passwordResetEmail,
    "Too many password reset emails for this address",
  );
  svc.mailer.sendInBackground(async () => {
    const [user] = await svc.db
      .select({ id: schema.users.id, email: schema.users.email, name: schema.users.name })
      .from(schema.users)
      .where(and(eq(schema.users.email, email), isNull(schema.users.disabledAt)));
    if (!user) {
      svc.logger.info({ event: "auth.reset_unknown_email" }, "password reset asked for an unknown address");
      return null;
    }
    const expiresAt = new Date(svc.clock().getTime() + EMAILED_RESET_TTL_MS);
    const token = await issueLink(svc, user.id, null, expiresAt);
    if (!token) return null;
    svc.logger.info({ event: "auth.reset_requested", userId: user.id }, "password reset link emailed");
    return passwordResetMessage(user, `${appOrigin}${resetPath(token)}`);
  });
  return { ok: true as const };
}

/** A reset link for a user, made by a site admin to hand over themselves. */
export async function createPasswordResetLink(
  svc: Services,
  actor: { id: string },
  userId: string,
  origin: string,
) {
  const [user] = await svc.db
    .select({ id: schema.users.id, disabledAt: schema.users.disabledAt })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) throw notFound("That account does not exist any more.");
  if (user.disabledAt) throw badRequest("userId", "This account is disabled. Enable it first.");
  const expiresAt = new Date(svc.clock().getTime() + ADMIN_RESET_TTL_MS);
  const token = await issueLink(svc, user.id, actor.id, expiresAt);
  if (!token) throw badRequest("userId", "This account is disabled. Enable it first.");
  svc.logger.info({ event: "admin.reset_link", userId, by: actor.id }, "password reset link made");
  return { url: `${origin}${resetPath(token)}`, expiresAt };
}

async function findUsableLink(svc: Services, token: string) {
  const [row] = await svc.db
    .select({
      id: schema.passwordResets.id,
      userId: schema.users.id,
      email: schema.users.email,
      disabledAt: schema.users.disabledAt,
      expiresAt: schema.passwordResets.expiresAt,
    })
    .from(schema.passwordResets)
    .innerJoin(schema.users, eq(schema.users.id, schema.passwordResets.userId))
    .where(
      and(
        eq(schema.passwordResets.tokenHash, sha256Hex(token)),
        isNull(schema.passwordResets.usedAt),
        gt(schema.passwordResets.expiresAt, svc.clock()),
      ),
    );
  if (!row) throw notFound(LINK_NOT_VALID);
  if (row.disabledAt) throw forbidden("This account has been disabled by a site administrator.");
  return row;
}

/** What the reset page shows before the new password is chosen: whose account it is. */
export async function checkPasswordReset(svc: Services, token: string) {
  const link = await findUsableLink(svc, token);
  return { email: link.email, expiresAt: link.expiresAt };
}

/** Sets the new password, uses up the link (once, even under concurrent attempts) and ends every session. */
export async function resetPassword(svc: Services, token: string, password: string) {
  const link = await findUsableLink(svc, token);
  assertAcceptablePassword(password);
  const passwordHash = await hashPassword(password);
  const now = svc.clock();
  await svc.db.transaction(async (tx) => {
    const claimed = await tx
      .update(schema.passwordResets)
      .set({ usedAt: now })
      .where(and(eq(schema.passwordResets.id, link.id), isNull(schema.passwordResets.usedAt)))
      .returning({ id: schema.passwordResets.id });
    if (claimed.length === 0) throw notFound(LINK_NOT_VALID);
    await tx.update(schema.users).set({ passwordHash }).where(eq(schema.users.id, link.userId));
    await voidPasswordResetLinks(tx, link.userId, now);
  });
  await svc.sessions.invalidateUserSessions(link.userId);
  // Someone locked out by failed attempts (perhaps their own, with the forgotten password) can
  // sign in with the new one at once.
  await svc.rateLimiter.reset(`sign-in:account:${link.email}`);
  await svc.rateLimiter.resetStartingWith(`sign-in:pair:${link.email}|`);
  svc.logger.info({ event: "auth.password_reset", userId: link.userId }, "password reset");
  return { ok: true as const, email: link.email };
}
