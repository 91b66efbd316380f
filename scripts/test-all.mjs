// `pnpm test`: every phase of the test command, one after the other, each reported even when an
// earlier one failed, then one summary (every phase: passed, failed or skipped, and its time).
// Exits non-zero when any phase failed or could not run.
//
// `pnpm test:busy` (--busy) runs the same with a CPU hog beside it (stress-ng, two workers), as on
// a contributor's laptop in the middle of other work: no test may fail only because it is slow.
//
// It first says what will run and what cannot, and why: Postgres (DATABASE_URL), Chromium (the
// browser and reliability suites) and the real livekit-server (the real-call suites).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pnpm = process.env.npm_execpath;
const pnpmCommand = pnpm ? [process.execPath, pnpm] : ["pnpm"];
const turbo = (...args) => [...pnpmCommand, "exec", "turbo", "run", ...args];

// ---- What this machine offers ------------------------------------------------------------

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Whether something accepts TCP connections at host:port within a few seconds. */
function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function postgresPlan() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    return (
      "Postgres: DATABASE_URL is not set, so the database suites run on PGlite only. " +
      "To run them on Postgres too: bash scripts/postgres-for-tests.sh, then " +
      "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm test"
    );
  }
  let where;
  try {
    const parsed = new URL(url);
    where = { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 5432) };
  } catch {
    return "Postgres: DATABASE_URL is not a URL (postgres://user@host:port/database): the Postgres projects will fail";
  }
  return (await reachable(where.host, where.port))
    ? `Postgres: DATABASE_URL answers at ${where.host}:${where.port}: the database suites run on PGlite and on Postgres`
    : `Postgres: nothing answers at ${where.host}:${where.port} (DATABASE_URL): the Postgres projects will fail. ` +
        "Start it (bash scripts/postgres-for-tests.sh) or unset DATABASE_URL to test on PGlite only";
}

function chromiumPlan() {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  return existsSync(path)
    ? `Chromium: ${path}: the browser and reliability suites run`
    : `Chromium: not found at ${path}, so the browser and reliability phases cannot run (and the ` +
        "run cannot pass). Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH";
}

/**
 * A server binary the tests use, found as its test helper finds it: the variable naming it, then
 * PATH, then the cache its install script fills (`<cache>/<dir>-<version>/<file>`). Returns the
 * version its script pins, and where it was found (or undefined).
 */
function findBinary({ script, variable, command, dir, file }) {
  const version = /^version=(\S+)/m.exec(readFileSync(join(root, "scripts", script), "utf8"))?.[1];
  const cache = join(
    process.env.PARLOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "parlor"),
    `${dir}-${version}`,
    file,
  );
  const named = process.env[variable];
  const found = named
    ? existsSync(named)
      ? { path: named, how: variable }
      : undefined
    : onPath(command)
      ? { path: onPath(command), how: "PATH" }
      : existsSync(cache)
        ? { path: cache, how: `the cache scripts/${script} fills` }
        : undefined;
  return { version, named, found };
}

function liveKitPlan() {
  const required = process.env.PARLOR_REQUIRE_LIVEKIT === "1";
  const { named, found } = findBinary({
    script: "livekit-server.sh",
    variable: "LIVEKIT_SERVER_BIN",
    command: "livekit-server",
    dir: "livekit-server",
    file: "server",
  });
  if (found)
    return `LiveKit: ${found.path} (${found.how}): the real-call suites run on the real livekit-server`;
  const why = named ? `LIVEKIT_SERVER_BIN names ${named}, which does not exist` : "no livekit-server found";
  return required
    ? `LiveKit: ${why}, and PARLOR_REQUIRE_LIVEKIT=1: the real-call suites will fail`
    : `LiveKit: ${why} (LIVEKIT_SERVER_BIN, PATH, or the cache of bash scripts/livekit-server.sh), so ` +
        "the real-call suites are skipped (they say so). Build it once with bash scripts/livekit-server.sh (needs Go)";
}

// ---- The CPU hog of `pnpm test:busy` ----------------------------------------------------------

const busy = process.argv.includes("--busy");
let hog;

