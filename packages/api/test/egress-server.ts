/**
 * LiveKit's Egress service in tests (Parlor's RECORDER=egress): Redis, the real livekit-server
 * joined to that Redis, a PulseAudio of its own and the `egress` binary (built by
 * scripts/livekit-egress.sh), all on loopback with free ports, stopped afterwards with everything
 * they started (Xvfb, Chromium, the recording subprocesses).
 *
 * Finding the binary: EGRESS_BIN, then `egress` on PATH, then the build cache the script fills.
 * Without one the suite says loudly that it did not run; CI sets PARLOR_REQUIRE_EGRESS=1 so a
 * missing Egress fails the run instead.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

import {
  freeTcpPort,
  startLiveKitServer,
  type LiveKitServer,
  type LiveKitServerOptions,
} from "./livekit-server";
import { redisServerBinary, startRedisServer } from "./redis-server";
import { killWithSuite } from "./suite-exit";

/** The version scripts/livekit-egress.sh builds (and docker-compose.yml's egress profile runs). */
export const EGRESS_VERSION = "v1.8.6";

const HOW_TO_GET_ONE =
  "Build it once with `bash scripts/livekit-egress.sh` (needs Go, pnpm and Debian's GStreamer, Xvfb, PulseAudio and " +
  `Chromium: the script names what is missing), or point EGRESS_BIN at an egress ${EGRESS_VERSION} binary.`;

function cachedBinary(): string {
  const cache =
    process.env.PARLOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "parlor");
  return join(cache, `egress-${EGRESS_VERSION}`, "egress");
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Where the egress binary is, or why there is none (or why it cannot run here). */
export function egressBinary(): { path: string } | { missing: string } {
  const named = process.env.EGRESS_BIN;
  if (named && !existsSync(named)) {
    return { missing: `EGRESS_BIN names ${named}, which does not exist. ${HOW_TO_GET_ONE}` };
  }
  const found = named ?? onPath("egress") ?? (existsSync(cachedBinary()) ? cachedBinary() : undefined);
  if (!found) return { missing: `No LiveKit Egress was found. ${HOW_TO_GET_ONE}` };
  const lacking = ["pulseaudio", "Xvfb", "pactl"].filter((tool) => !onPath(tool));
  if (!onPath("chromium") && !onPath("google-chrome")) lacking.push("chromium");
  if (!redisServerBinary()) lacking.push("redis-server");
  if (lacking.length) return { missing: `LiveKit Egress needs ${lacking.join(", ")}, not found on PATH.` };
  return { path: found };
}

/**
 * For the Egress suites: the binary's path, or undefined after a loud warning that the suite did
 * not run (the caller skips it). Throws instead when PARLOR_REQUIRE_EGRESS=1 (CI).
 */
export function egressForSuite(suite: string): string | undefined {
  const binary = egressBinary();
  if ("path" in binary) return binary.path;
  if (process.env.PARLOR_REQUIRE_EGRESS === "1") {
    throw new Error(`${suite} needs LiveKit Egress (PARLOR_REQUIRE_EGRESS=1). ${binary.missing}`);
  }
  console.warn(`\n⚠⚠⚠ ${suite} did NOT run (skipped): ${binary.missing}\n`);
  return undefined;
}

export interface EgressStack {
  livekit: LiveKitServer;
  /** Everything Egress printed, for failure messages. */
  output(): string;
  /** Stops Egress alone (LiveKit then has no Egress to ask). */
  stopEgress(): Promise<void>;
  /** Stops Egress (and what it started), PulseAudio, LiveKit and Redis. */
  stop(): Promise<void>;
}

/** A process of the stack, killed with its process group (Egress's subprocesses) when it stops. */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv, log: (text: string) => void) {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  killWithSuite(child, { group: true });
  child.stdout?.on("data", (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => log(chunk.toString()));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, exited };
}

async function stopGroup(process_: { child: ChildProcess; exited: Promise<unknown> }, graceMs: number) {
  const { child, exited } = process_;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
  signal("SIGKILL"); // what the leader started and left behind
}

