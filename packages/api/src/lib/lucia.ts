/**
 * The only module that uses Lucia (v3, deprecated upstream): replacing it means rewriting this
 * file alone. Lucia keeps sessions in Postgres and slides their idle expiry; this module adds
 * what Lucia leaves to us: the cookie carries a random token and the table keeps only its
 * SHA-256 hash, and every session also has an absolute lifetime.
 */
import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { schema, type Database, type DatabaseHandle } from "@parlor/db";
import { and, eq, ne, sql } from "drizzle-orm";
import { Cookie, Lucia, TimeSpan } from "lucia";

import { randomToken, sha256Hex } from "./crypto";

export const SESSION_COOKIE = "auth_session";
export const SECURE_SESSION_COOKIE = "__Host-auth_session";

export interface SessionPolicy {
  /** Unused for this long, a session ends; each use slides it forward. */
  idleTimeout: TimeSpan;
  /** A session ends this long after sign-in, however much it is used. */
  absoluteLifetime: TimeSpan;
}

export const defaultSessionPolicy: SessionPolicy = {
  idleTimeout: new TimeSpan(14, "d"),
  absoluteLifetime: new TimeSpan(30, "d"),
};

export interface SessionCookie {
  name: string;
  value: string;
  /** The full `Set-Cookie` header value. */
  serialized: string;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** As stored; `ADMIN_EMAILS` is applied by the caller. */
  isAdmin: boolean;
}

export interface ValidSession {
  sessionId: string;
  user: SessionUser;
  expiresAt: Date;
  /** Set when the idle expiry moved: the caller should send this refreshed cookie. */
  refreshedCookie: SessionCookie | null;
}

function createLucia(db: Database, policy: SessionPolicy, secure: boolean) {
  const adapter = new DrizzlePostgreSQLAdapter(db, schema.sessions, schema.users);
  return new Lucia(adapter, {
    sessionExpiresIn: policy.idleTimeout,
    sessionCookie: {
      name: secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE,
      expires: true,
      // `__Host-` requires Secure, Path=/ and no Domain, which is what we set.
      attributes: { secure, sameSite: "lax", path: "/" },
    },
    getSessionAttributes: (attributes) => ({ absoluteExpiresAt: attributes.absoluteExpiresAt }),
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      name: attributes.name,
      isAdmin: attributes.isAdmin,
      disabledAt: attributes.disabledAt,
    }),
  });
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseSessionAttributes: { absoluteExpiresAt: Date };
    DatabaseUserAttributes: { email: string; name: string; isAdmin: boolean; disabledAt: Date | null };
    UserId: string;
  }
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * Announced by database triggers (migration 0007_session_notify) with a user's id whenever one of their
 * sessions is deleted, by any code path or cascade, or their account's name, email, admin flag,
 * password or disabled state changes.
 */
export const SESSIONS_CHANNEL = "parlor_sessions";

export interface SessionCachePolicy {
  /** Sessions kept in memory at most; the oldest go first. */
  maxEntries: number;
  /**
   * How long a cached session is trusted without asking the database: a safety net only, since
   * every change that ends a session is announced on SESSIONS_CHANNEL and drops it at once.
   */
  ttlMs: number;
}

export const defaultSessionCachePolicy: SessionCachePolicy = { maxEntries: 10_000, ttlMs: 30_000 };

export interface SessionStoreOptions {
  policy?: SessionPolicy;
  /** Where SESSIONS_CHANNEL is heard; without it nothing is cached. */
  notifications?: Pick<DatabaseHandle, "listen">;
  cache?: SessionCachePolicy;
}

interface CachedSession {
  user: SessionUser;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  cachedAt: number;
}

/**
 * Validated sessions by id, so that a signed-in request needs no database round trip for its
 * session. Entries are trusted only while this process hears SESSIONS_CHANNEL: it is cleared
 * whenever listening (re)starts (a notification may have been missed while the connection was
 * down), and a lookup that raced an invalidation is not cached.
 */
