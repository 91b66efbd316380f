import { timingSafeEqual } from "node:crypto";

import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { endLiveKitRoom, evict } from "./access/evict";
import { createContext } from "./lib/context";
import { isCrossSiteRequest } from "./lib/csrf";
import { AppError, postgresErrorCode } from "./lib/errors";
import { lastReconciledAt } from "./presence/reconcile";
import { applyWebhookEvent, UnusableWebhookEvent, verifyWebhook, WebhookRejected } from "./presence/webhook";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES, MAX_JSON_DEPTH, UNBATCHED_PATHS } from "./lib/limits";
import { applyEgressEvent } from "./recordings/egress";
import { stopRecordingsOfRoom } from "./recordings/lifecycle";
import { appRouter } from "./root";
import type { Services } from "./lib/services";

export const TRPC_ENDPOINT = "/api/trpc";

export interface TRPCRequestOptions {
  /** The socket's address; by default what the HTTP server stamped on the request. */
  peerAddress?: string | null;
}

/**
 * Serves the tRPC API over HTTP (the web app's `/api/trpc` route, and tests without a server).
 * `services` may still be starting; when it cannot start (the database is down), every call in
 * the request answers SERVICE_UNAVAILABLE in tRPC's own error shape. A request over the limits
 * (lib/limits.ts) is refused the same way before anything runs, its body unread past the limit.
 */
export async function handleTRPCRequest(
  services: Services | (() => Promise<Services>),
  req: Request,
  options: TRPCRequestOptions = {},
): Promise<Response> {
  const screened = await screenRequest(req);
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    router: appRouter,
    req: screened.request,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: async ({ resHeaders }) => {
      if (screened.refusal) throw screened.refusal;
      let ready: Services;
      try {
        ready = typeof services === "function" ? await services() : services;
      } catch {
        throw new TRPCError({
          code: "SERVICE_UNAVAILABLE",
          message: "Parlor is starting or cannot reach its database. Please try again in a moment.",
        });
      }
      // The web app's proxy runs for pages only: the API refuses cross-site calls here.
      if (
        isCrossSiteRequest({ method: req.method, headers: req.headers, url: req.url }, ready.config.appOrigin)
      ) {
        throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused." });
      }
      return createContext(ready, {
        headers: req.headers,
        peerAddress: options.peerAddress,
        setCookie: (cookie) => resHeaders.append("set-cookie", cookie),
      });
    },
    responseMeta({ errors, type }) {
      const headers = new Headers({ "cache-control": "no-store" });
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.details.retryAfterSeconds : undefined))
        .find((s) => s !== undefined);
      if (retryAfter) headers.set("retry-after", String(retryAfter));
      // Responses depend on the session cookie: never cache them in shared caches.
      if (type === "query") headers.set("vary", "cookie");
      return { headers };
    },
  });
}

/**
 * Checks what can be checked before any work: which procedures a batch names, the body's size
 * (read no further than the limit) and how deeply its JSON nests (a scan of the raw text, so
 * that a body of millions of brackets never reaches JSON.parse). Returns the request to serve,
 * with the body already read, or why it is refused.
 */
async function screenRequest(req: Request): Promise<{ request: Request; refusal?: TRPCError }> {
  const url = new URL(req.url);
  if (url.searchParams.get("batch") === "1") {
    const paths = decodedPath(url).split(",");
    const unbatched = paths.find((path) => UNBATCHED_PATHS.has(path));
    if (paths.length > 1 && unbatched) {
      return {
        request: req,
        refusal: new TRPCError({
          code: "BAD_REQUEST",
          message: `${unbatched} cannot be batched with other calls: send it as a request of its own.`,
        }),
      };
    }
  }
  const input = url.searchParams.get("input");
  if (input && jsonDepthExceeds(input, MAX_JSON_DEPTH)) return { request: req, refusal: tooDeep() };
  if (req.method !== "POST" || !req.body) return { request: req };

  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return { request: req, refusal: tooLarge() };
  let body: string | null;
  try {
    body = await readAtMost(req.body, MAX_BODY_BYTES);
  } catch {
    // The client went away mid-body, or sent something that is not a body.
    return {
      request: req,
      refusal: new TRPCError({ code: "BAD_REQUEST", message: "The request body could not be read." }),
    };
  }
  if (body === null) return { request: req, refusal: tooLarge() };
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) return { request: req, refusal: tooDeep() };
  return {
    request: new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal }),
  };
}

