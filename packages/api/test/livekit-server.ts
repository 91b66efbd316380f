/**
 * The real LiveKit server in tests: the pinned `livekit-server` (built from its published Go
 * module by scripts/livekit-server.sh) started on loopback with free ports and a generated config,
 * then stopped, leaving nothing behind. API tests, browser tests and the bench share it.
 *
 * Finding the binary: LIVEKIT_SERVER_BIN, then `livekit-server` on PATH, then the build cache the
 * script fills. Without one, `liveKitServerBinary()` says how to get one; CI sets
 * PARLOR_REQUIRE_LIVEKIT=1 so a missing server fails the run instead of skipping the suites.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

import { killWithSuite } from "./suite-exit";

/** The version CI builds, the compose file runs and these tests expect (kept equal by a test). */
export const LIVEKIT_SERVER_VERSION = "v1.13.5";

const HOW_TO_GET_ONE =
  "Build it once with `bash scripts/livekit-server.sh` (needs Go), or point LIVEKIT_SERVER_BIN at a livekit-server " +
  `${LIVEKIT_SERVER_VERSION} binary.`;

function cachedBinary(): string {
  const cache =
    process.env.PARLOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "parlor");
  return join(cache, `livekit-server-${LIVEKIT_SERVER_VERSION}`, "server");
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Where the server binary is, or why there is none. */
export function liveKitServerBinary(): { path: string } | { missing: string } {
  const named = process.env.LIVEKIT_SERVER_BIN;
  if (named) {
    return existsSync(named)
      ? { path: named }
      : { missing: `LIVEKIT_SERVER_BIN names ${named}, which does not exist. ${HOW_TO_GET_ONE}` };
  }
  const found = onPath("livekit-server") ?? (existsSync(cachedBinary()) ? cachedBinary() : undefined);
  return found ? { path: found } : { missing: `No livekit-server was found. ${HOW_TO_GET_ONE}` };
}

/**
 * For suites that need the real server: the binary's path, or undefined after printing plainly
 * that the suite will not run and how to enable it (the caller skips, so it counts as skipped).
 * Throws instead when PARLOR_REQUIRE_LIVEKIT=1 (CI), where a missing server is a failure.
 */
export function liveKitServerForSuite(suite: string): string | undefined {
  const binary = liveKitServerBinary();
  if ("path" in binary) return binary.path;
  if (process.env.PARLOR_REQUIRE_LIVEKIT === "1") {
    throw new Error(`${suite} needs the real LiveKit server (PARLOR_REQUIRE_LIVEKIT=1). ${binary.missing}`);
  }
  console.warn(`\n⚠ ${suite} did NOT run (skipped): ${binary.missing}\n`);
  return undefined;
}

/** A TCP port nothing listens on right now (on loopback). */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A UDP port nothing is bound to right now (on loopback). */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.on("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export interface LiveKitServerOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Where LiveKit posts its webhooks (signed with apiKey/apiSecret). */
  webhookUrls?: string[];
  /** Join a cluster through this Redis (`host:port`). */
  redisAddress?: string;
  /** Fixed signalling port (e.g. to restart on the same address); free one otherwise. */
  port?: number;
  /** The room defaults in the server's config (CreateRoom's options take precedence). */
  room?: { emptyTimeoutSeconds?: number; departureTimeoutSeconds?: number };
  binary?: string;
}

export interface LiveKitServer {
  /** What browsers and livekit-server-sdk use: `ws://127.0.0.1:<port>`. */
  wsUrl: string;
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
  port: number;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and config after kill() or stop(). */
  restart(): Promise<void>;
  /** Stops the process and removes its files. */
  stop(): Promise<void>;
}

