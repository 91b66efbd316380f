/**
 * `pnpm --filter @parlor/bench compare <other apps/web folder>`: before/after on a shared machine.
 * Starts this checkout's build and another checkout's build (e.g. a `git worktree` of the commit
 * before a change, built there), each on its own Postgres database and, with `--embedded`, each
 * on its own PGlite, plus the bare reference app, seeds both, and measures them interleaved
 * (`--rounds=<n>` rounds of every row, `--duration=<s>` each, 10 connections) so that the load
 * other work puts on the machine falls on both alike. Prints ops/s per row and round.
 */
import { resolve } from "node:path";

import { runLoad, type LoadRequest } from "./load";
import { ensureReferenceBuild, REFERENCE_PATH, startReferenceApp } from "./reference-app";
import { connectionDetailsOnly, joinPath, reference } from "./scenarios";
import { seedJoinFixture } from "./seed";
import { startStack, type Stack } from "./stack";
import { startLiveKitDouble } from "./livekit";

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const flag = (name: string, fallback: number) =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const otherDir = positional[0];
const ROUNDS = flag("rounds", 2);
const DURATION = flag("duration", 8);
const embedded = process.argv.includes("--embedded");
const log = (line: string) => console.error(`[compare] ${line}`);

async function main() {
  if (!otherDir) throw new Error("usage: compare <other checkout's apps/web folder> [--embedded]");
  await ensureReferenceBuild(log);
  const livekit = await startLiveKitDouble({
    apiKey: "benchkey",
    apiSecret: "bench-secret-that-is-long-enough-0123456789",
  });
  const stacks: { label: string; stack: Stack }[] = [];
  const referenceApp = await startReferenceApp(livekit);
  try {
    for (const [label, appDir] of [
      ["before", resolve(otherDir)],
      ["after", undefined],
    ] as const) {
      const stack = await startStack({
        env: { PARLOR_BENCH_REFERENCE: "1" },
        backgroundJobs: false,
        livekit,
        appDir,
        embedded,
      });
      stacks.push({ label, stack });
    }
    const rows: { name: string; baseUrl: string; sequence: (i: number) => LoadRequest[] }[] = [];
    let bareJoiners: Awaited<ReturnType<typeof seedJoinFixture>>["joiners"] | undefined;
    for (const { label, stack } of stacks) {
      log(`seeding ${label} (${stack.app.url})`);
      const { joiners } = await seedJoinFixture(stack.app.url, livekit);
      bareJoiners ??= joiners;
      const at = (i: number) => joiners[i % joiners.length]!;
      rows.push(
        { name: `${label}: in-app reference`, baseUrl: stack.app.url, sequence: (i) => reference(at(i)) },
        {
          name: `${label}: room.connectionDetails`,
          baseUrl: stack.app.url,
          sequence: (i) => connectionDetailsOnly(at(i), stack.app.origin),
        },
        {
          name: `${label}: join path (room live)`,
          baseUrl: stack.app.url,
          sequence: (i) => joinPath(at(i), stack.app.origin),
        },
      );
    }
    rows.unshift({
      name: "bare reference app",
      baseUrl: referenceApp.url,
      sequence: (i) => reference(bareJoiners![i % bareJoiners!.length]!, REFERENCE_PATH),
    });
    const results = new Map<string, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const row of rows) {
        const run = (durationSeconds: number) =>
          runLoad({
            name: row.name,
            baseUrl: row.baseUrl,
            connections: 10,
            durationSeconds,
            sequenceFor: row.sequence,
          });
        await run(2);
        const result = await run(DURATION);
        if (result.errors) log(`${row.name}: ${result.errors} errors ${JSON.stringify(result.statuses)}`);
        results.set(row.name, [...(results.get(row.name) ?? []), result.perSecond]);
        log(`round ${round}: ${row.name} ${result.perSecond} ops/s`);
      }
    }
    console.log(
      `Before/after (${embedded ? "PGlite" : "Postgres"}, 10 connections, ${ROUNDS} interleaved rounds of ${DURATION} s): ops/s per round`,
    );
    for (const [name, values] of results) console.log(`  ${name.padEnd(36)} ${values.join("  ")}`);
  } finally {
    for (const { stack } of stacks) await stack.stop();
    await referenceApp.stop();
    await livekit.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
