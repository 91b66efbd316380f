import { schema, type Database } from "@parlor/db";
import { count, isNull, sql } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics, one registry per service instance (tests run several in one process).
 * `collectGauges` is run at scrape time to read the live-room gauges from the database.
 */
export function createMetrics(collectGauges?: () => Promise<{ rooms: number; participants: number }>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "parlor_" });

  const metrics = {
    registry,
    procedureCalls: new Counter({
      name: "parlor_procedure_calls_total",
      help: "tRPC procedure calls by path, type and result code",
      labelNames: ["path", "type", "code"] as const,
      registers: [registry],
    }),
    procedureDuration: new Histogram({
      name: "parlor_procedure_duration_seconds",
      help: "tRPC procedure latency by path and type",
      labelNames: ["path", "type"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    joins: new Counter({
      name: "parlor_joins_total",
      help: "Connection details issued (a person about to join a room)",
      registers: [registry],
    }),
    webhookEvents: new Counter({
      name: "parlor_webhook_events_total",
      help: "LiveKit webhook deliveries by result (applied, duplicate, rejected, failed)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    passwordVerifications: new Counter({
      name: "parlor_password_verifications_total",
      help: "Passwords verified (argon2) by purpose: sign_in, confirm_password (changing it, deleting the account); throttled attempts verify none",
      labelNames: ["purpose"] as const,
      registers: [registry],
    }),
    dependencyErrors: new Counter({
      name: "parlor_dependency_errors_total",
      help: "Failures reaching a dependency (database, livekit or smtp)",
      labelNames: ["dependency"] as const,
      registers: [registry],
    }),
  };

  if (collectGauges) {
    let last: Promise<{ rooms: number; participants: number }> | undefined;
    const read = () => (last ??= collectGauges().finally(() => setTimeout(() => (last = undefined), 1000)));
    new Gauge({
      name: "parlor_active_rooms",
      help: "Rooms live in LiveKit right now, per Parlor's presence records",
      registers: [registry],
      async collect() {
        this.set((await read()).rooms);
      },
    });
    new Gauge({
      name: "parlor_active_participants",
      help: "People in rooms right now, per Parlor's presence records",
      registers: [registry],
      async collect() {
        this.set((await read()).participants);
      },
    });
  }
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** How many meetings are live and how many people are in them, per the records (for metrics). */
export async function countLive(db: Database) {
  const p = schema.participantSessions;
  const [live] = await db
    .select({ rooms: sql<number>`count(distinct ${p.roomSessionId})`.mapWith(Number), people: count() })
    .from(p)
    .where(isNull(p.leftAt));
  return { rooms: live?.rooms ?? 0, participants: live?.people ?? 0 };
}
