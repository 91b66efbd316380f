// `pnpm dev` and `pnpm start`: Parlor with a LiveKit server beside it when none is configured.
//
//   node scripts/dev.mjs dev     next dev (through turbo), port PORT (3000)
//   node scripts/dev.mjs start   the production build's standalone server, port PORT (3000)
//
// When LIVEKIT_URL is not set (in the environment or apps/web/.env*), and a livekit-server binary
// is found (LIVEKIT_SERVER_BIN, `livekit-server` on PATH, or the cache scripts/livekit-server.sh
// fills), it starts one on loopback with a generated development config: free ports (signalling on
// LIVEKIT_PORT, 7880 when free), a fresh key pair handed to the app, webhooks to the app. Without a
// binary it says how to get one and starts the app anyway. Either way it says so first, and stops
// everything it started when it stops (Ctrl-C, SIGTERM, or either child exiting).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const LIVEKIT_VERSION = "v1.13.5"; // as scripts/livekit-server.sh builds it
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const webDir = join(root, "apps", "web");
const mode = process.argv[2] === "start" ? "start" : "dev";

// The app's own env files, as Next reads them, so a LIVEKIT_URL there counts as configured.
const { loadEnvConfig } = createRequire(createRequire(join(webDir, "package.json")).resolve("next"))(
  "@next/env",
);
loadEnvConfig(webDir, mode === "dev", { info: () => undefined, error: console.error });

const say = (line) => console.log(`[parlor] ${line}`);

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function liveKitBinary() {
  if (process.env.LIVEKIT_SERVER_BIN) {
    return existsSync(process.env.LIVEKIT_SERVER_BIN)
      ? process.env.LIVEKIT_SERVER_BIN
      : { missing: `LIVEKIT_SERVER_BIN names ${process.env.LIVEKIT_SERVER_BIN}, which does not exist.` };
  }
  const cache =
    process.env.PARLOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "parlor");
  const cached = join(cache, `livekit-server-${LIVEKIT_VERSION}`, "server");
  return (
    onPath("livekit-server") ?? (existsSync(cached) ? cached : { missing: "No livekit-server was found." })
  );
}

/** A port nothing listens on (TCP) or is bound to (UDP) on loopback: `preferred` when it is free. */
function freePort(kind, preferred = 0) {
  return new Promise((resolve, reject) => {
    const onBound = (server, port) => server.close(() => resolve(port));
    if (kind === "udp") {
      const socket = createSocket("udp4");
      socket.once("error", (error) => (preferred ? freePort(kind).then(resolve, reject) : reject(error)));
      socket.bind(preferred, "127.0.0.1", () => onBound(socket, socket.address().port));
      return;
    }
    const server = createServer();
    server.once("error", (error) => (preferred ? freePort(kind).then(resolve, reject) : reject(error)));
    server.listen(preferred, "127.0.0.1", () => onBound(server, server.address().port));
  });
}

const children = new Set();
let stopping = false;

/** Starts a child in its own process group, so stopping it stops everything it started too. */
function run(name, command, args, options) {
  const child = spawn(command, args, { stdio: "inherit", detached: true, ...options });
  children.add(child);
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (!stopping) {
      say(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      void stop(code ?? 1);
    }
  });
  return child;
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  const exits = [...children].map((child) => new Promise((resolve) => child.once("exit", resolve)));
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  const force = setTimeout(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }, 5_000);
  await Promise.all(exits);
  clearTimeout(force);
  cleanups.forEach((cleanup) => cleanup());
  process.exit(code);
}
const cleanups = [];
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => void stop(0));

