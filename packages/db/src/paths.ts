import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Walks up from `start` to the first folder holding `marker`; null when there is none. */
function findUp(start: string, marker: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, marker))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The committed SQL migrations. Resolved from the working directory rather than this file's
 * URL, because bundlers (Next's server build) move this module but not the SQL files beside it.
 */
export function migrationsFolder(): string {
  const fromEnv = process.env.PARLOR_MIGRATIONS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const root = findUp(process.cwd(), "packages/db/migrations/meta/_journal.json");
  if (!root) {
    throw new Error(
      "Cannot find packages/db/migrations from the working directory; set PARLOR_MIGRATIONS_DIR to the folder.",
    );
  }
  return join(root, "packages/db/migrations");
}

/** Parlor's data folder, `.data/` at the repository root: the embedded database, recordings. */
export function dataRoot(): string {
  const root = findUp(process.cwd(), "pnpm-workspace.yaml") ?? process.cwd();
  return join(root, ".data");
}

/** Where the embedded database keeps its files. */
export const defaultDataDir = () => join(dataRoot(), "pglite");
