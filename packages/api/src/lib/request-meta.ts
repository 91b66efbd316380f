/**
 * What a request says about where it comes from. Below the domains (guests read the client's
 * address from it) and the tRPC context that carries it.
 */
import { randomUUID } from "node:crypto";

import { clientAddress, peerAddressOf } from "./client-address";
import type { Services } from "./services";

export interface RequestMeta {
  requestId: string;
  /**
   * The client's address: the socket's, or from X-Forwarded-For as far as TRUSTED_PROXIES trusts
   * it (client-address.ts); null when unknown (a server-side caller).
   */
  ip: string | null;
  userAgent: string | null;
  /** Whether the client reached us over https. */
  secure: boolean;
  /** The app's own origin: APP_URL when set, else what the request's Host says. */
  origin: string;
}

export function requestMeta(
  svc: Services,
  headers: Headers,
  peerAddress: string | null = peerAddressOf(headers),
): RequestMeta {
  const ip = clientAddress(peerAddress, headers.get("x-forwarded-for"), svc.config.trustedProxies);
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const requestId = headers.get("x-request-id")?.slice(0, 64) || randomUUID();
  const secure = proto ? proto === "https" : (svc.config.appOrigin?.startsWith("https:") ?? false);
  const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? "localhost:3000";
  return {
    requestId: /^[\w.-]+$/.test(requestId) ? requestId : randomUUID(),
    ip,
    userAgent: headers.get("user-agent")?.slice(0, 512) ?? null,
    secure,
    origin: svc.config.appOrigin ?? `${secure ? "https" : "http"}://${host}`,
  };
}