function startCpuHog() {
  const stressNg = onPath("stress-ng");
  if (!stressNg) {
    console.error("\npnpm test:busy needs stress-ng (apt-get install -y stress-ng).");
    process.exit(1);
  }
  // Two workers, each keeping a core busy, for as long as the run lasts.
  hog = spawn(stressNg, ["--cpu", "2", "--timeout", "0", "--quiet"], { stdio: "ignore", detached: true });
  // It must not keep this script alive once the phases are done: the exit handler kills it.
  hog.unref();
  console.log(`\n  Busy run: stress-ng --cpu 2 (process group ${hog.pid}) runs beside every phase.`);
}

function stopCpuHog() {
  if (!hog?.pid) return;
  try {
    process.kill(-hog.pid, "SIGKILL");
  } catch {
    // Gone.
  }
  hog = undefined;
}
process.on("exit", stopCpuHog);

// ---- Running the phases ---------------------------------------------------------------------

/** The phase running now, so that Ctrl-C or a kill stops it (its whole process group) too. */
let current;

/**
 * Vitest's line for each failed test or file (" FAIL  |postgres| test/rooms.test.ts > …"), as a
 * phase prints it: the summary repeats them, since a CI log is often read from its end only.
 */
const failedTests = [];
// eslint-disable-next-line no-control-regex -- the escape that starts a terminal colour
const ansi = /\x1b\[[0-9;]*m/g;

function collectFailures(stream, out) {
  let pending = "";
  stream.on("data", (chunk) => {
    out.write(chunk);
    const lines = (pending + chunk.toString("utf8")).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const plain = line.replace(ansi, "").trim();
      const at = plain.search(/\bFAIL\b/);
      if (at < 0) continue;
      const failure = plain.slice(at).replace(/\s+/g, " ");
      if (!failedTests.includes(failure)) failedTests.push(failure);
    }
  });
}

