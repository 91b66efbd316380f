import { defineConfig } from "vitest/config";

/**
 * The reliability suite: against the production build, one file at a time (each starts its own
 * app server, and the load test needs the machine to itself), with timeouts long enough for
 * minute-long loads. Nothing is skipped: a missing build, Postgres binary or browser fails it.
 */
export default defineConfig({
  test: {
    include: ["reliability/**/*.test.ts"],
    globalSetup: ["reliability/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
