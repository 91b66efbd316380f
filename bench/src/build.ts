/**
 * The production build the bench and the reliability suite run against: `next build` of
 * apps/web, made (or remade) when it is missing or older than the sources it is built from.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { NEXT_DIR, REPO_ROOT, WEB_DIR } from "./paths";

const SOURCE_ROOTS = [
  join(WEB_DIR, "src"),
  join(WEB_DIR, "next.config.ts"),
  join(WEB_DIR, "package.json"),
  join(REPO_ROOT, "packages", "api", "src"),
  join(REPO_ROOT, "packages", "db", "src"),
  join(REPO_ROOT, "packages", "db", "migrations"),
  join(REPO_ROOT, "packages", "ui", "src"),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export type BuildState = "missing" | "stale" | "fresh";

export function buildState(): BuildState {
  const buildId = join(NEXT_DIR, "BUILD_ID");
  if (!existsSync(buildId)) return "missing";
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCE_ROOTS.some((root) => newestMtime(root) > builtAt) ? "stale" : "fresh";
}

export function buildId(): string | null {
  const file = join(NEXT_DIR, "BUILD_ID");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : null;
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

export interface EnsureBuildOptions {
  /** "auto": build when missing or stale; "never": use what is there (fail when missing); "always": rebuild. */
  mode?: "auto" | "never" | "always";
  log?: (line: string) => void;
}

/** Makes sure apps/web/.next holds a production build; returns what was done. */
export async function ensureBuild(
  options: EnsureBuildOptions = {},
): Promise<{ state: BuildState; built: boolean }> {
  const mode = options.mode ?? "auto";
  const log = options.log ?? ((line: string) => console.error(line));
  const state = buildState();
  if (mode === "never" || (mode === "auto" && state === "fresh")) {
    if (state === "missing") {
      throw new Error(
        "apps/web has no production build (.next/BUILD_ID). Run `pnpm --filter @parlor/web build` first.",
      );
    }
    return { state, built: false };
  }
  log(
    `Building the production app (${mode === "always" ? "rebuild asked for" : `build ${state}`}): pnpm --filter @parlor/web build`,
  );
  await run("pnpm", ["--filter", "@parlor/web", "build"], REPO_ROOT);
  if (!existsSync(join(NEXT_DIR, "BUILD_ID")))
    throw new Error("next build finished without writing .next/BUILD_ID");
  return { state, built: true };
}
