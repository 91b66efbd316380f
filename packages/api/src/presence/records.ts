/**
 * What the webhook and reconciliation share: announcing a team's presence change (coalesced, on
 * the bus every instance listens to), lifting a room's lock when its meeting ends, and the rows of
 * a raw statement. Presence itself: LiveKit's webhooks say who joined and left (webhook.ts);
 * because LiveKit promises no delivery (events repeat, arrive out of order or get dropped), each
 * event is applied once, every state is terminal per LiveKit sid (a left connection or finished
 * room never reopens: a rejoin gets a new sid), and the whole picture is reconciled against
 * LiveKit's own lists (reconcile.ts). What it shows is in views.ts.
 */
import { schema, type Transaction } from "@parlor/db";
import { eq, sql } from "drizzle-orm";

import { PRESENCE_CHANNEL } from "../lib/announce";
import type { Services } from "../lib/services";

export const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** Lifts a room's lock (see guests/lobby.ts); the meeting it was set for has ended. */
export const unlockRoom = (tx: Pick<Transaction, "update">, roomId: string) =>
  tx.update(schema.rooms).set({ lockedAt: null }).where(eq(schema.rooms.id, roomId));

/** After announcing a team's change, further changes of that team within this time make one more announcement at its end. */
export const PRESENCE_ANNOUNCE_COOLDOWN_MS = 50;
const announcing = new WeakMap<Services, Map<string, { again: boolean }>>();

/**
 * Announces, after the change is committed, that a team's presence changed: at once, then at most
 * once per cooldown while changes keep coming (a burst of webhooks for one team makes a few
 * announcements, not one per event, and each subscriber refetches a few times, not thousands).
 * Outside the change's transaction on purpose: Postgres serialises the commits of all transactions
 * that NOTIFY behind one lock held across the commit's WAL flush (~12 ms a commit on the bench
 * machine's disk), so concurrent webhooks could not share a flush. The announcement's own commit need not reach the disk (synchronous_commit off):
 * a notification is never replayed after a crash anyway.
 */
export function announcePresenceChanged(svc: Services, teamId: string): void {
  let teams = announcing.get(svc);
  if (!teams) announcing.set(svc, (teams = new Map()));
  const pending = teams.get(teamId);
  if (pending) {
    pending.again = true;
    return;
  }
  const entry = { again: false };
  teams.set(teamId, entry);
  const send = async () => {
    try {
      await svc.db.execute(
        sql`select set_config('synchronous_commit', 'off', true), pg_notify(${PRESENCE_CHANNEL}, ${teamId})`,
      );
    } catch (error) {
      svc.logger.warn({ err: error, teamId }, "could not announce a presence change");
    }
    const timer = setTimeout(() => {
      if (!entry.again) {
        teams.delete(teamId);
        return;
      }
      entry.again = false;
      void send();
    }, PRESENCE_ANNOUNCE_COOLDOWN_MS);
    timer.unref?.();
  };
  void send();
}

export async function rows<T>(result: Promise<unknown>): Promise<T[]> {
  const value = await result;
  return Array.isArray(value) ? (value as T[]) : ((value as { rows: T[] }).rows ?? []);
}
