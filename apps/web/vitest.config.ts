import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src", import.meta.url));

export default defineConfig({
  resolve: { alias: { "@": src } },
  // tsconfig keeps JSX for Next to compile; tests compile it themselves.
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    // A hang guard, not a speed check: jsdom renders slowly on a loaded 2-core machine.
    testTimeout: 60_000,
    // expect.poll waits one second by default: wait for the condition, not for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "unit-dom",
          include: ["src/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["./vitest.dom-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          // One app server and one browser for the suite; tests drive them one at a time.
          fileParallelism: false,
          // Hang guards too: a step of three browsers on a busy 2-core machine can take minutes.
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
