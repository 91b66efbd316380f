/**
 * Throttling and rate limits, one mechanism for both, counted in Postgres so that every web
 * instance sees the same numbers. A key names the limit and its subject (`sign-in:ip:1.2.3.4`).
 */
import { schema, type Database } from "@parlor/db";
import { and, eq, gt, inArray, lt, sql } from "drizzle-orm";

import { tooManyRequests } from "./errors";

export interface RatePolicy {
  /** Events allowed in one window: the one that brings the count to `limit` blocks the key. */
  limit: number;
  windowSeconds: number;
  /**
   * With back-off, each event past the limit blocks for `baseSeconds · 2^(events − limit)`, at
   * most `maxSeconds`; without it, the key is blocked until the window ends.
   */
  backoff?: { baseSeconds: number; maxSeconds: number };
}

export type Clock = () => Date;

export function createRateLimiter(db: Database, clock: Clock = () => new Date()) {
  const t = schema.rateLimits;

  /** Seconds until every one of `keys` is free again; 0 when none is blocked. */
  async function blockedFor(keys: string[]): Promise<number> {
    const now = clock();
    const rows = await db
      .select({ blockedUntil: t.blockedUntil })
      .from(t)
      .where(and(inArray(t.key, keys), gt(t.blockedUntil, now)));
    const until = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
    return until ? (until - now.getTime()) / 1000 : 0;
  }

  /**
   * Takes one slot for `key` in a single atomic statement, before the work it guards is done:
   * refused (no row comes back, nothing counted) while the key is blocked; otherwise counted, and
   * the event that reaches the limit blocks the key for what comes after it. Parallel requests
   * and batched calls each take their own slot, so at most `limit` get through per window (per
   * back-off period once past it).
   */
  async function take(key: string, policy: RatePolicy): Promise<Attempt> {
    const now = clock();
    const nowSql = sql`${now.toISOString()}::timestamptz`;
    const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
    const fresh = sql`${t.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz`;
    const count = sql`(case when ${fresh} then 1 else ${t.count} + 1 end)`;
    const startedAt = sql`(case when ${fresh} then ${nowSql} else ${t.windowStartedAt} end)`;
    const limit = sql`${policy.limit}::int`;
    const blockSeconds = policy.backoff
      ? sql`least(${policy.backoff.maxSeconds}::float8, ${policy.backoff.baseSeconds}::float8 * power(2::float8, least(${count} - ${limit}, 30)))`
      : sql`greatest(1::float8, extract(epoch from ${startedAt} + make_interval(secs => ${policy.windowSeconds}::float8) - ${nowSql})::float8)`;
    const firstBlock = policy.limit <= 1 ? firstEventBlock(now, policy) : null;
    const [row] = await db
      .insert(t)
      .values({ key, count: 1, windowStartedAt: now, blockedUntil: firstBlock })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          count,
          windowStartedAt: startedAt,
          blockedUntil: sql`case when ${count} >= ${limit} then ${nowSql} + make_interval(secs => ${blockSeconds}) else null end`,
        },
        // A blocked key is left as it is, and then no row comes back: the attempt is refused.
        setWhere: sql`${t.blockedUntil} is null or ${t.blockedUntil} <= ${nowSql}`,
      })
      .returning({ count: t.count, blockedUntil: t.blockedUntil });
    if (!row) return { allowed: false, waitSeconds: Math.max(1, await blockedFor([key])) };
    const wait = row.blockedUntil ? (row.blockedUntil.getTime() - now.getTime()) / 1000 : 0;
    return { allowed: true, waitSeconds: Math.max(0, wait) };
  }

  return {
    take,
    blockedFor,

    /**
     * Gives back a slot taken by `take` when the event turned out not to count (a sign-in that
     * succeeded): one less, and no block unless others' events still reach the limit.
     */
    async release(key: string, policy: RatePolicy): Promise<void> {
      await db
        .update(t)
        .set({
          count: sql`greatest(0, ${t.count} - 1)`,
          blockedUntil: sql`case when ${t.count} - 1 >= ${policy.limit}::int then ${t.blockedUntil} else null end`,
        })
        .where(eq(t.key, key));
    },

    /**
     * For limits on creating things: counts the event and refuses it with TOO_MANY_REQUESTS when
     * the key is blocked; the `limit`-th event in a window is the last one allowed.
     */
    async consume(key: string, policy: RatePolicy, what: string): Promise<void> {
      const attempt = await take(key, policy);
      if (!attempt.allowed) throw tooManyRequests(attempt.waitSeconds, what);
    },

    reset: (key: string) => db.delete(t).where(inArray(t.key, [key])),
    /** Clears every key that starts with `prefix` (starts_with: no LIKE wildcards in emails). */
    resetStartingWith: (prefix: string) => db.delete(t).where(sql`starts_with(${t.key}, ${prefix})`),

    /** Drops counters whose window and block have both passed. */
    prune: (olderThan: Date) => db.delete(t).where(and(lt(t.windowStartedAt, olderThan))),
  };
}

