/** The whole thing under test: a LiveKit double, a database and the production app on top. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { startApp, type AppOptions, type RunningApp } from "./app";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./databases";
import { startLiveKitDouble, type LiveKitDouble } from "./livekit";
import { MAIN_DATABASE_URL } from "./paths";

export interface Stack {
  app: RunningApp;
  livekit: LiveKitDouble;
  /** "" when the app runs on its embedded database. */
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface StackOptions extends Partial<
  Pick<AppOptions, "env" | "backgroundJobs" | "readyTimeoutMs" | "nodeArgs" | "appDir">
> {
  /** Use this database (e.g. the outage test's own server) instead of a throw-away one on the main Postgres. */
  databaseUrl?: string;
  /** The embedded database (PGlite, what the app uses without DATABASE_URL) in a new temporary folder. */
  embedded?: boolean;
  livekit?: LiveKitDouble;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const livekit =
    options.livekit ??
    (await startLiveKitDouble({
      apiKey: "benchkey",
      apiSecret: "bench-secret-that-is-long-enough-0123456789",
    }));
  let database: ThrowawayDatabase | undefined;
  const pgliteDataDir = options.embedded
    ? join(mkdtempSync(join(tmpdir(), "parlor-bench-")), "pglite")
    : undefined;
  const removeDataDir = () => {
    if (pgliteDataDir) rmSync(dirname(pgliteDataDir), { recursive: true, force: true });
  };
  try {
    if (!options.databaseUrl && !options.embedded)
      database = await createThrowawayDatabase(MAIN_DATABASE_URL);
    const databaseUrl = options.embedded ? "" : (options.databaseUrl ?? database!.url);
    const app = await startApp({
      databaseUrl,
      pgliteDataDir,
      livekit: { wsUrl: livekit.wsUrl, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
      env: options.env,
      backgroundJobs: options.backgroundJobs,
      readyTimeoutMs: options.readyTimeoutMs,
      nodeArgs: options.nodeArgs,
      appDir: options.appDir,
    });
    return {
      app,
      livekit,
      databaseUrl,
      async stop() {
        await app.stop();
        if (!options.livekit) await livekit.close();
        await database?.drop();
        removeDataDir();
      },
    };
  } catch (error) {
    if (!options.livekit) await livekit.close();
    await database?.drop().catch(() => undefined);
    removeDataDir();
    throw error;
  }
}
