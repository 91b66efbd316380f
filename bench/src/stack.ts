/** The whole thing under test: a LiveKit double, a database and the production app on top. */
import { startApp, type AppOptions, type RunningApp } from "./app";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./databases";
import { startLiveKitDouble, type LiveKitDouble } from "./livekit";
import { MAIN_DATABASE_URL } from "./paths";

export interface Stack {
  app: RunningApp;
  livekit: LiveKitDouble;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface StackOptions extends Partial<
  Pick<AppOptions, "env" | "backgroundJobs" | "readyTimeoutMs" | "nodeArgs">
> {
  /** Use this database (e.g. the outage test's own server) instead of a throw-away one on the main Postgres. */
  databaseUrl?: string;
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
  try {
    if (!options.databaseUrl) database = await createThrowawayDatabase(MAIN_DATABASE_URL);
    const databaseUrl = options.databaseUrl ?? database!.url;
    const app = await startApp({
      databaseUrl,
      livekit: { wsUrl: livekit.wsUrl, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
      env: options.env,
      backgroundJobs: options.backgroundJobs,
      readyTimeoutMs: options.readyTimeoutMs,
      nodeArgs: options.nodeArgs,
    });
    return {
      app,
      livekit,
      databaseUrl,
      async stop() {
        await app.stop();
        if (!options.livekit) await livekit.close();
        await database?.drop();
      },
    };
  } catch (error) {
    if (!options.livekit) await livekit.close();
    await database?.drop().catch(() => undefined);
    throw error;
  }
}
