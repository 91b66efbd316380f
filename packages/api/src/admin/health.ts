import { schema } from "@parlor/db";
import { gt, max, sql } from "drizzle-orm";

import { RECONCILE_EVERY_MS } from "./jobs";
import { lastReconciledAt } from "../presence/reconcile";
import type { Services } from "../lib/services";

/** ok: working; warn: working, but something deserves a look; down: broken; idle: nothing to judge yet. */
export type HealthLevel = "ok" | "warn" | "down" | "idle";

export interface DependencyHealth {
  key: "database" | "livekit" | "webhooks" | "reconciliation";
  label: string;
  level: HealthLevel;
  /** What is true now, in a few words ("Not reachable at http://…"). */
  summary: string;
  /** What to check when it is not ok. */
  check: string | null;
  /** When the last sign of life was (a webhook's arrival, the last reconciliation). */
  at: Date | null;
}

/** Reconciliation older than this means it has stopped (two missed runs and some slack). */
export const RECONCILIATION_STALE_MS = 2 * RECONCILE_EVERY_MS + 15_000;
const DAY_MS = 86_400_000;

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 36 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

/**
 * The health of each thing Parlor depends on, for the top of /admin: the database, LiveKit's API
 * (and why it fails: down, hanging, refusing the key), webhooks (when the last one arrived) and
 * the presence reconciliation (how old it is), each with what to check when it is not right.
 */
export async function dependencyHealth(
  svc: Services,
): Promise<{ dependencies: DependencyHealth[]; checkedAt: Date }> {
  const now = svc.clock();
  const started = performance.now();
  const [databaseOk, livekit] = await Promise.all([svc.database.ping(2_000), svc.livekit.probe()]);
  const databaseMs = Math.round(performance.now() - started);
  const database = databaseHealth(svc, databaseOk, databaseMs, now);
  const livekitHealth = liveKitHealth(svc, livekit, now);
  if (!databaseOk) {
    const unknown = {
      level: "idle" as const,
      summary: "Unknown while the database does not answer",
      check: null,
      at: null,
    };
    const webhooks: DependencyHealth = { key: "webhooks", label: "Webhooks", ...unknown };
    const reconciliation: DependencyHealth = { key: "reconciliation", label: "Reconciliation", ...unknown };
    return { dependencies: [database, livekitHealth, webhooks, reconciliation], checkedAt: now };
  }
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const [[lastWebhook], [recentMeetings], reconciledAt] = await Promise.all([
    svc.db.select({ at: max(schema.webhookEvents.receivedAt) }).from(schema.webhookEvents),
    svc.db
      .select({ count: sql<number>`count(*)::int` })
      .from(schema.roomSessions)
      .where(gt(schema.roomSessions.startedAt, dayAgo)),
    lastReconciledAt(svc),
  ]);
  const webhooks = webhookHealth(lastWebhook?.at ?? null, (recentMeetings?.count ?? 0) > 0, now);
  const reconciliation = reconciliationHealth(reconciledAt, now);
  return { dependencies: [database, livekitHealth, webhooks, reconciliation], checkedAt: now };
}

function databaseHealth(svc: Services, ok: boolean, ms: number, now: Date): DependencyHealth {
  return ok
    ? {
        key: "database",
        label: "Database",
        level: "ok",
        summary: `Answering (${svc.database.driver === "pglite" ? "embedded PGlite" : "Postgres"}, ${ms} ms)`,
        check: null,
        at: now,
      }
    : {
        key: "database",
        label: "Database",
        level: "down",
        summary: "Not answering within 2 s",
        check:
          "Is Postgres running, and does DATABASE_URL point at it? The server log names the error of each failed query.",
        at: null,
      };
}

/** LiveKit's API, and why it fails when it does: down, hanging, refusing the key, at capacity. */
function liveKitHealth(
  svc: Services,
  livekit: Awaited<ReturnType<Services["livekit"]["probe"]>>,
  now: Date,
): DependencyHealth {
  const where = svc.livekit.apiUrl;
  const timeoutSeconds = Math.round(svc.livekit.timeoutMs / 100) / 10;
  if (livekit.ok) {
    return {
      key: "livekit",
      label: "LiveKit",
      level: "ok",
      summary: `Answering at ${where} (${livekit.ms} ms)`,
      check: null,
      at: now,
    };
  }
  return {
    key: "livekit",
    label: "LiveKit",
    level: "down",
    at: null,
    ...(livekit.problem === "timeout"
      ? {
          summary: `No answer from ${where} within ${timeoutSeconds} s`,
          check:
            "LiveKit accepts connections but does not answer: check its process and its log (overloaded, stuck). LIVEKIT_TIMEOUT_MS sets how long Parlor waits.",
        }
      : livekit.problem === "credentials"
        ? {
            summary: `${where} refuses Parlor's API key`,
            check: "LIVEKIT_API_KEY and LIVEKIT_API_SECRET must match a key pair in LiveKit's configuration.",
          }
        : livekit.problem === "capacity"
          ? {
              summary: `${where} is at capacity`,
              check: "LiveKit refuses new work: check its load and limits.",
            }
          : {
              summary: `Not reachable at ${where}`,
              check:
                "Is livekit-server running (docker compose up livekit), and does LIVEKIT_URL point at it from this server?",
            }),
  };
}

/** When the last webhook arrived; none is only a problem when rooms were used meanwhile. */
function webhookHealth(webhookAt: Date | null, roomsUsedToday: boolean, now: Date): DependencyHealth {
  const setUp =
    "LiveKit's webhook must point at this instance's /api/livekit/webhook and be signed with LIVEKIT_API_KEY (see docs/self-hosting.md).";
  if (webhookAt) {
    return {
      key: "webhooks",
      label: "Webhooks",
      level: "ok",
      summary: `Last arrived ${ago(now.getTime() - webhookAt.getTime())}`,
      check: null,
      at: webhookAt,
    };
  }
  return roomsUsedToday
    ? {
        key: "webhooks",
        label: "Webhooks",
        level: "warn",
        summary: "None in the last 24 hours, although rooms were used",
        check: `${setUp} Until then presence is only as fresh as the last reconciliation.`,
        at: null,
      }
    : {
        key: "webhooks",
        label: "Webhooks",
        level: "idle",
        summary: "None in the last 24 hours (no room was used)",
        check: `They arrive when people join and leave. ${setUp}`,
        at: null,
      };
}

/** How old the last presence reconciliation (by any instance) is. */
function reconciliationHealth(reconciledAt: Date | null, now: Date): DependencyHealth {
  const age = reconciledAt ? now.getTime() - reconciledAt.getTime() : null;
  return age !== null && age <= RECONCILIATION_STALE_MS
    ? {
        key: "reconciliation",
        label: "Reconciliation",
        level: "ok",
        summary: `Last ran ${ago(age)}`,
        check: null,
        at: reconciledAt,
      }
    : {
        key: "reconciliation",
        label: "Reconciliation",
        level: "down",
        summary: age === null ? "Has not run yet" : `Last ran ${ago(age)}`,
        check: `It asks LiveKit who is in each room every ${RECONCILE_EVERY_MS / 1000} s; it stops while LiveKit is unreachable (see above) or when the background job is not running. The server log says which.`,
        at: reconciledAt,
      };
}
