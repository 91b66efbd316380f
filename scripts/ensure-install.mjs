// Lets `pnpm dev` and `pnpm test` work on a fresh clone: installs dependencies first when
// node_modules is missing or older than the lockfile.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const marker = join(root, "node_modules", ".modules.yaml");
const lockfile = join(root, "pnpm-lock.yaml");

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lockfile).mtimeMs;
if (stale) {
  const pnpm = process.env.npm_execpath;
  const [command, args] = pnpm ? [process.execPath, [pnpm]] : ["pnpm", []];
  console.log("Installing dependencies (first run)…");
  execFileSync(command, [...args, "install", "--frozen-lockfile"], { cwd: root, stdio: "inherit" });
}
