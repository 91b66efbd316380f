/**
 * Databases for the bench and the reliability suite: throw-away databases on the machine's main
 * Postgres, and a Postgres server of the suite's own (Debian's binaries, a temporary data
 * directory, its own port) that the outage test stops and starts.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { whenSuiteEnds } from "@parlor/api/testing/suite-exit";
import postgres from "postgres";

import { freePort } from "./net";
import { POSTGRES_BIN } from "./paths";

export { createThrowawayDatabase, type ThrowawayDatabase } from "@parlor/db/testing";

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** Runs one of Debian's Postgres binaries, as the postgres user when we are root (Postgres refuses root). */
function pgBinary(binary: string, args: string[], options: { allowFailure?: boolean } = {}): string {
  const path = join(POSTGRES_BIN, binary);
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: the reliability suite needs Debian's PostgreSQL 15 server binaries (apt-get install postgresql-15).`,
    );
  }
  const [command, commandArgs] = isRoot()
    ? ["runuser", ["-u", "postgres", "--", path, ...args]]
    : [path, args];
  const result = spawnSync(command, commandArgs as string[], { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(
      `${binary} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return `${result.stdout}${result.stderr}`;
}

export interface PostgresServer {
  port: number;
  /** postgres:// URL of the `parlor` database on this server. */
  url: string;
  /** Stops the server at once, like a crash or a pulled cable (`pg_ctl stop -m immediate`). */
  stop(): void;
  /** Starts it again on the same port and data directory. */
  start(): void;
  isRunning(): boolean;
  log(): string;
  /** Stops it and removes its data directory. */
  destroy(): void;
}

const running = new Set<PostgresServer>();
whenSuiteEnds(() => {
  for (const server of running) server.destroy();
});

/** Initialises and starts a Postgres server of our own, with trust auth, on a free port. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const root = mkdtempSync(join(tmpdir(), "parlor-pg-"));
  const data = join(root, "data");
  const logFile = join(root, "postgres.log");
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  pgBinary("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--no-sync",
    "--no-instructions",
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=100",
    "-c log_min_messages=warning",
  ].join(" ");
  let up = false;

  const server: PostgresServer = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/parlor`,
    start() {
      pgBinary("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
      up = true;
    },
    stop() {
      pgBinary("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
      up = false;
    },
    isRunning: () => up,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    destroy() {
      if (up)
        pgBinary("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], { allowFailure: true });
      up = false;
      running.delete(server);
      rmSync(root, { recursive: true, force: true });
    },
  };
  running.add(server);
  server.start();
  const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe("create database parlor");
  } finally {
    await admin.end({ timeout: 5 });
  }
  return server;
}
