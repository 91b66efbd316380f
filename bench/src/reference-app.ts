/**
 * The bare reference: bench/reference-app, a Next.js app with nothing but a token route modelled
 * on LiveKit Meet's `/api/connection-details` (no proxy, no instrumentation, no Parlor code),
 * built when missing or older than its sources and served by `next start` like Parlor's build.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

import { startApp, type RunningApp } from "./app";
import { BENCH_DIR } from "./paths";

export const REFERENCE_APP_DIR = join(BENCH_DIR, "reference-app");
export const REFERENCE_PATH = "/api/connection-details";
const SOURCES = ["app/api/connection-details/route.ts", "next.config.ts", "package.json"];

function fresh(): boolean {
  const buildId = join(REFERENCE_APP_DIR, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.every((file) => statSync(join(REFERENCE_APP_DIR, file)).mtimeMs <= builtAt);
}

/** Builds the reference app when needed (a few seconds: one route). */
export async function ensureReferenceBuild(log: (line: string) => void): Promise<void> {
  if (fresh()) return;
  log("building the bare reference app (bench/reference-app)");
  await new Promise<void>((resolve, reject) => {
    const child = spawn("pnpm", ["exec", "next", "build"], {
      cwd: REFERENCE_APP_DIR,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`)),
    );
  });
}

export function startReferenceApp(livekit: {
  wsUrl: string;
  apiKey: string;
  apiSecret: string;
}): Promise<RunningApp> {
  return startApp({
    appDir: REFERENCE_APP_DIR,
    readyPath: `${REFERENCE_PATH}?roomName=ready&participantName=ready`,
    databaseUrl: "",
    livekit,
  });
}
