/**
 * Who is asking: the signed-in user as every response shows them, and the guest pass named by the
 * guest cookie. The request context resolves both (context.ts); the accounts and guests domains
 * build on the same shapes.
 */
import { schema } from "@parlor/db";
import { and, eq, gt } from "drizzle-orm";

import { sha256Hex } from "./crypto";
import { guestCookies, type SessionUser } from "./lucia";
import type { Services } from "./services";

/** The user as every API response shows it. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export function toPublicUser(svc: Pick<Services, "config">, user: SessionUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin || svc.config.adminEmails.has(user.email),
  };
}

/** A guest's session as every guest.* procedure sees it. */
export interface GuestSession {
  id: string;
  identity: string;
  name: string;
  linkId: string;
  linkRevoked: boolean;
  room: typeof schema.rooms.$inferSelect;
  team: { id: string; slug: string; name: string };
}

/** The guest session a guest cookie token names, or null (malformed, unknown or expired). */
export async function resolveGuestToken(svc: Services, token: string): Promise<GuestSession | null> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
  const [row] = await svc.db
    .select({
      session: schema.guestSessions,
      linkRevokedAt: schema.guestLinks.revokedAt,
      room: schema.rooms,
      team: { id: schema.teams.id, slug: schema.teams.slug, name: schema.teams.name },
    })
    .from(schema.guestSessions)
    .innerJoin(schema.guestLinks, eq(schema.guestLinks.id, schema.guestSessions.linkId))
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.guestSessions.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(
      and(eq(schema.guestSessions.id, sha256Hex(token)), gt(schema.guestSessions.expiresAt, svc.clock())),
    )
    .limit(1);
  if (!row) return null;
  return {
    id: row.session.id,
    identity: row.session.identity,
    name: row.session.name,
    linkId: row.session.linkId,
    linkRevoked: row.linkRevokedAt !== null,
    room: row.room,
    team: row.team,
  };
}

/** The guest session named by the request's guest cookie, or null (none, unknown or expired). */
export async function resolveGuest(svc: Services, cookieHeader: string, secure: boolean) {
  const token = guestCookies.read(cookieHeader, secure);
  return token ? resolveGuestToken(svc, token) : null;
}
