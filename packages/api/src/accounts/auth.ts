import { schema } from "@parlor/db";
import { eq, sql } from "drizzle-orm";
import type * as z from "zod";

import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  isUniqueViolation,
  tooManyRequests,
  unauthorized,
} from "../lib/errors";
import type { RatePolicy } from "../lib/rate-limit";
import type { changePasswordInput, signInInput, signUpInput } from "./schemas";
import { notifyAccessChanged } from "../access";
import type { Services } from "../lib/services";
import type { SessionCookie } from "../lib/lucia";
import { toPublicUser, type PublicUser } from "../lib/requester";
import { voidPasswordResetLinks } from "./password-reset";
import { assertAcceptablePassword, decoyPasswordHash, hashPassword, verifyPassword } from "./password";

export interface ClientMeta {
  ip: string | null;
  /** Whether the request came over https (decides the cookie's Secure flag and name). */
  secure: boolean;
}

export const ACCOUNT_DISABLED =
  "This account has been disabled by a site administrator. If you think this is a mistake, ask them to enable it again.";

const INVALID_CREDENTIALS = "That email and password do not match an account.";

/** A throttle key a password check must take a slot on, and what a success does to it. */
interface PasswordCheckKey {
  key: string;
  policy: RatePolicy;
  /** A success clears the key (the account+address pair); otherwise it only gives its slot back. */
  resetOnSuccess?: boolean;
}

/**
 * The one way a password is checked against guessing: a slot is taken on every key *before* the
 * (expensive) verification, atomically, so parallel requests and batched calls cannot slip
 * through between a check and its count. A refused attempt verifies nothing and answers the same
 * whether the password was right. Returns true when `verify` succeeded; throws TOO_MANY_REQUESTS
 * when refused, or when this failure blocked a key.
 */
async function throttledPasswordCheck(
  svc: Services,
  purpose: "sign_in" | "confirm_password",
  keys: PasswordCheckKey[],
  what: string,
  verify: () => Promise<boolean>,
): Promise<boolean> {
  // Cheap early answer while a key is blocked (one read); the takes below are what decide.
  const blocked = await svc.rateLimiter.blockedFor(keys.map((k) => k.key));
  if (blocked > 0) throw tooManyRequests(blocked, what);
  const attempts = await Promise.all(keys.map(({ key, policy }) => svc.rateLimiter.take(key, policy)));
  if (attempts.some((a) => !a.allowed)) {
    // The attempt does not happen: the slots it did take go back.
    await Promise.all(
      keys.map(({ key, policy }, i) => (attempts[i]?.allowed ? svc.rateLimiter.release(key, policy) : null)),
    );
    throw tooManyRequests(Math.max(...attempts.filter((a) => !a.allowed).map((a) => a.waitSeconds)), what);
  }

  svc.metrics.passwordVerifications.inc({ purpose });
  if (await verify()) {
    await Promise.all(
      keys.map(({ key, policy, resetOnSuccess }) =>
        resetOnSuccess ? svc.rateLimiter.reset(key) : svc.rateLimiter.release(key, policy),
      ),
    );
    return true;
  }
  const wait = Math.max(...attempts.map((a) => a.waitSeconds));
  if (wait > 0) throw tooManyRequests(wait, what);
  return false;
}

/** Where throttles file a request that carries no client address (a server-side caller). */
const addressOf = (meta: ClientMeta) => meta.ip ?? "unknown";

export async function signUp(
  svc: Services,
  input: z.output<typeof signUpInput>,
  meta: ClientMeta,
): Promise<{ user: PublicUser; cookie: SessionCookie }> {
  const address = addressOf(meta);
  await svc.rateLimiter.consume(`sign-up:ip:${address}`, svc.ratePolicies.signUpIp, "Too many new accounts");
  assertAcceptablePassword(input.password);
  // "This email already exists" tells as much as a sign-in would, so it costs what a failed
  // sign-in costs: a slot of the address's sign-in budget (given back when the account is
  // created) and one argon2 computation.
  const signInSlot = { key: `sign-in:ip:${address}`, policy: svc.ratePolicies.signInIp };
  const slot = await svc.rateLimiter.take(signInSlot.key, signInSlot.policy);
  if (!slot.allowed) throw tooManyRequests(slot.waitSeconds, "Too many attempts from your network");
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
    await svc.rateLimiter.release(signInSlot.key, signInSlot.policy);
    throw error;
  }
  if (!created) throw new Error("sign-up inserted no row");
  await svc.rateLimiter.release(signInSlot.key, signInSlot.policy);

  const { cookie } = await svc.sessions.create(created.id, meta.secure);
  svc.logger.info({ userId: created.id, event: "auth.sign_up" }, "account created");
  return { user: toPublicUser(svc, created), cookie };
}

