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
  const name = `parlor_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = createDatabase({ url: url.toString(), ...options });
  if (options.migrate !== false) await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
