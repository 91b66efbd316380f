import { timingSafeEqual } from "node:crypto";

import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { enforceOnJoin } from "./access";
import { createContext } from "./context";
import { AppError, postgresErrorCode } from "./lib/errors";
import {
  applyWebhookEvent,
  lastReconciledAt,
  UnusableWebhookEvent,
  verifyWebhook,
  WebhookRejected,
} from "./presence";
import { appRouter } from "./root";
import type { Services } from "./services";

export const TRPC_ENDPOINT = "/api/trpc";

/**
 * Serves the tRPC API over HTTP (the web app's `/api/trpc` route, and tests without a server).
 * `services` may still be starting; when it cannot start (the database is down), every call in
 * the request answers SERVICE_UNAVAILABLE in tRPC's own error shape.
 */
export function handleTRPCRequest(
  services: Services | (() => Promise<Services>),
  req: Request,
): Promise<Response> {
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    router: appRouter,
    req,
    createContext: async ({ resHeaders }) => {
      let ready: Services;
      try {
        ready = typeof services === "function" ? await services() : services;
      } catch {
        throw new TRPCError({
          code: "SERVICE_UNAVAILABLE",
          message: "Parlor is starting or cannot reach its database. Please try again in a moment.",
        });
      }
      return createContext(ready, {
        headers: req.headers,
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

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

/** Largest webhook body accepted; LiveKit's events are a few kilobytes. */
const MAX_WEBHOOK_BYTES = 1 << 20;

/**
 * `POST /api/livekit/webhook`: verifies the event against the raw body (signature, issuer,
 * expiry, body hash) and applies it once. Unsigned or tampered requests get 401 and change nothing.
 */
export async function handleLiveKitWebhook(services: Services, req: Request): Promise<Response> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_WEBHOOK_BYTES) return json(413, { error: "Webhook body too large." });
  const body = await req.text();
  if (body.length > MAX_WEBHOOK_BYTES) return json(413, { error: "Webhook body too large." });

  let event;
  try {
    event = await verifyWebhook(services, body, req.headers.get("authorization"));
  } catch (error) {
    const reason = error instanceof WebhookRejected ? error.message : "invalid webhook";
    services.logger.warn({ event: "webhook.rejected", reason }, "webhook rejected");
    services.metrics.webhookEvents.inc({ result: "rejected" });
    return json(401, { error: "Webhook signature not valid." });
  }
  try {
    const applied = await applyWebhookEvent(services, event);
    services.metrics.webhookEvents.inc({ result: applied ? "applied" : "duplicate" });
    if (applied) {
      // A failure here leaves the join to reconciliation; the event itself is applied.
      await enforceOnJoin(services, event).catch((error: unknown) =>
        services.logger.warn({ err: error }, "could not check a joining participant's access"),
      );
    }
    return json(200, { ok: true, applied });
  } catch (error) {
    // A signed event whose values Postgres cannot store (a data exception, SQLSTATE class 22)
    // will never apply: say so, rather than invite a retry.
    if (error instanceof UnusableWebhookEvent || postgresErrorCode(error)?.startsWith("22")) {
      services.logger.warn({ event: event.event, reason: String(error) }, "webhook carried unusable values");
      services.metrics.webhookEvents.inc({ result: "rejected" });
      return json(400, { error: "Webhook event carries values Parlor cannot use." });
    }
    // LiveKit retries failed deliveries; reconciliation covers what is lost for good.
    services.logger.error({ err: error, event: event.event }, "webhook could not be applied");
    services.metrics.webhookEvents.inc({ result: "failed" });
    return json(
      503,
      { error: "Webhook could not be applied now; it will be retried." },
      { "retry-after": "5" },
    );
  }
}

/** `GET /api/health`: database and LiveKit reachability, and how fresh the presence picture is. */
export async function healthReport(services: Services) {
  const started = performance.now();
  const [database, livekit] = await Promise.all([services.database.ping(2_000), services.livekit.ping()]);
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
