// Shared Vitest setup: every database suite runs on PGlite, and on Postgres too when DATABASE_URL is set.
import { availableParallelism } from "node:os";

import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

export function databaseProjects(
  base: TestProjectInlineConfiguration["test"] = {},
): TestProjectInlineConfiguration[] {
  const drivers = process.env.DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);
  return drivers.map((driver) => ({
    extends: true,
    test: { ...base, name: driver, env: { TEST_DB_DRIVER: driver } },
  }));
}

export function databaseTestConfig(base: TestProjectInlineConfiguration["test"] = {}) {
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      // Hang guards, not speed checks: a 2-core machine running every suite at once (turbo) can
      // take minutes to start an embedded database and migrate it (120 s was not enough).
      testTimeout: 300_000,
      hookTimeout: 300_000,
      // expect.poll waits one second by default: wait for the condition, not for a busy machine.
      expect: { poll: { timeout: 30_000 } },
      // Most of these files wait on servers (LiveKit, ffmpeg, Egress, Postgres, webhooks) more than
      // they compute: at least two at a time, where Vitest's default (one fewer than the cores)
      // runs one file at a time on 2 cores. Each file has its own database, servers and ports.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      projects: databaseProjects(base),
    },
  });
}
