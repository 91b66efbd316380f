/**
 * The only module that uses Lucia (v3, deprecated upstream): replacing it means rewriting this
 * file alone. Lucia keeps sessions in Postgres and slides their idle expiry; this module adds
 * what Lucia leaves to us: the cookie carries a random token and the table keeps only its
 * SHA-256 hash, and every session also has an absolute lifetime.
 */
import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { schema, type Database } from "@parlor/db";
import { and, eq, ne, sql } from "drizzle-orm";
import { Cookie, Lucia, TimeSpan } from "lucia";

import { randomToken, sha256Hex } from "../lib/crypto";

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

export function createSessionStore(db: Database, policy: SessionPolicy = defaultSessionPolicy) {
  const lucia = { secure: createLucia(db, policy, true), plain: createLucia(db, policy, false) };
  const pick = (secure: boolean) => (secure ? lucia.secure : lucia.plain);

  /**
   * The session and its user by primary key, as one prepared statement (built once, not per
   * request): every signed-in request starts here.
   */
  const sessionAndUser = db
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
  const halfIdle = policy.idleTimeout.milliseconds() / 2;

  const cookieFor = (secure: boolean, token: string): SessionCookie => {
    const cookie = pick(secure).createSessionCookie(token);
    return { name: cookie.name, value: cookie.value, serialized: cookie.serialize() };
  };

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
      const sessionId = sha256Hex(token);
      // The common case in one lookup: a session well within both of its lifetimes. Anything
      // else (unknown, expired, due for its idle expiry to slide) is Lucia's to decide.
      const [found] = await sessionAndUser.execute({ id: sessionId });
      if (!found) return null;
      // Disabling an account deletes its sessions; this also refuses one that raced it.
      if (found.disabledAt) {
        await lucia.plain.invalidateSession(sessionId);
        return null;
      }
      const now = Date.now();
      if (found.expiresAt.getTime() - halfIdle > now && found.absoluteExpiresAt.getTime() > now) {
        return { sessionId, user: found.user, expiresAt: found.expiresAt, refreshedCookie: null };
      }
      const instance = pick(secure);
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
    },

    invalidate: (sessionId: string) => lucia.plain.invalidateSession(sessionId),

    /** Ends every session of a user except, optionally, the one in use. */
    async invalidateUserSessions(userId: string, exceptSessionId?: string): Promise<void> {
      if (!exceptSessionId) return lucia.plain.invalidateUserSessions(userId);
      await db
        .delete(schema.sessions)
        .where(and(eq(schema.sessions.userId, userId), ne(schema.sessions.id, exceptSessionId)));
    },

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
 * The guest cookie (guests.ts): like the session cookie, it carries a random token whose SHA-256
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
