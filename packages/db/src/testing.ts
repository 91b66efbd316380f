// Test support: a fresh, migrated database per test file, on the driver the test project names.
import { randomBytes } from "node:crypto";
import postgres from "postgres";

import { createDatabase, type DatabaseHandle, type DatabaseOptions } from "./client";

export type TestDriver = "pglite" | "postgres";

export function testDriver(): TestDriver {
  return process.env.TEST_DB_DRIVER === "postgres" ? "postgres" : "pglite";
}

/**
 * Creates an empty database (a new Postgres database on the server named by DATABASE_URL, or an
 * in-memory PGlite), applies the migrations, and drops it again on `close()`.
 */
export async function createTestDatabase(
  options: Pick<DatabaseOptions, "onQuery" | "maxConnections"> & { migrate?: boolean } = {},
): Promise<DatabaseHandle & { url?: string }> {
  if (testDriver() === "pglite") {
    const handle = createDatabase({ dataDir: "memory://", onQuery: options.onQuery });
    if (options.migrate !== false) await handle.migrate();
    return handle;
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DB_DRIVER=postgres needs DATABASE_URL");
  const throwaway = await createThrowawayDatabase(serverUrl);
  const handle = createDatabase({ url: throwaway.url, ...options });
  if (options.migrate !== false) await handle.migrate();
  return {
    ...handle,
    url: throwaway.url,
    async close() {
      await handle.close();
      await throwaway.drop();
    },
  };
}

export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the Postgres server `serverUrl` names (for a test, a browser run or a
 * benchmark); `drop()` removes it, closing whatever is still connected.
 */
export async function createThrowawayDatabase(
  serverUrl: string,
  prefix = "parlor_test",
): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const creator = admin();
  try {
    await creator.unsafe(`create database ${name}`);
  } finally {
    await creator.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = admin();
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}