/** The procedure path(s) after the endpoint, decoded as tRPC decodes them. */
function decodedPath(url: URL): string {
  const path = url.pathname.slice(TRPC_ENDPOINT.length).replace(/^\/+|\/+$/g, "");
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const tooLarge = () =>
  new TRPCError({
    code: "PAYLOAD_TOO_LARGE",
    message: `The request is larger than Parlor accepts (${MAX_BODY_BYTES / 1024} kB).`,
  });
const tooDeep = () =>
  new TRPCError({
    code: "BAD_REQUEST",
    message: `The request nests deeper than Parlor accepts (${MAX_JSON_DEPTH} levels).`,
  });

/** The body as text, or null as soon as it passes `limit` bytes (the rest is never read). */
async function readAtMost(body: ReadableStream<Uint8Array>, limit: number): Promise<string | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Whether arrays and objects in `text` nest deeper than `maxDepth`, in one pass over the raw
 * text: brackets inside strings do not count; the text need not be valid JSON (JSON.parse judges
 * that afterwards, on text now known to be shallow).
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \\ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

/**
 * A webhook's answer: LiveKit reads only its status. `no-transform` keeps Next's compression from
 * gzipping a few dozen bytes per event (it compresses any answer whose length it does not know
 * in advance, and LiveKit asks for gzip).
 */
const webhookAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  json(status, body, { "cache-control": "no-store, no-transform", ...headers });

/** Largest webhook body accepted; LiveKit's events are a few kilobytes. */
const MAX_WEBHOOK_BYTES = 1 << 20;

/**
 * `POST /api/livekit/webhook`: verifies the event against the raw body (signature, issuer,
 * expiry, body hash) and applies it once. Unsigned or tampered requests get 401 and change nothing.
 */
export async function handleLiveKitWebhook(services: Services, req: Request): Promise<Response> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_WEBHOOK_BYTES) return webhookAnswer(413, { error: "Webhook body too large." });
  const body = await req.text();
  if (body.length > MAX_WEBHOOK_BYTES) return webhookAnswer(413, { error: "Webhook body too large." });

  let event;
  try {
    event = await verifyWebhook(services, body, req.headers.get("authorization"));
  } catch (error) {
    const reason = error instanceof WebhookRejected ? error.message : "invalid webhook";
    services.logger.warn({ event: "webhook.rejected", reason }, "webhook rejected");
    services.metrics.webhookEvents.inc({ result: "rejected" });
    return webhookAnswer(401, { error: "Webhook signature not valid." });
  }
  try {
    const { applied, refusedJoiner, orphanRoom } = await applyWebhookEvent(services, event);
    services.metrics.webhookEvents.inc({ result: applied ? "applied" : "duplicate" });
    // The meeting is over: so is its recording. Only a process that runs recordings asks (the
    // recorder of another instance sees LiveKit close the room itself, and a dead one's recording
    // is swept), so a webhook costs no statement more for rooms nobody records.
    if (event.event === "room_finished" && event.room?.name && services.recorder.running() > 0) {
      await stopRecordingsOfRoom(services, event.room.name).catch((error: unknown) =>
        services.logger.warn({ err: error }, "could not stop the recordings of a finished meeting"),
      );
    }
    // LiveKit's Egress reports on a recording (RECORDER=egress): applied even to a redelivery,
    // which changes nothing when it was applied before (a failure here is retried by LiveKit).
    if (event.egressInfo && event.event.startsWith("egress_"))
      await applyEgressEvent(services, event.egressInfo);
    // The access rule said no to this join: out at once (a failure leaves it to reconciliation;
    // the event itself is applied).
    if (refusedJoiner) await evict(services, [refusedJoiner]);
    if (orphanRoom) await endLiveKitRoom(services, orphanRoom);
    return webhookAnswer(200, { ok: true, applied });
  } catch (error) {
    // A signed event whose values Postgres cannot store (a data exception, SQLSTATE class 22)
    // will never apply: say so, rather than invite a retry.
    if (error instanceof UnusableWebhookEvent || postgresErrorCode(error)?.startsWith("22")) {
      services.logger.warn({ event: event.event, reason: String(error) }, "webhook carried unusable values");
      services.metrics.webhookEvents.inc({ result: "rejected" });
      return webhookAnswer(400, { error: "Webhook event carries values Parlor cannot use." });
    }
    // LiveKit retries failed deliveries; reconciliation covers what is lost for good.
    services.logger.error({ err: error, event: event.event }, "webhook could not be applied");
    services.metrics.webhookEvents.inc({ result: "failed" });
    return webhookAnswer(
      503,
      { error: "Webhook could not be applied now; it will be retried." },
      { "retry-after": "5" },
    );
  }
}

