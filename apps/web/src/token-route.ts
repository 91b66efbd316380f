/**
 * The join token beside Next: `GET /api/trpc/room.connectionDetails` and
 * `GET /api/trpc/guest.connectionDetails` — what a room page asks for the moment it opens — are
 * answered by Parlor's tRPC handler straight from Node's HTTP server, in the same process, without
 * Next's request pipeline (its routing, request and response wrappers, and the piping of the
 * answer through web streams), which cost more than the call itself: measured with `pnpm bench:meet`
 * and `pnpm --filter @parlor/bench profile` (docs/performance.md).
 *
 * The answer is the one the `/api/trpc` route gives: the same `handleTRPCRequest` (session,
 * membership, ban, room options, token; the same errors, cookies and cache headers) with the API's
 * fixed headers from next.config.ts. Any other request, a batch of several calls, or a method
 * other than GET goes to Next as before.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from "node:http";

import { getServices, handleTRPCRequest, TRPC_ENDPOINT } from "@parlor/api/server";

import { API_HEADERS } from "./lib/security-headers";

const TOKEN_PATHS = new Set([
  `${TRPC_ENDPOINT}/room.connectionDetails`,
  `${TRPC_ENDPOINT}/guest.connectionDetails`,
]);

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function isTokenRequest(req: Pick<IncomingMessage, "method" | "url">): boolean {
  if (req.method !== "GET" || !req.url) return false;
  const query = req.url.indexOf("?");
  return TOKEN_PATHS.has(query === -1 ? req.url : req.url.slice(0, query));
}

/** The request as the fetch API sees it, with Node's own joining of repeated headers (cookies with "; "). */
function toFetchRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (value) for (const item of value) headers.append(name, item);
  }
  return new Request(new URL(req.url!, `http://${req.headers.host ?? "localhost"}`), { headers });
}

export async function serveTokenRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: Response;
  try {
    response = await handleTRPCRequest(getServices, toFetchRequest(req));
  } catch {
    // An address the URL parser refuses (a broken Host header); the tRPC handler itself never throws.
    res.writeHead(400, { ...API_HEADERS, "content-type": "text/plain; charset=utf-8" });
    res.end("The request could not be read.");
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  const headers: OutgoingHttpHeaders = { ...API_HEADERS, "content-length": body.length };
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Puts the token route in front of `server`'s request listener (Next's). */
export function serveTokenRouteBeside(server: Server): void {
  const listeners = server.listeners("request") as RequestListener[];
  if (listeners.length !== 1) return; // Not a server we know: leave it as it is.
  const [next] = listeners as [RequestListener];
  server.removeListener("request", next);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (isTokenRequest(req)) void serveTokenRequest(req, res);
    else next(req, res);
  });
}

/**
 * Called once at start (instrumentation): the HTTP server Next creates is not handed to the app,
 * so it is taken from Node's `http.server.request.start` diagnostics channel, which publishes
 * every request with its server before the server's listeners see it — the first request too.
 */
export function serveTokenRouteBesideNext(): void {
  let done = false;
  const onRequest = (message: unknown) => {
    if (done) return;
    done = true;
    serveTokenRouteBeside((message as { server: Server }).server);
    // Not while the channel is calling its subscribers: that would skip the one after this.
    queueMicrotask(() => unsubscribe("http.server.request.start", onRequest));
  };
  subscribe("http.server.request.start", onRequest);
}
