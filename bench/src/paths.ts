import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = join(BENCH_DIR, "..");
export const WEB_DIR = join(REPO_ROOT, "apps", "web");
export const NEXT_DIR = join(WEB_DIR, ".next");
export const RESULTS_DIR = join(BENCH_DIR, "results");

/** The machine's main Postgres (trust auth): the bench's database server and where throw-away databases are made. */
export const MAIN_DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

/** Debian's Postgres binaries, for the server the outage test starts and stops itself. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";
