import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type DatabaseHandle } from "../src/client";
import { createTestDatabase, testDriver } from "../src/testing";

describe(`migrations on ${testDriver()}`, () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await createTestDatabase({ migrate: false });
  });
  afterAll(() => handle.close());

  it("apply from an empty database and create every table", async () => {
    const before = await handle.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    expect(rows(before)).toEqual([]);

    await handle.migrate();

    const after = await handle.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(rows<{ table_name: string }>(after).map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        "app_state",
        "invites",
        "participant_sessions",
        "password_resets",
        "room_bans",
        "room_sessions",
        "webhook_events",
        "rate_limits",
        "rooms",
        "sessions",
        "team_members",
        "teams",
        "user_preferences",
        "users",
      ]),
    );
  });

  it("are idempotent: a second run changes nothing", async () => {
    await handle.migrate();
    const applied = await handle.db.execute<{ count: number }>(
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(rows<{ count: number }>(applied)[0]?.count).toBeGreaterThan(0);
    expect(await handle.ping()).toBe(true);
  });
});

/** postgres.js returns an array, PGlite an object with `rows`. */
function rows<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

describe("the embedded database", () => {
  it("creates its data folder, parents included, on a fresh machine", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createDatabase } = await import("../src/client");
    const root = await mkdtemp(join(tmpdir(), "parlor-fresh-"));
    const handle = createDatabase({ dataDir: join(root, ".data", "pglite") });
    try {
      await handle.migrate();
      expect(await handle.ping()).toBe(true);
    } finally {
      await handle.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
