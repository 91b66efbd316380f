/**
 * What the browser can download (.next/static) holds no secret and no server-only code: not the
 * LiveKit API secret or the database URL given to this run, not the names of the variables that
 * hold them, and none of the server-only modules (each recognised by a string from its code that
 * the server build does contain, so the check cannot pass by looking for the wrong thing).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { NEXT_DIR, REPO_ROOT } from "../src/paths";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const read = (paths: string[]) => paths.map((path) => ({ path, text: readFileSync(path, "latin1") }));

/** A server-only module and a string its code contains. */
const SERVER_ONLY: { module: string; marker: string; source: string }[] = [
  {
    module: "@parlor/api config (LIVEKIT_API_SECRET)",
    marker: "LIVEKIT_API_SECRET",
    source: "packages/api/src/lib/config.ts",
  },
  {
    module: "@parlor/api config (DATABASE_URL)",
    marker: "DATABASE_URL",
    source: "packages/api/src/lib/config.ts",
  },
  {
    module: "@parlor/api presence",
    marker: "presence.reconciled_at",
    source: "packages/api/src/presence/reconcile.ts",
  },
  {
    module: "@parlor/api announcements",
    marker: "parlor_presence",
    source: "packages/api/src/lib/announce.ts",
  },
  {
    module: "@parlor/api LiveKit service",
    marker: "refused Parlor's credentials",
    source: "packages/api/src/livekit/service.ts",
  },
  {
    module: "@parlor/api auth (Lucia)",
    marker: "__Host-auth_session",
    source: "packages/api/src/lib/lucia.ts",
  },
  { module: "@parlor/db schema", marker: "password_hash", source: "packages/db/src/schema.ts" },
  { module: "@parlor/db client", marker: "pg_advisory_lock", source: "packages/db/src/client.ts" },
  {
    module: "livekit-server-sdk",
    marker: "/twirp",
    source: "node_modules/livekit-server-sdk/dist/TwirpRPC.js",
  },
  { module: "drizzle-orm", marker: "drizzle:", source: "node_modules/drizzle-orm/entity.js" },
  {
    module: "postgres (postgres.js)",
    marker: "CONNECTION_DESTROYED",
    source: "node_modules/postgres/src/connection.js",
  },
  { module: "@node-rs/argon2", marker: "argon2", source: "node_modules/@node-rs/argon2/index.js" },
  { module: "pino", marker: "pino.serializers", source: "node_modules/pino/lib/symbols.js" },
];

describe("the client bundle", () => {
  const staticDir = join(NEXT_DIR, "static");

  it("exists (the suite tests a real build)", () => {
    expect(existsSync(staticDir), "apps/web/.next/static: run `pnpm --filter @parlor/web build`").toBe(true);
    expect(files(staticDir).filter((f) => f.endsWith(".js")).length).toBeGreaterThan(5);
  });

  it("holds no server-only module", () => {
    const bundle = read(files(staticDir));
    for (const { module, marker, source } of SERVER_ONLY) {
      const candidates = ["", "bench", "packages/api", "packages/db", "apps/web"].map((dir) =>
        join(REPO_ROOT, dir, source),
      );
      const where = candidates.find((path) => existsSync(path));
      expect(where, `${module}: ${source} not found`).toBeTruthy();
      expect(readFileSync(where!, "utf8"), `${module}: the marker is not in its code`).toContain(marker);
      const found = bundle
        .filter((file) => file.text.includes(marker))
        .map((file) => file.path.slice(NEXT_DIR.length));
      expect(found, `${module} ("${marker}") in the client bundle`).toEqual([]);
    }
  });

  it("holds no secret from this run's environment and no database URL", () => {
    const bundle = read(files(staticDir));
    const secrets = [
      process.env.LIVEKIT_API_SECRET,
      process.env.DATABASE_URL,
      process.env.METRICS_TOKEN,
    ].filter((value): value is string => Boolean(value && value.length >= 8));
    for (const file of bundle) {
      for (const secret of secrets)
        expect(file.text.includes(secret), `a secret in ${file.path}`).toBe(false);
      expect(/postgres(ql)?:\/\/[^\s"'`]+@/.test(file.text), `a database URL in ${file.path}`).toBe(false);
    }
  });
});
