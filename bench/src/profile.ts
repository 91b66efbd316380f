/**
 * `pnpm --filter @parlor/bench profile [connectionDetails|join|reference] [--embedded]`: runs one operation
 * for 10 s at 10 connections against the production server started with --cpu-prof, and prints
 * where the server's time went, by package or source file (through the build's source maps).
 * This is how the bench's "measured reasons" in docs/performance.md were found.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { runLoad } from "./load";
import { connectionDetailsOnly, joinPath, reference } from "./scenarios";
import { seedJoinFixture } from "./seed";
import { startStack } from "./stack";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

const which = process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "connectionDetails";
/** `--embedded`: the app on its embedded database (PGlite) instead of a Postgres database. */
const embedded = process.argv.includes("--embedded");
const dir = mkdtempSync(join(tmpdir(), "parlor-profile-"));

const maps = new Map<string, SourceMap | null>();
function sourceOf(frame: ProfileNode["callFrame"]): string {
  if (!frame.url) return frame.functionName;
  let source = frame.url;
  if (!maps.has(frame.url)) {
    const mapFile = `${frame.url.replace(/^file:\/\//, "")}.map`;
    let map: SourceMap | null = null;
    try {
      if (existsSync(mapFile)) map = new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
    } catch {
      map = null;
    }
    maps.set(frame.url, map);
  }
  const entry = maps.get(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalSource?: string } | undefined;
  if (entry?.originalSource) source = entry.originalSource;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return pkg[1]!.replace("%40", "@");
  if (source.startsWith("node:")) return source;
  if (/packages\/(api|db)\/src/.test(source)) return source.replace(/.*(packages\/)/, "$1");
  if (/\/src\/server\/|webpack:\/\/next/.test(source)) return "next";
  return source.replace(/.*\/work\/main\//, "");
}

async function main() {
  const stack = await startStack({
    env: { PARLOR_BENCH_REFERENCE: "1" },
    embedded,
    nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
  });
  try {
    const fixture = await seedJoinFixture(stack.app.url, stack.livekit, {
      teams: 2,
      perTeam: 5,
      roomsPerTeam: 1,
    });
    const sequence = (i: number) => {
      const joiner = fixture.joiners[i % fixture.joiners.length]!;
      if (which === "reference") return reference(joiner);
      if (which === "join") return joinPath(joiner, stack.app.origin);
      return connectionDetailsOnly(joiner, stack.app.origin);
    };
    await runLoad({
      name: which,
      baseUrl: stack.app.url,
      connections: 10,
      durationSeconds: 3,
      sequenceFor: sequence,
    });
    const result = await runLoad({
      name: which,
      baseUrl: stack.app.url,
      connections: 10,
      durationSeconds: 10,
      sequenceFor: sequence,
    });
    console.log(
      `${which}${embedded ? " (PGlite)" : ""}: ${result.perSecond}/s, p50 ${result.p50Ms} ms (profiling slows the server)`,
    );
  } finally {
    await stack.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile was written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of time) {
    const own = sourceOf(byId.get(id)!.callFrame);
    self.set(own, (self.get(own) ?? 0) + t);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = sourceOf(byId.get(at)!.callFrame);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + t);
      seen.add(name);
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => `  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  console.log(
    `Server CPU profile (${(total / 1e6).toFixed(1)} s, including start-up and seeding) — self time:\n${top(self, 25)}`,
  );
  console.log(`Inclusive (time with the package on the stack):\n${top(inclusive, 30)}`);
  console.log(`Profile: ${join(dir, file)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
