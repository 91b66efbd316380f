/**
 * The production app (`next start` of apps/web's build) on a free loopback port, against the
 * database and LiveKit it is given, with its memory watched while it runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { killWithSuite } from "@parlor/api/testing/suite-exit";

import { freePort, sleep } from "./net";
import { NEXT_DIR, WEB_DIR } from "./paths";

export interface AppOptions {
  /** A postgres:// URL, or "" for the embedded PGlite database (then `pgliteDataDir` names its folder). */
  databaseUrl: string;
  pgliteDataDir?: string;
  /** The Next.js app to serve: Parlor's (apps/web) unless this names another built app's folder. */
  appDir?: string;
  /** A GET that answers 200 once the app is ready (Parlor's health by default). */
  readyPath?: string;
  livekit: { wsUrl: string; apiKey: string; apiSecret: string };
  /** Extra environment (e.g. PARLOR_BENCH_REFERENCE=1, LIVEKIT_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** Reconciliation and housekeeping timers; off by default so they cannot disturb a measurement. */
  backgroundJobs?: boolean;
  /** How long to wait for /api/health to answer 200. */
  readyTimeoutMs?: number;
  /** Extra arguments for the server's node (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Serve on this port (one LiveKit's webhooks already point at); a free one otherwise. */
  port?: number;
}

export interface MemoryReading {
  /** Resident memory of the server's processes together, in bytes. */
  rssBytes: number;
  at: number;
}

export interface RunningApp {
  url: string;
  origin: string;
  pid: number;
  output(): string;
  /** The server's processes' resident memory now (all processes in its group). */
  memory(): MemoryReading;
  /** Samples memory every `everyMs` until the returned function is called; it returns the peak. */
  watchMemory(everyMs?: number): () => { peakBytes: number; samples: number };
  stop(): Promise<void>;
}

/** Resident set of every process in a process group, from /proc. */
function groupRss(pgid: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue; // field 5: pgrp
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const appDir = options.appDir ?? WEB_DIR;
  const readyPath = options.readyPath ?? "/api/health";
  if (!existsSync(join(appDir === WEB_DIR ? NEXT_DIR : join(appDir, ".next"), "BUILD_ID"))) {
    throw new Error(`${appDir} has not been built (no .next/BUILD_ID): run its \`next build\`.`);
  }
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const nextBin = join(appDir, "node_modules", "next", "dist", "bin", "next");
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: appDir,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        APP_URL: url,
        DATABASE_URL: options.databaseUrl,
        PGLITE_DATA_DIR: options.pgliteDataDir ?? "",
        LIVEKIT_URL: options.livekit.wsUrl,
        LIVEKIT_PUBLIC_URL: "",
        LIVEKIT_API_KEY: options.livekit.apiKey,
        LIVEKIT_API_SECRET: options.livekit.apiSecret,
        LIVEKIT_TIMEOUT_MS: "2000",
        LOG_LEVEL: process.env.BENCH_APP_LOG_LEVEL ?? "warn",
        PARLOR_BACKGROUND_JOBS: options.backgroundJobs ? "on" : "off",
        PARLOR_BENCH_REFERENCE: "",
        // The bench stands in for a reverse proxy: it names each simulated person's address in
        // X-Forwarded-For (seed.ts), so that per-address limits see many people, not one.
        TRUSTED_PROXIES: "1",
        NEXT_TELEMETRY_DISABLED: "1",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid!;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // Gone.
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const forget = killWithSuite(child, { group: true });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`The app exited with code ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}${readyPath}`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The app did not answer ${readyPath} with 200 on ${url} in time:\n${output}`);
    }
    await sleep(250);
  }

  const memory = (): MemoryReading => ({ rssBytes: groupRss(pid), at: Date.now() });
  return {
    url,
    origin: url,
    pid,
    output: () => output,
    memory,
    watchMemory(everyMs = 100) {
      let peak = memory().rssBytes;
      let samples = 1;
      const timer = setInterval(() => {
        peak = Math.max(peak, memory().rssBytes);
        samples++;
      }, everyMs);
      return () => {
        clearInterval(timer);
        peak = Math.max(peak, memory().rssBytes);
        return { peakBytes: peak, samples: samples + 1 };
      };
    },
    async stop() {
      await stop();
      forget();
    },
  };
}
