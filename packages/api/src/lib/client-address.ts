/**
 * Which address a request came from. Next's route handlers are not given the socket, and Next
 * only fills in `X-Forwarded-For` from it when the client sent none, so that header alone is
 * whatever the client wants it to be. Parlor therefore stamps every request with its socket's
 * address as the HTTP server receives it (Node's documented `http.server.request.start`
 * diagnostics channel, published before the request reaches Next), overwriting any header of that
 * name the client sent, and reads `X-Forwarded-For` only as far as `TRUSTED_PROXIES` says
 * proxies of its own wrote it.
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { Socket } from "node:net";

/** The request header carrying the socket's address from the HTTP server to the route handler. */
export const PEER_ADDRESS_HEADER = "x-parlor-peer-address";

// Shared through globalThis: Next loads instrumentation and the route handlers as separate module graphs.
const STAMPING = Symbol.for("parlor.peerAddressStamping");
const state = globalThis as { [STAMPING]?: true };

/**
 * Stamps every request this process's HTTP server receives with its socket's address. Called once
 * at start (instrumentation) in the process that runs the server; idempotent.
 */
export function stampPeerAddresses(): void {
  if (state[STAMPING]) return;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[PEER_ADDRESS_HEADER] = socket.remoteAddress ?? "";
  });
  state[STAMPING] = true;
}

/**
 * The socket address stamped on this request, or null when this process does not stamp (then a
 * header of that name came from the client, and is not believed).
 */
export function peerAddressOf(headers: Headers): string | null {
  if (!state[STAMPING]) return null;
  return normaliseAddress(headers.get(PEER_ADDRESS_HEADER));
}

/** A valid IP address without the IPv4-mapped prefix (`::ffff:1.2.3.4` → `1.2.3.4`), else null. */
export function normaliseAddress(value: string | null | undefined): string | null {
  const address = value?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return address && isIP(address) ? address : null;
}

/**
 * The client's address: the socket's, unless `trustedProxies` proxies of ours stand in front of
 * Parlor. Each proxy appends the address it was reached from to `X-Forwarded-For`, so the last
 * `trustedProxies` hops (the socket being the nearest proxy) are ours, and the one before them is
 * the client as our farthest proxy saw it. Anything further left is the client's own claim.
 */
export function clientAddress(
  peerAddress: string | null,
  forwardedFor: string | null,
  trustedProxies: number,
): string | null {
  if (trustedProxies === 0 || !forwardedFor) return peerAddress;
  const hops = forwardedFor
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (peerAddress) hops.push(peerAddress);
  const client = hops[Math.max(0, hops.length - 1 - trustedProxies)];
  return normaliseAddress(client) ?? peerAddress;
}
