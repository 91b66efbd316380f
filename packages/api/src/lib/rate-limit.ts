/**
 * Throttling and rate limits, one mechanism for both, counted in Postgres so that every web
 * instance sees the same numbers. A key names the limit and its subject (`sign-in:ip:1.2.3.4`).
 */
import { schema, type Database } from "@parlor/db";
import { and, gt, inArray, lt, sql } from "drizzle-orm";

import { tooManyRequests } from "./errors";

export interface RatePolicy {
  /** Events allowed in one window before the key is blocked. */
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

  /** Counts one event for `key`; returns how long the key is now blocked (0 when it is not). */
  async function record(key: string, policy: RatePolicy): Promise<number> {
    const now = clock();
    const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
    // Raw SQL parameters carry no column type, so timestamps go in as ISO strings with a cast.
    const fresh = sql`${t.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz`;
    const [row] = await db
      .insert(t)
      .values({ key, count: 1, windowStartedAt: now })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          count: sql`case when ${fresh} then 1 else ${t.count} + 1 end`,
          windowStartedAt: sql`case when ${fresh} then ${now.toISOString()}::timestamptz else ${t.windowStartedAt} end`,
        },
      })
      .returning({ count: t.count, windowStartedAt: t.windowStartedAt });
    if (!row || row.count < policy.limit) return 0;

    const blockSeconds = policy.backoff
      ? Math.min(policy.backoff.maxSeconds, policy.backoff.baseSeconds * 2 ** (row.count - policy.limit))
      : Math.max(1, (row.windowStartedAt.getTime() + policy.windowSeconds * 1000 - now.getTime()) / 1000);
    await db
      .update(t)
      .set({ blockedUntil: new Date(now.getTime() + blockSeconds * 1000) })
      .where(sql`${t.key} = ${key}`);
    return blockSeconds;
  }

  return {
    record,

    /** Seconds until every one of `keys` is free again; 0 when none is blocked. */
    async blockedFor(keys: string[]): Promise<number> {
      const now = clock();
      const rows = await db
        .select({ blockedUntil: t.blockedUntil })
        .from(t)
        .where(and(inArray(t.key, keys), gt(t.blockedUntil, now)));
      const until = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
      return until ? (until - now.getTime()) / 1000 : 0;
    },

    /**
     * For limits on creating things: counts the event and refuses it with TOO_MANY_REQUESTS when
     * the key is already blocked or this event goes past the limit.
     */
    async consume(key: string, policy: RatePolicy, what: string): Promise<void> {
      const now = clock();
      const [row] = await db
        .select({ blockedUntil: t.blockedUntil })
        .from(t)
        .where(and(inArray(t.key, [key]), gt(t.blockedUntil, now)));
      if (row?.blockedUntil) throw tooManyRequests((row.blockedUntil.getTime() - now.getTime()) / 1000, what);
      const count = await record(key, { ...policy, limit: policy.limit + 1 });
      if (count > 0) throw tooManyRequests(count, what);
    },

    reset: (key: string) => db.delete(t).where(inArray(t.key, [key])),

    /** Drops counters whose window and block have both passed. */
    prune: (olderThan: Date) => db.delete(t).where(and(lt(t.windowStartedAt, olderThan))),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The limits Parlor applies; generous enough that a real team never meets them. */
export const ratePolicies = {
  signInAccount: { limit: 5, windowSeconds: 3600, backoff: { baseSeconds: 30, maxSeconds: 900 } },
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
  guestLinkCreate: { limit: 50, windowSeconds: 3600 },
  /** Guest joins and knocks, per address and per link. */
  guestJoinIp: { limit: 20, windowSeconds: 3600 },
  guestJoinLink: { limit: 100, windowSeconds: 3600 },
  /** Members knocking on a locked room. */
  lobbyKnock: { limit: 30, windowSeconds: 3600 },
} satisfies Record<string, RatePolicy>;

export type RatePolicies = typeof ratePolicies;