function configYaml(options: {
  port: number;
  tcpPort: number;
  udpPort: number;
  apiKey: string;
  apiSecret: string;
  webhookUrls: string[];
  redisAddress?: string;
  room: LiveKitServerOptions["room"];
}): string {
  const lines = [
    `port: ${options.port}`,
    "bind_addresses:",
    "  - 127.0.0.1",
    "rtc:",
    `  tcp_port: ${options.tcpPort}`,
    `  udp_port: ${options.udpPort}`,
    "  node_ip: 127.0.0.1",
    "  use_external_ip: false",
    "  enable_loopback_candidate: true",
    // Without STUN servers LiveKit would hand clients public ones; this one never leaves loopback.
    "  stun_servers:",
    `    - 127.0.0.1:${options.udpPort}`,
    "keys:",
    `  ${options.apiKey}: ${options.apiSecret}`,
    "logging:",
    "  level: info",
    "  pion_level: error",
    "room:",
    `  empty_timeout: ${options.room?.emptyTimeoutSeconds ?? 300}`,
    `  departure_timeout: ${options.room?.departureTimeoutSeconds ?? 20}`,
  ];
  if (options.webhookUrls.length) {
    lines.push("webhook:", `  api_key: ${options.apiKey}`, "  urls:");
    for (const url of options.webhookUrls) lines.push(`    - ${url}`);
  }
  if (options.redisAddress) lines.push("redis:", `  address: ${options.redisAddress}`);
  return lines.join("\n") + "\n";
}

async function waitUntilReady(httpUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`livekit-server exited with code ${child.exitCode} before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(httpUrl, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`livekit-server did not answer on ${httpUrl} within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the real server on loopback and waits until it answers. */
export async function startLiveKitServer(options: LiveKitServerOptions = {}): Promise<LiveKitServer> {
  const binary = options.binary ?? liveKitServerBinary();
  const path = typeof binary === "string" ? binary : "path" in binary ? binary.path : undefined;
  if (!path) throw new Error((binary as { missing: string }).missing);

  const apiKey = options.apiKey ?? "parlor-test";
  const apiSecret = options.apiSecret ?? randomBytes(24).toString("hex");
  const dir = await mkdtemp(join(tmpdir(), "parlor-livekit-"));
  const configPath = join(dir, "livekit.yaml");
  let port = options.port ?? 0;
  /** Picks the ports (the HTTP one only when not given) and writes the configuration. */
  async function configure() {
    port = options.port ?? (await freeTcpPort());
    const tcpPort = await freeTcpPort();
    const udpPort = await freeUdpPort();
    await writeFile(
      configPath,
      configYaml({
        port,
        tcpPort,
        udpPort,
        apiKey,
        apiSecret,
        webhookUrls: options.webhookUrls ?? [],
        redisAddress: options.redisAddress,
        room: options.room,
      }),
    );
  }
  const httpUrl = () => `http://127.0.0.1:${port}`;

  let log = "";
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const output = () => log.slice(-20_000);

  async function launch() {
    // The config file is the whole configuration: variables LiveKit would also read are dropped.
    const { LIVEKIT_KEYS: _keys, LIVEKIT_CONFIG: _config, ...env } = process.env;
    const started = spawn(path!, ["--config", configPath], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    killWithSuite(started);
    exited = new Promise((resolve) => started.once("exit", resolve));
    started.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    started.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    try {
      await waitUntilReady(httpUrl(), started, output);
    } catch (error) {
      started.kill("SIGKILL");
      throw error;
    }
  }

  async function end(signal: NodeJS.Signals) {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    const timer = setTimeout(() => running.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  // A free port can be taken between the check and LiveKit's bind (another suite's server, a
  // client's ephemeral port): then again with other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      await configure();
      log = "";
      await launch();
      break;
    } catch (error) {
      if (attempt < 5 && /address already in use/.test(output())) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: httpUrl(),
    apiKey,
    apiSecret,
    port,
    output,
    kill: () => end("SIGKILL"),
    async restart() {
      await end("SIGTERM");
      await launch();
    },
    async stop() {
      await end("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The version the binary reports, e.g. "1.13.5". */
export function liveKitServerVersion(binary: string): string {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return /version\s+(\S+)/.exec(result.stdout)?.[1] ?? "";
}
