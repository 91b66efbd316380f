import { schema } from "@parlor/db";
import { eq, sql } from "drizzle-orm";
import type { z } from "zod";

import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  isUniqueViolation,
  tooManyRequests,
  unauthorized,
} from "../lib/errors";
import type { changePasswordInput, signInInput, signUpInput } from "../schemas/auth";
import type { Services } from "../services";
import type { SessionCookie, SessionUser } from "./lucia";
import { decoyPasswordHash, hashPassword, isCommonPassword, verifyPassword } from "./password";

/** The user as every API response shows it. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export interface ClientMeta {
  ip: string | null;
  /** Whether the request came over https (decides the cookie's Secure flag and name). */
  secure: boolean;
}

export function toPublicUser(svc: Pick<Services, "config">, user: SessionUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin || svc.config.adminEmails.has(user.email),
  };
}

export const ACCOUNT_DISABLED =
  "This account has been disabled by a site administrator. If you think this is a mistake, ask them to enable it again.";

const INVALID_CREDENTIALS = "That email and password do not match an account.";

export function assertAcceptablePassword(password: string, field = "password") {
  if (isCommonPassword(password)) {
    throw badRequest(field, "This password is too common and easy to guess. Choose a less predictable one.");
  }
}

export async function signUp(
  svc: Services,
  input: z.output<typeof signUpInput>,
  meta: ClientMeta,
): Promise<{ user: PublicUser; cookie: SessionCookie }> {
  if (meta.ip) {
    await svc.rateLimiter.consume(
      `sign-up:ip:${meta.ip}`,
      svc.ratePolicies.signUpIp,
      "Too many new accounts",
    );
  }
  assertAcceptablePassword(input.password);
  const passwordHash = await hashPassword(input.password);

  let created: typeof schema.users.$inferSelect | undefined;
  try {
    created = await svc.db.transaction(async (tx) => {
      // Serialise sign-ups so that exactly one account can be "the first" and become site admin.
      await tx.execute(sql`select pg_advisory_xact_lock(7283901)`);
      const [existing] = await tx.select({ id: schema.users.id }).from(schema.users).limit(1);
      const [user] = await tx
        .insert(schema.users)
        .values({
          email: input.email,
          name: input.name,
          passwordHash,
          isAdmin: !existing,
          lastSignInAt: svc.clock(),
        })
        .returning();
      if (user) await tx.insert(schema.userPreferences).values({ userId: user.id });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict("An account with this email already exists. Sign in instead.", "email");
    }
    throw error;
  }
  if (!created) throw new Error("sign-up inserted no row");

  const { cookie } = await svc.sessions.create(created.id, meta.secure);
  svc.logger.info({ userId: created.id, event: "auth.sign_up" }, "account created");
  return { user: toPublicUser(svc, created), cookie };
}

export async function signIn(
  svc: Services,
  input: z.output<typeof signInInput>,
  meta: ClientMeta,
): Promise<{ user: PublicUser; cookie: SessionCookie }> {
  const accountKey = `sign-in:account:${input.email}`;
  const ipKey = meta.ip ? `sign-in:ip:${meta.ip}` : null;
  const keys = ipKey ? [accountKey, ipKey] : [accountKey];

  const blocked = await svc.rateLimiter.blockedFor(keys);
  if (blocked > 0) throw tooManyRequests(blocked, "Too many sign-in attempts");

  const [user] = await svc.db.select().from(schema.users).where(eq(schema.users.email, input.email)).limit(1);
  // Verify against a decoy when the email is unknown, so both failures take the same time.
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);

  if (!user || !valid) {
    const waits = await Promise.all([
      svc.rateLimiter.record(accountKey, svc.ratePolicies.signInAccount),
      ipKey ? svc.rateLimiter.record(ipKey, svc.ratePolicies.signInIp) : 0,
    ]);
    svc.logger.info({ event: "auth.sign_in_failed", ip: meta.ip }, "sign-in failed");
    const wait = Math.max(...waits);
    if (wait > 0) throw tooManyRequests(wait, "Too many sign-in attempts");
    throw new AppError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }

  await svc.rateLimiter.reset(accountKey);
  if (user.disabledAt) {
    // Only someone who knows the password learns that the account is disabled.
    svc.logger.info({ userId: user.id, event: "auth.sign_in_disabled" }, "sign-in to a disabled account");
    throw forbidden(ACCOUNT_DISABLED);
  }
  await svc.db.update(schema.users).set({ lastSignInAt: svc.clock() }).where(eq(schema.users.id, user.id));
  const { cookie } = await svc.sessions.create(user.id, meta.secure);
  svc.logger.info({ userId: user.id, event: "auth.sign_in" }, "signed in");
  return { user: toPublicUser(svc, user), cookie };
}

export async function signOut(svc: Services, sessionId: string, secure: boolean): Promise<SessionCookie> {
  await svc.sessions.invalidate(sessionId);
  return svc.sessions.blankCookie(secure);
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  svc: Services,
  session: { sessionId: string; userId: string },
  input: z.output<typeof changePasswordInput>,
): Promise<void> {
  const [user] = await svc.db
    .select({ passwordHash: schema.users.passwordHash })
    .from(schema.users)
    .where(eq(schema.users.id, session.userId));
  if (!user) throw unauthorized();
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badRequest("currentPassword", "Your current password is not right.");
  }
  assertAcceptablePassword(input.newPassword, "newPassword");
  await svc.db
    .update(schema.users)
    .set({ passwordHash: await hashPassword(input.newPassword) })
    .where(eq(schema.users.id, session.userId));
  await svc.sessions.invalidateUserSessions(session.userId, session.sessionId);
}

/** Whether anyone has signed up yet: the first visitor of a fresh instance is sent to sign up. */
export async function hasAccounts(svc: Services): Promise<boolean> {
  const [row] = await svc.db.select({ id: schema.users.id }).from(schema.users).limit(1);
  return row !== undefined;
}