function createSessionCache(policy: SessionCachePolicy) {
  const entries = new Map<string, CachedSession>();
  const byUser = new Map<string, Set<string>>();
  let generation = 0;
  let listening = false;

  const drop = (sessionId: string) => {
    const entry = entries.get(sessionId);
    if (!entry) return;
    entries.delete(sessionId);
    const ids = byUser.get(entry.user.id);
    ids?.delete(sessionId);
    if (ids?.size === 0) byUser.delete(entry.user.id);
  };

  return {
    /** Bumped by every invalidation: a lookup started before a bump must not be cached. */
    generation: () => generation,
    get(sessionId: string, now: number): CachedSession | undefined {
      const entry = entries.get(sessionId);
      if (entry && now - entry.cachedAt >= policy.ttlMs) {
        drop(sessionId);
        return undefined;
      }
      return entry;
    },
    set(sessionId: string, entry: CachedSession, startedAt: number) {
      if (!listening || startedAt !== generation || policy.maxEntries <= 0) return;
      drop(sessionId);
      while (entries.size >= policy.maxEntries) drop(entries.keys().next().value as string);
      entries.set(sessionId, entry);
      let ids = byUser.get(entry.user.id);
      if (!ids) byUser.set(entry.user.id, (ids = new Set()));
      ids.add(sessionId);
    },
    forgetSession(sessionId: string) {
      generation++;
      drop(sessionId);
    },
    forgetUser(userId: string) {
      generation++;
      for (const sessionId of byUser.get(userId) ?? []) drop(sessionId);
    },
    /** Listening (re)started: anything cached before may have missed a notification. */
    listening() {
      generation++;
      entries.clear();
      byUser.clear();
      listening = true;
    },
    stopped() {
      generation++;
      entries.clear();
      byUser.clear();
      listening = false;
    },
  };
}

type SessionCache = ReturnType<typeof createSessionCache>;
type Lucias = Record<"secure" | "plain", ReturnType<typeof createLucia>>;

/**
 * The session and its user by primary key, as one prepared statement (built once, not per
 * request): every signed-in request starts here.
 */
function prepareSessionAndUser(db: Database) {
  return db
    .select({
      expiresAt: schema.sessions.expiresAt,
      absoluteExpiresAt: schema.sessions.absoluteExpiresAt,
      user: {
        id: schema.users.id,
        email: schema.users.email,
        name: schema.users.name,
        isAdmin: schema.users.isAdmin,
      },
      disabledAt: schema.users.disabledAt,
    })
    .from(schema.sessions)
    .innerJoin(schema.users, eq(schema.users.id, schema.sessions.userId))
    .where(eq(schema.sessions.id, sql.placeholder("id")))
    .prepare("parlor_session_and_user");
}

/**
 * Resolves a session id to its session: from the cache, else in one indexed lookup when the
 * session is well within both of its lifetimes, else through Lucia (unknown, expired, or due for
 * its idle expiry to slide, which refreshes the cookie).
 */
function createSessionValidator(
  db: Database,
  lucia: Lucias,
  cache: SessionCache,
  policy: SessionPolicy,
  cookieFor: (secure: boolean, token: string) => SessionCookie,
) {
  const sessionAndUser = prepareSessionAndUser(db);
  const halfIdle = policy.idleTimeout.milliseconds() / 2;
  /** Neither lifetime ends soon, so the idle expiry need not slide yet. */
  const wellWithinLifetimes = (session: { expiresAt: Date; absoluteExpiresAt: Date }, now: number) =>
    session.expiresAt.getTime() - halfIdle > now && session.absoluteExpiresAt.getTime() > now;

  function fromCache(sessionId: string): ValidSession | null {
    const cached = cache.get(sessionId, Date.now());
    if (!cached) return null;
    if (wellWithinLifetimes(cached, Date.now())) {
      return { sessionId, user: cached.user, expiresAt: cached.expiresAt, refreshedCookie: null };
    }
    cache.forgetSession(sessionId);
    return null;
  }

  async function fromLucia(sessionId: string, token: string, secure: boolean): Promise<ValidSession | null> {
    const instance = secure ? lucia.secure : lucia.plain;
    const { session, user } = await instance.validateSession(sessionId);
    if (!session) return null;
    if (session.absoluteExpiresAt.getTime() <= Date.now()) {
      await instance.invalidateSession(session.id);
      return null;
    }
    return {
      sessionId: session.id,
      user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
      expiresAt: session.expiresAt,
      refreshedCookie: session.fresh ? cookieFor(secure, token) : null,
    };
  }

  return async function validate(sessionId: string, token: string, secure: boolean) {
    const cached = fromCache(sessionId);
    if (cached) return cached;
    const generation = cache.generation();
    const [found] = await sessionAndUser.execute({ id: sessionId });
    if (!found) return null;
    // Disabling an account deletes its sessions; this also refuses one that raced it.
    if (found.disabledAt) {
      await lucia.plain.invalidateSession(sessionId);
      cache.forgetSession(sessionId);
      return null;
    }
    const now = Date.now();
    if (!wellWithinLifetimes(found, now)) return fromLucia(sessionId, token, secure);
    const { user, expiresAt, absoluteExpiresAt } = found;
    cache.set(sessionId, { user, expiresAt, absoluteExpiresAt, cachedAt: now }, generation);
    return { sessionId, user, expiresAt, refreshedCookie: null };
  };
}

