/**
 * Live-update streams (server-sent events): the team pages' presence, the admin view's active
 * rooms and the guests' status. Each is capped (per session and per user; for guests per pass,
 * per link and per client address) and closes as soon as its holder's access is gone: re-checked
 * when an access change for its holder is announced on any instance.
 */
import { schema } from "@parlor/db";
import { and, eq, gt, isNull, sql } from "drizzle-orm";

import { AppError, unauthorized } from "../lib/errors";
import type { StreamHolder } from "../lib/live-streams";
import type { Services } from "../lib/services";

/** What a stream relies on beyond its session: membership of one team, or being a site admin. */
export type StreamScope = { teamId: string } | "site-admin";

type AccessState = "held" | "signed-out" | "withdrawn";

/** Whether the session is still valid and still grants the stream's scope. */
export async function accessState(
  svc: Services,
  holder: StreamHolder,
  scope: StreamScope,
): Promise<AccessState> {
  const now = new Date(); // sessions expire on the wall clock (Lucia's), not the service clock
  const [row] = await svc.db
    .select({
      email: schema.users.email,
      isAdmin: schema.users.isAdmin,
      member:
        scope === "site-admin"
          ? sql<boolean>`false`
          : sql<boolean>`exists (select 1 from ${schema.teamMembers} m where m.team_id = ${scope.teamId} and m.user_id = ${schema.users.id})`,
    })
    .from(schema.sessions)
    .innerJoin(schema.users, eq(schema.users.id, schema.sessions.userId))
    .where(
      and(
        eq(schema.sessions.id, holder.sessionId),
        eq(schema.sessions.userId, holder.userId),
        // A disabled account's sessions are ended too; this closes its streams even before that lands.
        isNull(schema.users.disabledAt),
        gt(schema.sessions.expiresAt, now),
        gt(schema.sessions.absoluteExpiresAt, now),
      ),
    );
  if (!row) return "signed-out";
  const allowed =
    scope === "site-admin" ? row.isAdmin || svc.config.adminEmails.has(row.email) : Boolean(row.member);
  return allowed ? "held" : "withdrawn";
}

/**
 * Wraps a live-update stream so it counts against the caps and closes with an error as soon as
 * its access is gone: re-checked when an access change for its user is announced (any instance),
 * once right after it opens (a change between the caller's check and the subscription), and every
 * `policy.recheckMs`. Throws TOO_MANY_REQUESTS at once, before any stream opens, past a cap.
 */
export function guardLiveStream<T>(
  svc: Services,
  holder: StreamHolder,
  scope: StreamScope,
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncIterable<T> {
  const release = svc.liveStreams.claim(holder);
  signal?.addEventListener("abort", release, { once: true });
  return (async function* guarded() {
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener("abort", stop, { once: true });
    let ended = "held" as AccessState;
    const recheck = async () => {
      if (controller.signal.aborted) return;
      try {
        ended = await accessState(svc, holder, scope);
      } catch (error) {
        // The database did not answer: keep the stream; the next check decides.
        svc.logger.warn({ err: error }, "could not re-check a live stream's access");
        return;
      }
      if (ended !== "held") controller.abort();
    };
    const stopListening = svc.presenceBus.onAccessChange(holder.userId, () => void recheck());
    const timer = setInterval(() => void recheck(), svc.liveStreams.policy.recheckMs);
    timer.unref?.();
    try {
      await svc.presenceBus.ready();
      await recheck();
      if (!controller.signal.aborted) yield* source(controller.signal);
    } finally {
      clearInterval(timer);
      stopListening();
      signal?.removeEventListener("abort", stop);
      release();
      controller.abort();
    }
    if (ended === "signed-out")
      throw unauthorized("Your session has ended. Sign in again to see live updates.");
    if (ended === "withdrawn") {
      throw new AppError("FORBIDDEN", "You no longer have access to these live updates. Reload the page.");
    }
  })();
}
