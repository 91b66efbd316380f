/**
 * The two announcements every instance listens to (Postgres NOTIFY, see lib/presence-bus.ts): a
 * team's presence changed, and a user's access changed. Low in the module graph on purpose: the
 * domains and the access rule all announce, and none of them need to import another to do it.
 */
import type { Transaction } from "@parlor/db";
import { sql } from "drizzle-orm";

export const PRESENCE_CHANNEL = "parlor_presence";
export const ACCESS_CHANNEL = "parlor_access";

/** Tells every instance's subscribers that a team's presence changed (delivered on commit). */
export const notifyPresenceChanged = (db: Pick<Transaction, "execute">, teamId: string) =>
  db.execute(sql`select pg_notify(${PRESENCE_CHANNEL}, ${teamId})`);

/** Tells every instance that a user's access changed (delivered on commit when sent in a transaction). */
export const notifyAccessChanged = (db: Pick<Transaction, "execute">, userId: string) =>
  db.execute(sql`select pg_notify(${ACCESS_CHANNEL}, ${userId})`);