export async function signIn(
  svc: Services,
  input: z.output<typeof signInInput>,
  meta: ClientMeta,
): Promise<{ user: PublicUser; cookie: SessionCookie }> {
  const address = addressOf(meta);
  const policies = svc.ratePolicies;
  // Guesses slow down per account *and address*, so failures from elsewhere cannot lock the owner
  // out; per account alone only at a much higher threshold; per address across accounts.
  const keys: PasswordCheckKey[] = [
    { key: `sign-in:pair:${input.email}|${address}`, policy: policies.signInPair, resetOnSuccess: true },
    { key: `sign-in:account:${input.email}`, policy: policies.signInAccount },
    { key: `sign-in:ip:${address}`, policy: policies.signInIp },
  ];

  let user: typeof schema.users.$inferSelect | undefined;
  const valid = await throttledPasswordCheck(svc, "sign_in", keys, "Too many sign-in attempts", async () => {
    [user] = await svc.db.select().from(schema.users).where(eq(schema.users.email, input.email)).limit(1);
    // Verify against a decoy when the email is unknown, so both failures take the same time.
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
    return ok && !!user;
  });
  if (!valid || !user) {
    svc.logger.info({ event: "auth.sign_in_failed", ip: meta.ip }, "sign-in failed");
    throw new AppError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }

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

export async function signOut(
  svc: Services,
  session: { sessionId: string; userId: string },
  secure: boolean,
): Promise<SessionCookie> {
  await svc.sessions.invalidate(session.sessionId);
  // The session's live-update streams re-check and close.
  await notifyAccessChanged(svc.db, session.userId);
  return svc.sessions.blankCookie(secure);
}

/**
 * Checks a signed-in person's own password (to change it, or to delete the account). It can be
 * guessed here as at sign-in, so it is throttled the same way (per user, and per address).
 */
export async function confirmOwnPassword(
  svc: Services,
  userId: string,
  password: string,
  meta: ClientMeta,
): Promise<boolean> {
  const keys: PasswordCheckKey[] = [
    { key: `password-change:user:${userId}`, policy: svc.ratePolicies.signInPair, resetOnSuccess: true },
    { key: `sign-in:ip:${addressOf(meta)}`, policy: svc.ratePolicies.signInIp },
  ];
  return throttledPasswordCheck(
    svc,
    "confirm_password",
    keys,
    "Too many attempts at your current password",
    async () => {
      const [user] = await svc.db
        .select({ passwordHash: schema.users.passwordHash })
        .from(schema.users)
        .where(eq(schema.users.id, userId));
      if (!user) throw unauthorized();
      return verifyPassword(user.passwordHash, password);
    },
  );
}

/** Changes the password, voids every reset link of the account and ends every other session of the user. */
export async function changePassword(
  svc: Services,
  session: { sessionId: string; userId: string },
  input: z.output<typeof changePasswordInput>,
  meta: ClientMeta,
): Promise<void> {
  if (!(await confirmOwnPassword(svc, session.userId, input.currentPassword, meta))) {
    throw badRequest("currentPassword", "Your current password is not right.");
  }
  assertAcceptablePassword(input.newPassword, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  await svc.db.transaction(async (tx) => {
    await tx.update(schema.users).set({ passwordHash }).where(eq(schema.users.id, session.userId));
    await voidPasswordResetLinks(tx, session.userId, svc.clock());
  });
  await svc.sessions.invalidateUserSessions(session.userId, session.sessionId);
  // The ended sessions' live-update streams re-check and close.
  await notifyAccessChanged(svc.db, session.userId);
}

/** Whether anyone has signed up yet: the first visitor of a fresh instance is sent to sign up. */
export async function hasAccounts(svc: Services): Promise<boolean> {
  const [row] = await svc.db.select({ id: schema.users.id }).from(schema.users).limit(1);
  return row !== undefined;
}