/** How long `/api/health` reuses a LiveKit probe: anyone may call it, LiveKit need not hear of each. */
export const LIVEKIT_PROBE_TTL_MS = 5_000;
const livekitProbes = new WeakMap<Services, { at: number; reachable: Promise<boolean> }>();

/** Whether LiveKit answers, probed at most once per TTL (callers meanwhile share the probe). */
function probeLiveKit(services: Services): Promise<boolean> {
  const now = services.clock().getTime();
  const last = livekitProbes.get(services);
  if (last && now - last.at < LIVEKIT_PROBE_TTL_MS && now >= last.at) return last.reachable;
  const reachable = services.livekit.ping();
  livekitProbes.set(services, { at: now, reachable });
  return reachable;
}

/** `GET /api/health`: database and LiveKit reachability, and how fresh the presence picture is. */
export async function healthReport(services: Services) {
  const started = performance.now();
  const [database, livekit] = await Promise.all([services.database.ping(2_000), probeLiveKit(services)]);
  const reconciledAt = database ? await lastReconciledAt(services).catch(() => null) : null;
  const ok = database && livekit;
  return {
    status: ok ? ("ok" as const) : ("degraded" as const),
    database: { ok: database, driver: services.database.driver },
    livekit: { ok: livekit },
    reconciliation: {
      lastAt: reconciledAt?.toISOString() ?? null,
      ageSeconds: reconciledAt
        ? Math.round((services.clock().getTime() - reconciledAt.getTime()) / 1000)
        : null,
    },
    checkedInMs: Math.round(performance.now() - started),
  };
}

export async function handleHealth(services: Services | (() => Promise<Services>)): Promise<Response> {
  let ready: Services;
  try {
    ready = typeof services === "function" ? await services() : services;
  } catch {
    return json(503, {
      status: "down",
      database: { ok: false },
      livekit: { ok: null },
      reconciliation: null,
    });
  }
  const report = await healthReport(ready);
  return json(report.status === "ok" ? 200 : 503, report);
}

/**
 * `GET /api/metrics` for Prometheus: off (404) unless METRICS_TOKEN is set, and then only for a
 * request bearing that token.
 */
export async function handleMetrics(services: () => Promise<Services>, req: Request): Promise<Response> {
  const ready = await services().catch(() => null);
  const token = ready?.config.metricsToken;
  if (!ready || !token) return new Response("Not found", { status: 404 });
  const given = Buffer.from(req.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return new Response("Unauthorized", { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  return new Response(await ready.metrics.registry.metrics(), {
    headers: { "content-type": ready.metrics.registry.contentType, "cache-control": "no-store" },
  });
}
