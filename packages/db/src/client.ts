import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { type Logger, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

import { defaultDataDir, migrationsFolder } from "./paths";
import { withPreparedStatements } from "./pglite-prepared";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database type the rest of Parlor uses, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DatabaseOptions {
  /** A postgres:// URL; when absent, an embedded PGlite database is used. */
  url?: string;
  /** PGlite's data folder; `memory://` for a throw-away database. Defaults to `.data/pglite`. */
  dataDir?: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
  /** Called with every SQL statement sent (for counting round trips in the benchmark). */
  onQuery?: (query: string) => void;
}

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite";
  /** Applies the committed migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Subscribes to a Postgres NOTIFY channel; resolves once listening, to a function that stops.
   * postgres.js keeps one dedicated connection for all listeners and re-listens after a reconnect;
   * `onListen` runs each time listening (re)starts, so a subscriber can account for notifications
   * that may have been missed while the connection was down.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  /** Answers whether the database responds, within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Postgres advisory-lock key serialising migrations across web instances ("parlor" in ASCII). */
const MIGRATION_LOCK_KEY = 0x7061726c6f72;

export function createDatabase(options: DatabaseOptions = {}): DatabaseHandle {
  const logger: Logger | undefined = options.onQuery
    ? { logQuery: (query) => options.onQuery?.(query) }
    : undefined;

  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      // Fail fast when the server is gone, so callers can answer "unavailable" instead of hanging.
      connect_timeout: 5,
      // postgres.js waits before each reconnection attempt, and a query needing a connection waits
      // with it: its default back-off grows to 20 s, which held requests that long during an
      // outage. At most 0.5 s keeps every answer within the connect timeout and reconnects within
      // a second of the server's return (the reliability suite's outage test measures both).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
      idle_timeout: 30,
      onnotice: () => {},
      connection: { statement_timeout: 10_000, application_name: "parlor" },
    });
    const db = drizzlePostgres({ client, schema, logger }) as unknown as Database;
    return {
      db,
      driver: "postgres",
      async migrate() {
        // A single-connection client holds the lock for the whole run, so web instances starting
        // together apply each migration once.
        const url = options.url as string;
        const migrator = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
        try {
          await migrator`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
          await migratePostgres(drizzlePostgres({ client: migrator, schema }), {
            migrationsFolder: migrationsFolder(),
          });
        } finally {
          await migrator.end({ timeout: 5 });
        }
      },
      async listen(channel, onMessage, onListen) {
        const subscription = await client.listen(channel, onMessage, onListen);
        return () => subscription.unlisten();
      },
      ping: (timeoutMs) => pingDatabase(db, timeoutMs),
      close: () => client.end({ timeout: 5 }),
    };
  }

  const dataDir = options.dataDir ?? defaultDataDir();
  // PGlite creates its own folder but not the parents (`.data/` on a fresh clone).
  if (!dataDir.includes("://")) mkdirSync(dirname(dataDir), { recursive: true });
  const client = new PGlite(dataDir);
  // PGlite re-parses and re-plans every query; the wrapper prepares each statement once.
  const db = drizzlePglite({
    client: withPreparedStatements(client),
    schema,
    logger,
  }) as unknown as Database;
  return {
    db,
    driver: "pglite",
    async migrate() {
      await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: migrationsFolder() });
    },
    async listen(channel, onMessage, onListen) {
      // In-process: nothing is ever missed, so it only starts once.
      const unlisten = await client.listen(channel, onMessage);
      onListen?.();
      return unlisten;
    },
    ping: (timeoutMs) => pingDatabase(db, timeoutMs),
    close: () => client.close(),
  };
}

async function pingDatabase(db: Database, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