export interface Attempt {
  /** False when the key was blocked: nothing was counted and the guarded work must not run. */
  allowed: boolean;
  /** How long the key is blocked now (0 when it is not). */
  waitSeconds: number;
}

/** When a policy's limit is 1, its very first event blocks the key. */
function firstEventBlock(now: Date, policy: RatePolicy): Date {
  const seconds = policy.backoff
    ? Math.min(policy.backoff.maxSeconds, policy.backoff.baseSeconds)
    : policy.windowSeconds;
  return new Date(now.getTime() + seconds * 1000);
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The limits Parlor applies; generous enough that a real team never meets them. */
export const ratePolicies = {
  /**
   * Password guesses for one account from one address (sign-in), or by one user (password
   * change): a handful, then exponential back-off. Others' failures never count here.
   */
  signInPair: { limit: 5, windowSeconds: 3600, backoff: { baseSeconds: 30, maxSeconds: 900 } },
  /**
   * Guesses for one account from anywhere: far above what the owner's own mistakes reach, so
   * that only a guessing campaign from many addresses meets it, and then with short blocks.
   */
  signInAccount: { limit: 50, windowSeconds: 3600, backoff: { baseSeconds: 15, maxSeconds: 300 } },
  /** Failed password checks from one address, whatever the account (sign-up's "exists" included). */
  signInIp: { limit: 30, windowSeconds: 3600, backoff: { baseSeconds: 30, maxSeconds: 900 } },
  signUpIp: { limit: 20, windowSeconds: 3600 },
  teamCreate: { limit: 20, windowSeconds: 3600 },
  roomCreate: { limit: 60, windowSeconds: 3600 },
  inviteCreate: { limit: 50, windowSeconds: 3600 },
  inviteAccept: { limit: 30, windowSeconds: 3600 },
  chatSend: { limit: 30, windowSeconds: 60 },
  /** Reset emails to one address: a few, so nobody can flood someone's inbox through Parlor. */
  passwordResetEmail: { limit: 3, windowSeconds: 3600 },
  passwordResetIp: { limit: 20, windowSeconds: 3600 },
  /** Invites sent by email, per sender. */
  inviteEmail: { limit: 30, windowSeconds: 3600 },
  /**
   * Invites emailed to one address, whoever sends them: a handful a day, so that nobody, with
   * however many accounts, can flood someone's inbox through Parlor.
   */
  inviteEmailRecipient: { limit: 3, windowSeconds: 86_400 },
  guestLinkCreate: { limit: 50, windowSeconds: 3600 },
  /** Guest joins and knocks, per address and per link. */
  guestJoinIp: { limit: 20, windowSeconds: 3600 },
  guestJoinLink: { limit: 100, windowSeconds: 3600 },
  /** Members knocking on a locked room. */
  lobbyKnock: { limit: 30, windowSeconds: 3600 },
} satisfies Record<string, RatePolicy>;

export type RatePolicies = typeof ratePolicies;