function run(argv) {
  return new Promise((resolve) => {
    // A process group of its own: an interrupt reaches every process the phase started. Output is
    // passed through as it comes (in colour when this runs in a terminal) and read for failures.
    const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: "1" } : process.env;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: root,
      env,
      stdio: ["inherit", "pipe", "pipe"],
      detached: true,
    });
    collectFailures(child.stdout, process.stdout);
    collectFailures(child.stderr, process.stderr);
    const drained = Promise.all(
      [child.stdout, child.stderr].map((s) => new Promise((r) => s.once("close", r))),
    );
    current = child;
    child.once("error", (error) => {
      console.error(`Could not start ${argv.join(" ")}: ${error.message}`);
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      current = undefined;
      const status = code ?? (signal ? 1 : 0);
      // The phase's last lines may still be in the pipes; a server it left behind could hold them
      // open for ever, so the phase ends at its exit plus at most a moment for them to drain.
      Promise.race([drained, new Promise((r) => setTimeout(r, 5_000))]).then(() => resolve(status));
    });
  });
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the running phase and everything it started…`);
    const child = current;
    if (!child?.pid) process.exit(130);
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // Gone.
      }
    };
    kill(signal);
    // Suites clean up on the signal (their servers die with them); then nothing may linger.
    const timer = setTimeout(() => kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      kill("SIGKILL");
      process.exit(130);
    });
  });
}

/** LiveKit Egress for the Egress recording suite (packages/api/test/egress-server.ts finds it the same way). */
function egressPlan() {
  const required = process.env.PARLOR_REQUIRE_EGRESS === "1";
  const { version, named, found } = findBinary({
    script: "livekit-egress.sh",
    variable: "EGRESS_BIN",
    command: "egress",
    dir: "egress",
    file: "egress",
  });
  if (found)
    return `Egress: ${found.path} (${found.how}): the Egress recording suite runs on LiveKit Egress ${version}`;
  const why = named ? `EGRESS_BIN names ${named}, which does not exist` : "no egress found";
  return required
    ? `Egress: ${why}, and PARLOR_REQUIRE_EGRESS=1: the Egress recording suite will fail`
    : `Egress: ${why} (EGRESS_BIN, PATH, or the cache of bash scripts/livekit-egress.sh), so the Egress ` +
        "recording suite is skipped (it says so). Build it once with bash scripts/livekit-egress.sh";
}

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;

async function main() {
  const started = Date.now();
  const [postgres, chromium, livekit, egress] = [
    await postgresPlan(),
    chromiumPlan(),
    liveKitPlan(),
    egressPlan(),
  ];
  const chromiumMissing = chromium.startsWith("Chromium: not found");
  // One package's failure does not cancel the others' tasks (only those that need what failed).
  const turboFlags = ["--continue=dependencies-successful"];

  const phases = [
    {
      name: "format",
      what: "prettier --check .",
      argv: [...pnpmCommand, "exec", "prettier", "--check", "."],
    },
    {
      name: "lint",
      // The bench's lint depends on the web app's production build (turbo's ^build), so it comes first.
      what: "ESLint in every package (after the production build the bench package needs)",
      argv: turbo("lint", ...turboFlags),
    },
    {
      name: "typecheck",
      what: "tsc in every package",
      argv: turbo("typecheck", ...turboFlags),
    },
    {
      name: "unit and integration",
      what: `Vitest in every package, on PGlite${process.env.DATABASE_URL ? " and Postgres" : ""}`,
      argv: turbo("test", ...turboFlags),
    },
    {
      name: "build",
      what: "the production build of every package (this run's, from turbo's cache, when lint already built it)",
      argv: turbo("build", ...turboFlags),
    },
    {
      name: "browser",
      what: "Chromium against the production build (apps/web/e2e)",
      argv: [...pnpmCommand, "--filter", "@parlor/web", "test:browser"],
      needs: chromiumMissing ? "Chromium not found" : undefined,
      needsBuild: true,
    },
    {
      name: "reliability",
      what: "outages, hostile input, load and budgets against the production build (bench/reliability)",
      argv: [...pnpmCommand, "--filter", "@parlor/bench", "test:reliability"],
      needs: chromiumMissing ? "Chromium not found" : undefined,
      needsBuild: true,
    },
  ];

  console.log("pnpm test: what runs on this machine\n");
  for (const line of [postgres, chromium, livekit, egress]) console.log(`  ${line}`);
  if (busy) startCpuHog();
  console.log("\nPhases, in order (each runs even when an earlier one fails):");
  for (const [i, phase] of phases.entries()) {
    console.log(`  ${i + 1}. ${phase.name}: ${phase.needs ? `SKIPPED (${phase.needs})` : phase.what}`);
  }
  console.log("");

  const results = [];
  let buildFailed = false;
  for (const [i, phase] of phases.entries()) {
    const skipReason = phase.needs ?? (phase.needsBuild && buildFailed ? "the build failed" : undefined);
    if (skipReason) {
      console.log(`\n━━ ${i + 1}/${phases.length} ${phase.name}: skipped (${skipReason})`);
      results.push({ name: phase.name, status: "skipped", reason: skipReason, ms: 0 });
      continue;
    }
    console.log(`\n━━ ${i + 1}/${phases.length} ${phase.name}: ${phase.what}\n`);
    const phaseStart = Date.now();
    const code = await run(phase.argv);
    const ms = Date.now() - phaseStart;
    const status = code === 0 ? "passed" : "failed";
    if (phase.name === "build" && code !== 0) buildFailed = true;
    console.log(`\n━━ ${phase.name}: ${status} in ${seconds(ms)}`);
    results.push({ name: phase.name, status, ms });
  }

  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n━━ Summary of pnpm test${busy ? " (busy: stress-ng --cpu 2 beside it)" : ""}\n`);
  for (const r of results) {
    const detail =
      r.status === "skipped" ? `skipped: ${r.reason}` : `${r.status.padEnd(6)} ${seconds(r.ms).padStart(6)}`;
    console.log(`  ${r.name.padEnd(width)}  ${detail}`);
  }
  const failed = results.filter((r) => r.status === "failed").map((r) => r.name);
  const skipped = results.filter((r) => r.status === "skipped").map((r) => r.name);
  console.log(`\n  Total ${seconds(Date.now() - started)}`);
  stopCpuHog();
  if (failed.length || skipped.length) {
    const parts = [];
    if (failed.length) parts.push(`failed: ${failed.join(", ")}`);
    if (skipped.length) parts.push(`did not run: ${skipped.join(", ")}`);
    if (failedTests.length) {
      const shown = failedTests.slice(0, 40);
      console.log(`\n  Failed, as Vitest named them (${failedTests.length}):`);
      for (const failure of shown) console.log(`    ${failure}`);
      if (failedTests.length > shown.length)
        console.log(`    … and ${failedTests.length - shown.length} more above`);
      console.log("");
    }
    console.log(`  pnpm test did not pass (${parts.join("; ")}). Each phase's output is above its ━━ line.`);
    process.exit(1);
  }
  console.log("  pnpm test passed: every phase ran and passed.");
}

await main();
