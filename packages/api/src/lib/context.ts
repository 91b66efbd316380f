import type { ValidSession } from "./lucia";
import { resolveGuest, toPublicUser, type GuestSession, type PublicUser } from "./requester";
import type { Logger } from "./logger";
import { requestMeta, type RequestMeta } from "./request-meta";
import type { Services } from "./services";

export interface Auth {
  session: ValidSession;
  user: PublicUser;
}

export interface Context {
  services: Services;
  meta: RequestMeta;
  logger: Logger;
  /** The signed-in user, resolved once per request on first use; null when signed out. */
  auth(): Promise<Auth | null>;
  /** The guest session from the guest cookie (requester.ts), resolved on first use; null when none. */
  guest(): Promise<GuestSession | null>;
  /** The `Cookie` header as sent, less any cookie whose encoding is broken (see `readableCookies`). */
  cookieHeader: string;
  /** Adds a `Set-Cookie` header to the response; a no-op where none can be sent (Server Components). */
  setCookie(serialized: string): void;
}

export interface ContextSource {
  headers: Headers;
  /** The socket's address; by default what the HTTP server stamped on the request. */
  peerAddress?: string | null;
  setCookie?: (serialized: string) => void;
}

/**
 * A `Cookie` header without the cookies whose percent-encoding is broken (`%E0%A4%A`): decoding
 * them throws, and they are someone's garbage, not a session or a guest pass, so they count as
 * absent. Returns the names of those dropped.
 */
export function readableCookies(header: string): { header: string; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const part of header.split(";")) {
    const pair = part.trim();
    if (!pair) continue;
    const equals = pair.indexOf("=");
    try {
      decodeURIComponent(equals === -1 ? pair : pair.slice(equals + 1));
      kept.push(pair);
    } catch {
      dropped.push((equals === -1 ? "" : pair.slice(0, equals)).slice(0, 64));
    }
  }
  return { header: dropped.length ? kept.join("; ") : header, dropped };
}

export function createContext(services: Services, source: ContextSource): Context {
  const meta = requestMeta(services, source.headers, source.peerAddress);
  const setCookie = source.setCookie ?? (() => {});
  const logger = services.logger.child({ requestId: meta.requestId });
  const cookies = readableCookies(source.headers.get("cookie") ?? "");
  if (cookies.dropped.length) {
    logger.warn({ event: "request.malformed_cookie", names: cookies.dropped }, "malformed cookie ignored");
  }
  const cookieHeader = cookies.header;
  let resolved: Promise<Auth | null> | undefined;

  const auth = () => {
    resolved ??= (async () => {
      const token = services.sessions.readToken(cookieHeader, meta.secure);
      if (!token) return null;
      const session = await services.sessions.validate(token, meta.secure);
      if (!session) {
        setCookie(services.sessions.blankCookie(meta.secure).serialized);
        return null;
      }
      if (session.refreshedCookie) setCookie(session.refreshedCookie.serialized);
      return { session, user: toPublicUser(services, session.user) };
    })();
    return resolved;
  };

  let guest: Promise<GuestSession | null> | undefined;

  return {
    services,
    meta,
    logger,
    auth,
    guest: () => (guest ??= resolveGuest(services, cookieHeader, meta.secure)),
    cookieHeader,
    setCookie,
  };
}