async function waitForLiveKit(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Starts livekit-server for the app on `appPort`; returns the app's LiveKit variables. */
async function startLiveKit(binary, appPort) {
  const port = await freePort("tcp", Number(process.env.LIVEKIT_PORT) || 7880);
  const tcpPort = await freePort("tcp");
  const udpPort = await freePort("udp");
  const apiKey = "parlor-dev";
  const apiSecret = randomBytes(24).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "parlor-livekit-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "livekit.yaml");
  writeFileSync(
    config,
    [
      `port: ${port}`,
      "bind_addresses:",
      "  - 127.0.0.1",
      "rtc:",
      `  tcp_port: ${tcpPort}`,
      `  udp_port: ${udpPort}`,
      "  node_ip: 127.0.0.1",
      "  use_external_ip: false",
      "  enable_loopback_candidate: true",
      // Without STUN servers LiveKit would hand browsers public ones; this never leaves the machine.
      "  stun_servers:",
      `    - 127.0.0.1:${udpPort}`,
      "keys:",
      `  ${apiKey}: ${apiSecret}`,
      "logging:",
      "  level: warn",
      "  pion_level: error",
      "webhook:",
      `  api_key: ${apiKey}`,
      "  urls:",
      `    - http://127.0.0.1:${appPort}/api/livekit/webhook`,
      "",
    ].join("\n"),
  );
  // The config file is the whole configuration: variables LiveKit would also read are dropped.
  const { LIVEKIT_KEYS: _keys, LIVEKIT_CONFIG: _config, ...env } = process.env;
  const child = run("livekit-server", binary, ["--config", config], { env });
  const url = `ws://127.0.0.1:${port}`;
  if (!(await waitForLiveKit(`http://127.0.0.1:${port}`, child))) {
    say(`livekit-server (${binary}) did not start; see its output above. Starting Parlor without it.`);
    return {};
  }
  say(`LiveKit: livekit-server on ${url} (loopback; webhooks to the app), from ${binary}`);
  return { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret };
}

/** The standalone server needs the build's static files and public/ beside it. */
function standaloneServer() {
  const standalone = join(webDir, ".next", "standalone", "apps", "web");
  const server = join(standalone, "server.js");
  if (!existsSync(server)) {
    console.error("[parlor] There is no production build yet: run `pnpm build` first.");
    process.exit(1);
  }
  cpSync(join(webDir, ".next", "static"), join(standalone, ".next", "static"), { recursive: true });
  cpSync(join(webDir, "public"), join(standalone, "public"), { recursive: true });
  return server;
}

const appPort = Number(process.env.PORT) || 3000;
const server = mode === "start" ? standaloneServer() : null;
say(`Parlor (${mode === "dev" ? "development" : "production build"}) on http://localhost:${appPort}`);

let liveKitEnv = {};
if (process.env.LIVEKIT_URL) {
  say(`LiveKit: ${process.env.LIVEKIT_URL} (LIVEKIT_URL)`);
} else {
  const binary = liveKitBinary();
  if (typeof binary === "string") {
    liveKitEnv = await startLiveKit(binary, appPort);
  } else {
    say(`LiveKit: none started — ${binary.missing} The app looks for one at ws://localhost:7880;`);
    say("calls connect once a LiveKit server answers there (or at LIVEKIT_URL). To get one:");
    say("  pnpm livekit:install   builds livekit-server once (needs Go), then run this again;");
    say("  docker compose up livekit   runs LiveKit's image on ws://localhost:7880, Parlor's default;");
    say("  or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET to a LiveKit server of yours.");
  }
}

const env = { ...process.env, ...liveKitEnv, PORT: String(appPort) };
if (mode === "dev") {
  const turbo = join(root, "node_modules", ".bin", "turbo");
  run("next dev", turbo, ["run", "dev", "--filter=@parlor/web"], { cwd: root, env });
} else {
  // The standalone server listens where HOSTNAME says (a shell's HOSTNAME is the machine's name):
  // on every interface, as `next start` does.
  run("next start", process.execPath, [server], {
    cwd: dirname(server),
    env: { ...env, NODE_ENV: "production", HOSTNAME: "0.0.0.0" },
  });
}