export function createSessionStore(db: Database, options: SessionStoreOptions = {}) {
  const policy = options.policy ?? defaultSessionPolicy;
  const cache = createSessionCache(options.cache ?? defaultSessionCachePolicy);
  let subscribed: Promise<unknown> | undefined;
  /** Starts listening on first use; until it is listening, every lookup asks the database. */
  const subscribe = () => {
    if (!options.notifications || subscribed) return;
    subscribed = options.notifications
      .listen(SESSIONS_CHANNEL, (userId) => cache.forgetUser(userId), cache.listening)
      .catch(() => {
        cache.stopped();
        subscribed = undefined;
      });
  };
  const lucia: Lucias = { secure: createLucia(db, policy, true), plain: createLucia(db, policy, false) };
  const pick = (secure: boolean) => (secure ? lucia.secure : lucia.plain);
  const cookieFor = (secure: boolean, token: string): SessionCookie => {
    const cookie = pick(secure).createSessionCookie(token);
    return { name: cookie.name, value: cookie.value, serialized: cookie.serialize() };
  };
  const validateSession = createSessionValidator(db, lucia, cache, policy, cookieFor);

  return {
    cookieName: (secure: boolean) => pick(secure).sessionCookieName,

    /** The session token from a `Cookie` header, or null. */
    readToken: (cookieHeader: string, secure: boolean) => pick(secure).readSessionCookie(cookieHeader),

    /** Starts a session; the returned cookie holds the only copy of its token. */
    async create(userId: string, secure: boolean): Promise<{ sessionId: string; cookie: SessionCookie }> {
      const token = randomToken(20);
      const sessionId = sha256Hex(token);
      await pick(secure).createSession(
        userId,
        { absoluteExpiresAt: new Date(Date.now() + policy.absoluteLifetime.milliseconds()) },
        { sessionId },
      );
      return { sessionId, cookie: cookieFor(secure, token) };
    },

    /** Resolves a cookie's token to its session in one indexed lookup; null when it is not valid. */
    async validate(token: string, secure: boolean): Promise<ValidSession | null> {
      if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
      subscribe();
      return validateSession(sha256Hex(token), token, secure);
    },

    // Other instances hear of each deletion through SESSIONS_CHANNEL; this one forgets at once,
    // so its next request cannot race the notification.
    async invalidate(sessionId: string): Promise<void> {
      cache.forgetSession(sessionId);
      await lucia.plain.invalidateSession(sessionId);
      cache.forgetSession(sessionId);
    },

    /** Ends every session of a user except, optionally, the one in use. */
    async invalidateUserSessions(userId: string, exceptSessionId?: string): Promise<void> {
      cache.forgetUser(userId);
      if (!exceptSessionId) await lucia.plain.invalidateUserSessions(userId);
      else {
        await db
          .delete(schema.sessions)
          .where(and(eq(schema.sessions.userId, userId), ne(schema.sessions.id, exceptSessionId)));
      }
      cache.forgetUser(userId);
    },

    /**
     * Drops a user's cached sessions in this process, after a change to the account that other
     * instances hear of through SESSIONS_CHANNEL (admin flag, deletion).
     */
    forgetUser: (userId: string) => cache.forgetUser(userId),

    blankCookie(secure: boolean): SessionCookie {
      const cookie = pick(secure).createBlankSessionCookie();
      return { name: cookie.name, value: cookie.value, serialized: cookie.serialize() };
    },

    deleteExpired: () => lucia.plain.deleteExpiredSessions(),
  };
}

export const GUEST_COOKIE = "parlor_guest";
export const SECURE_GUEST_COOKIE = "__Host-parlor_guest";

/**
 * The guest cookie (guests/logic.ts): like the session cookie, it carries a random token whose SHA-256
 * is the row's id; guests have their own table, bound to one room, and never a Lucia session.
 */
export const guestCookies = {
  name: (secure: boolean) => (secure ? SECURE_GUEST_COOKIE : GUEST_COOKIE),
  create(secure: boolean, token: string, expiresAt: Date): SessionCookie {
    const cookie = new Cookie(guestCookies.name(secure), token, {
      secure,
      sameSite: "lax",
      path: "/",
      httpOnly: true,
      expires: expiresAt,
    });
    return { name: cookie.name, value: cookie.value, serialized: cookie.serialize() };
  },
  blank(secure: boolean): SessionCookie {
    const cookie = new Cookie(guestCookies.name(secure), "", {
      secure,
      sameSite: "lax",
      path: "/",
      httpOnly: true,
      maxAge: 0,
    });
    return { name: cookie.name, value: cookie.value, serialized: cookie.serialize() };
  },
  /** The guest token from a `Cookie` header, or null. */
  read(cookieHeader: string, secure: boolean): string | null {
    const name = guestCookies.name(secure);
    for (const part of cookieHeader.split(";")) {
      const [key, ...value] = part.trim().split("=");
      if (key === name) return decodeURIComponent(value.join("=")) || null;
    }
    return null;
  },
};
