import { schema } from "@parlor/db";
import { lt } from "drizzle-orm";

import { pruneChat } from "../chat/logic";
import { reconcilePresence } from "../presence/reconcile";
import { startRecordingJobs } from "../recordings/background";
import { pruneRecordings } from "../recordings/logic";
import type { Services } from "../lib/services";

export const RECONCILE_EVERY_MS = 30_000;
const HOUSEKEEPING_EVERY_MS = 60 * 60_000;

/**
 * Work each web instance does in the background: reconcile presence with LiveKit on a schedule
 * (only one instance at a time does it, by advisory lock), and prune old bookkeeping rows.
 * Returns a function that stops it.
 */
export function startBackgroundJobs(svc: Services): () => void {
  // Say so once when reconciliation starts failing (LiveKit not running, say), again when the
  // reason changes, and once when it recovers; not every 30 seconds in between.
  let failingWith: string | null = null;
  const reconcile = () =>
    reconcilePresence(svc).then(
      () => {
        if (failingWith !== null) svc.logger.info("presence reconciliation works again");
        failingWith = null;
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (failingWith === reason) svc.logger.debug({ reason }, "scheduled reconciliation still failing");
        else
          svc.logger.warn(
            { reason },
            "scheduled reconciliation failed; presence relies on webhooks until it works",
          );
        failingWith = reason;
      },
    );
  const housekeeping = async () => {
    try {
      const dayAgo = new Date(svc.clock().getTime() - 86_400_000);
      await svc.db.delete(schema.webhookEvents).where(lt(schema.webhookEvents.receivedAt, dayAgo));
      await svc.rateLimiter.prune(dayAgo);
      await svc.db.delete(schema.roomBans).where(lt(schema.roomBans.until, svc.clock()));
      await svc.sessions.deleteExpired();
      await pruneChat(svc);
    } catch (error) {
      svc.logger.warn({ err: error instanceof Error ? error.message : error }, "housekeeping failed");
    }
    await pruneRecordings(svc).catch((error: unknown) =>
      svc.logger.warn({ err: error instanceof Error ? error.message : error }, "recording retention failed"),
    );
  };
  const timers = [
    setInterval(reconcile, RECONCILE_EVERY_MS),
    setInterval(housekeeping, HOUSEKEEPING_EVERY_MS),
  ];
  for (const timer of timers) timer.unref();
  void reconcile();
  const stopRecordingJobs = startRecordingJobs(svc);
  return () => {
    timers.forEach(clearInterval);
    stopRecordingJobs();
  };
}