async function until(what: string, check: () => Promise<boolean>, failed: () => string | null, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Egress's config: this LiveKit and Redis, free ports, and CPU costs a 2-core machine can meet. */
function egressYaml(o: { livekit: LiveKitServer; redis: string; healthPort: number; templatePort: number }) {
  return [
    "log_level: info",
    `api_key: ${o.livekit.apiKey}`,
    `api_secret: ${o.livekit.apiSecret}`,
    `ws_url: ${o.livekit.wsUrl}`,
    "insecure: true",
    "redis:",
    `  address: ${o.redis}`,
    `health_port: ${o.healthPort}`,
    `template_port: ${o.templatePort}`,
    // Egress refuses work it thinks the CPUs cannot take (a room composite costs 3 CPUs by default).
    "cpu_cost:",
    "  max_cpu_utilization: 0.99",
    "  room_composite_cpu_cost: 0.5",
    "  audio_room_composite_cpu_cost: 0.2",
    "  web_cpu_cost: 0.5",
    "  audio_web_cpu_cost: 0.2",
    "  participant_cpu_cost: 0.5",
    "  track_composite_cpu_cost: 0.2",
    "  track_cpu_cost: 0.1",
  ].join("\n");
}

/** Starts Redis, livekit-server on it, PulseAudio and Egress; resolves once Egress is ready. */
export async function startEgressStack(options: {
  egressBinary: string;
  livekitBinary: string;
  livekit?: Omit<LiveKitServerOptions, "binary" | "redisAddress">;
}): Promise<EgressStack> {
  const redis = await startRedisServer(redisServerBinary()!);
  const dir = await mkdtemp(join(tmpdir(), "parlor-egress-"));
  let log = "";
  const output = () => log.slice(-30_000);
  const started: { child: ChildProcess; exited: Promise<unknown> }[] = [];
  let livekit: LiveKitServer | undefined;
  const stop = async () => {
    for (const process_ of started.reverse()) await stopGroup(process_, 10_000);
    await livekit?.stop();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    livekit = await startLiveKitServer({
      ...options.livekit,
      binary: options.livekitBinary,
      redisAddress: redis.address,
    });
    // Egress's recordings play their sound into a PulseAudio sink: this one, in its own folder.
    const env = {
      ...process.env,
      XDG_RUNTIME_DIR: join(dir, "run"),
      HOME: dir,
      TMPDIR: join(dir, "tmp"),
      // Egress starts each recording as a subprocess named `egress`, found on PATH.
      PATH: `${dirname(options.egressBinary)}${delimiter}${process.env.PATH ?? ""}`,
    };
    await mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    await mkdir(env.TMPDIR);
    const pulse = launch(
      "pulseaudio",
      [
        "--daemonize=no",
        "--exit-idle-time=-1",
        "--disallow-exit",
        "-n", // no default script: only the socket Egress talks to (it makes its own sinks)
        "--load=module-native-protocol-unix",
        "--load=module-always-sink",
      ],
      env,
      (text) => (log += `[pulseaudio] ${text}`),
    );
    started.push(pulse);
    const pactl = () =>
      new Promise<boolean>((resolve) => {
        const probe = spawn("pactl", ["info"], { env, stdio: "ignore" });
        probe.once("exit", (code) => resolve(code === 0));
        probe.once("error", () => resolve(false));
      });
    await until(
      "PulseAudio did not start",
      pactl,
      () => (pulse.child.exitCode !== null ? `PulseAudio exited:\n${output()}` : null),
      15_000,
    );

    const healthPort = await freeTcpPort();
    const templatePort = await freeTcpPort();
    const config = join(dir, "egress.yaml");
    await writeFile(config, egressYaml({ livekit, redis: redis.address, healthPort, templatePort }));
    const egress = launch(options.egressBinary, ["--config", config], env, (text) => (log += text));
    started.push(egress);
    await until(
      "LiveKit Egress was not ready",
      async () => /service ready/.test(log),
      () =>
        egress.child.exitCode !== null
          ? `egress exited with code ${egress.child.exitCode}:\n${output()}`
          : null,
      60_000,
    );
    return { livekit, output, stop, stopEgress: () => stopGroup(egress, 10_000) };
  } catch (error) {
    await stop();
    throw error;
  }
}
