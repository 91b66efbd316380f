/**
 * `pnpm bench`: builds the production app (and the bare reference app, reference-app.ts) if
 * needed, starts it against a fresh database on the machine's Postgres and the LiveKit double,
 * seeds it through the HTTP API, measures, then does the same load on the app's embedded
 * database (PGlite), prints a table and writes the figures to bench/results/. Then join speed in
 * real calls, against the real livekit-server (see join-speed.ts).
 *
 * Flags: --no-build (use the build that is there), --rebuild, --duration=<s> (per load run,
 * default 10), --runs=<n> (time-to-preview runs, default 5), --joins=<n> (real joins, default 10),
 * --only=capacity (only the webhook and presence capacity part, capacity.ts), or
 * --only=<parts> (some of bundle, preview, join-speed, comma-separated: only those, no load rows).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

import postgres from "postgres";

import { liveKitServerBinary } from "@parlor/api/testing/livekit-server";

import { buildId, ensureBuild } from "./build";
import type { RunningApp } from "./app";
import type { RouteBundle } from "./bundle";
import { formatCapacity, runCapacity } from "./capacity";
import { bundleReport, joinSpeedReport, previewReport, routeBundles, runClientParts } from "./client-figures";
import { runLoad, percentile, type LoadRequest, type LoadResult } from "./load";
import { joinSpeed, type JoinSpeedResult } from "./join-speed";
import { createParlorClient } from "./parlor-client";
import { RESULTS_DIR } from "./paths";
import { timeToPreview, type PreviewResult } from "./preview";
import { countRoundTrips, type RoundTripCount } from "./round-trips";
import { ensureReferenceBuild, REFERENCE_PATH, startReferenceApp } from "./reference-app";
import { connectionDetailsOnly, joinPath, reference } from "./scenarios";
import { seedJoinFixture, seedScaleFixture } from "./seed";
import { startStack, type Stack } from "./stack";

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, "").split("=");
    return [key!, value ?? "true"] as const;
  }),
);
const DURATION = Number(args.get("duration") ?? 10);
const WARMUP = Math.min(3, DURATION);
const PREVIEW_RUNS = Number(args.get("runs") ?? 5);
const JOINS = Number(args.get("joins") ?? 10);
const CONCURRENCY = [10, 50];

const log = (line: string) => console.error(`[bench] ${line}`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

interface LatencySample {
  name: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Items in the answer (rooms). */
  items: number;
}

async function serialLatency(
  name: string,
  count: number,
  run: () => Promise<number>,
): Promise<LatencySample> {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    items = await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    name,
    samples: count,
    p50Ms: r(percentile(times, 50)),
    p99Ms: r(percentile(times, 99)),
    maxMs: r(times.at(-1)!),
    items,
  };
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join(
    "\n",
  );
}

/** Webhook and presence capacity, on stacks of its own; printed with its targets. */
async function capacityPart(): Promise<{ result: Awaited<ReturnType<typeof runCapacity>>; report: string }> {
  const result = await runCapacity({ log });
  return { result, report: formatCapacity(result, table) };
}

const BARE_REFERENCE = "reference: bare Next app";
const IN_APP_REFERENCE = "reference: in Parlor's build";

type Phase = "Postgres" | "PGlite";
interface LoadRow extends LoadResult {
  /** Which database Parlor's app ran on while this row was measured. */
  database: Phase;
}
interface Scenario {
  name: string;
  baseUrl: string;
  sequence: (connection: number) => LoadRequest[];
}

/** Each scenario at each concurrency: a warm-up, then the measured run. */
async function measure(loads: LoadRow[], database: Phase, scenarios: Scenario[]) {
  for (const connections of CONCURRENCY) {
    for (const scenario of scenarios) {
      log(
        `load (${database}): ${scenario.name}, ${connections} connections, ${WARMUP} s warm-up + ${DURATION} s`,
      );
      const run = (durationSeconds: number) =>
        runLoad({
          name: scenario.name,
          baseUrl: scenario.baseUrl,
          connections,
          durationSeconds,
          sequenceFor: scenario.sequence,
        });
      await run(WARMUP);
      loads.push({ ...(await run(DURATION)), database });
    }
  }
}

async function main() {
  const mode = args.has("no-build") ? "never" : args.has("rebuild") ? "always" : "auto";
  const build = await ensureBuild({ mode, log });
  log(`build ${buildId()} (${build.built ? "built now" : `existing, ${build.state}`})`);
  if (args.get("only") === "capacity") {
    const capacity = await capacityPart();
    const at = new Date().toISOString();
    const report = `Parlor bench (capacity only) — ${at} — build ${buildId()} — ${cpus().length} CPUs, Node ${process.version}, load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n\n${capacity.report}`;
    console.log(report);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = at.replace(/[:.]/g, "-");
    writeFileSync(
      join(RESULTS_DIR, `capacity-${stamp}.json`),
      JSON.stringify({ at, buildId: buildId(), capacity: capacity.result }, null, 2),
    );
    writeFileSync(join(RESULTS_DIR, "capacity-latest.txt"), `${report}\n`);
    return;
  }
  const only = args.get("only");
  if (only) return runClientParts(only.split(","), { previewRuns: PREVIEW_RUNS, joins: JOINS, log });

  await ensureReferenceBuild(log);

  const stack = await startStack({ env: { PARLOR_BENCH_REFERENCE: "1" }, backgroundJobs: false });
  const { app, livekit } = stack;
  log(`app on ${app.url} (pid ${app.pid}), LiveKit double on ${livekit.url}`);
  let referenceApp: RunningApp | undefined;
  let embedded: Stack | undefined;
  try {
    referenceApp = await startReferenceApp(livekit);
    log(`bare reference app on ${referenceApp.url} (pid ${referenceApp.pid})`);
    const client = createParlorClient(app.url);
    log("seeding: 5 teams x 10 people, 2 live rooms per team (HTTP API + signed webhooks)");
    const fixture = await seedJoinFixture(app.url, livekit);
    log("seeding: 1,000 live rooms with 10,000 participants (bulk SQL, mirrored in the LiveKit double)");
    const scale = await seedScaleFixture(app.url, stack.databaseUrl, livekit, fixture.admin);

    // Rooms nobody is in: `room.ensure` cannot know LiveKit has them open, so it calls CreateRoom.
    const quiet: { teamSlug: string; roomSlug: string; roomName: string }[] = [];
    for (const team of fixture.teams) {
      const room = await client.mutate<{ slug: string }>(
        "room.create",
        { teamSlug: team.slug, name: "Quiet room" },
        team.owner,
      );
      const ensured = await client.mutate<{ roomName: string }>(
        "room.ensure",
        { teamSlug: team.slug, roomSlug: room.slug },
        team.owner,
      );
      quiet.push({ teamSlug: team.slug, roomSlug: room.slug, roomName: ensured.roomName });
    }
    const quietJoiners = fixture.joiners.map((j, i) => ({
      ...j,
      ...quiet[Math.floor(i / 10) % quiet.length]!,
    }));

    log("counting SQL round trips per request (query logger, in-process handler)");
    const someone = fixture.joiners[1]!;
    const roundTrips: RoundTripCount[] = await countRoundTrips(stack.databaseUrl, livekit, app.origin, [
      { name: "room.connectionDetails", requests: connectionDetailsOnly(someone, app.origin) },
      { name: "join path (room live)", requests: joinPath(someone, app.origin) },
      { name: "join path (room not known live)", requests: joinPath(quietJoiners[1]!, app.origin) },
    ]);

    const loads: LoadRow[] = [];
    const stopWatching = app.watchMemory(100);
    const idleRss = app.memory().rssBytes;
    const joiner = (i: number) => fixture.joiners[i % fixture.joiners.length]!;
    const bareReference: Scenario = {
      name: BARE_REFERENCE,
      baseUrl: referenceApp.url,
      sequence: (i) => reference(joiner(i), REFERENCE_PATH),
    };
    await measure(loads, "Postgres", [
      bareReference,
      { name: IN_APP_REFERENCE, baseUrl: app.url, sequence: (i) => reference(joiner(i)) },
      {
        name: "room.connectionDetails",
        baseUrl: app.url,
        sequence: (i) => connectionDetailsOnly(joiner(i), app.origin),
      },
      { name: "join path (room live)", baseUrl: app.url, sequence: (i) => joinPath(joiner(i), app.origin) },
      {
        name: "join path (CreateRoom)",
        baseUrl: app.url,
        sequence: (i) => joinPath(quietJoiners[i % quietJoiners.length]!, app.origin),
      },
    ]);
    const memory = stopWatching();

    log("admin.activeRooms and room.list with 1,000 live rooms and 10,000 participants");
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    const adminViews: LatencySample[] = [];
    try {
      const activeRooms = () =>
        client.query<unknown[]>("admin.activeRooms", undefined, fixture.admin).then((rows) => rows.length);
      await activeRooms(); // reconciles once (stale), then the next answers use fresh presence
      adminViews.push(await serialLatency("admin.activeRooms (presence fresh)", 20, activeRooms));
      adminViews.push(
        await serialLatency("admin.activeRooms (stale: reconciles in the background)", 3, async () => {
          await sql`update app_state set value = '2000-01-01T00:00:00.000Z' where key = 'presence.reconciled_at'`;
          return activeRooms();
        }),
      );
      adminViews.push(
        await serialLatency("room.list (1,000 rooms)", 20, () =>
          client
            .query<unknown[]>("room.list", { teamSlug: scale.teamSlug }, fixture.admin)
            .then((rows) => rows.length),
        ),
      );
      adminViews.push(
        await serialLatency("room.list (3 rooms)", 20, () =>
          client
            .query<unknown[]>("room.list", { teamSlug: fixture.teams[0]!.slug }, fixture.teams[0]!.owner)
            .then((rows) => rows.length),
        ),
      );
    } finally {
      await sql.end({ timeout: 5 });
    }

    log("the same build on its embedded database (PGlite, DATABASE_URL unset): seeding 5 teams x 10 people");
    embedded = await startStack({ embedded: true, backgroundJobs: false, livekit });
    const embeddedApp = embedded.app;
    const embeddedFixture = await seedJoinFixture(embeddedApp.url, livekit);
    const embeddedJoiner = (i: number) => embeddedFixture.joiners[i % embeddedFixture.joiners.length]!;
    await measure(loads, "PGlite", [
      bareReference,
      {
        name: "room.connectionDetails",
        baseUrl: embeddedApp.url,
        sequence: (i) => connectionDetailsOnly(embeddedJoiner(i), embeddedApp.origin),
      },
      {
        name: "join path (room live)",
        baseUrl: embeddedApp.url,
        sequence: (i) => joinPath(embeddedJoiner(i), embeddedApp.origin),
      },
    ]);
    await embedded.stop();
    embedded = undefined;

    log("JavaScript per route, from the build manifests");
    const bundles: RouteBundle[] = routeBundles();

    log(`time to preview: ${PREVIEW_RUNS} runs in headless Chromium with a fake camera`);
    const previewJoiner = fixture.joiners[0]!;
    const preview: PreviewResult = await timeToPreview(
      app.url,
      previewJoiner.session.cookie,
      `/t/${previewJoiner.teamSlug}/${previewJoiner.roomSlug}`,
      { runs: PREVIEW_RUNS },
    );

    // Without a livekit-server binary (no Go on this machine) the rest still runs, and says so.
    const server = liveKitServerBinary();
    let joins: JoinSpeedResult | null = null;
    let joinsMissing = "no livekit-server binary";
    if ("path" in server) {
      log(`join speed: ${JOINS} joins of a real call (real livekit-server, two Chromium processes)`);
      // A failure here (say, a browser timing out on a saturated machine) is reported with the
      // rest of the figures instead of throwing them all away.
      try {
        joins = await joinSpeed({ runs: JOINS, log });
      } catch (error) {
        joinsMissing = `it failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
        log(`join speed NOT measured: ${joinsMissing}`);
      }
    } else {
      log(`join speed NOT measured: ${server.missing}`);
    }

    log("webhook and presence capacity (two more instances on a database of their own)");
    const capacity = await capacityPart();

    const find = (database: Phase, name: string, connections: number) =>
      loads.find((l) => l.database === database && l.name === name && l.connections === connections)!;
    const ratio = (database: Phase, name: string, over: string, connections: number) =>
      Math.round(
        (find(database, name, connections).perSecond / find(database, over, connections).perSecond) * 100,
      ) / 100;
    // The issue's targets: Parlor's token route (room.connectionDetails) against Meet's bare one.
    const ratios = CONCURRENCY.flatMap((c) => [
      {
        name: "room.connectionDetails ÷ bare reference",
        database: "Postgres",
        connections: c,
        value: ratio("Postgres", "room.connectionDetails", BARE_REFERENCE, c),
        target: "≥ 1.0",
      },
      {
        name: "room.connectionDetails ÷ in-app reference",
        database: "Postgres",
        connections: c,
        value: ratio("Postgres", "room.connectionDetails", IN_APP_REFERENCE, c),
        target: "",
      },
      {
        name: "join path ÷ bare reference",
        database: "Postgres",
        connections: c,
        value: ratio("Postgres", "join path (room live)", BARE_REFERENCE, c),
        target: "",
      },
      {
        name: "room.connectionDetails ÷ bare reference",
        database: "PGlite",
        connections: c,
        value: ratio("PGlite", "room.connectionDetails", BARE_REFERENCE, c),
        target: "≥ 0.6",
      },
      {
        name: "join path ÷ bare reference",
        database: "PGlite",
        connections: c,
        value: ratio("PGlite", "join path (room live)", BARE_REFERENCE, c),
        target: "",
      },
    ]);

    const results = {
      at: new Date().toISOString(),
      buildId: buildId(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryBytes: totalmem(),
        loadAverageAtEnd: loadavg(),
        node: process.version,
      },
      durationSeconds: DURATION,
      fixture: {
        joiners: fixture.joiners.length,
        teams: fixture.teams.length,
        scaleRooms: scale.rooms,
        scaleParticipants: scale.participants,
      },
      loads,
      ratios,
      roundTrips,
      adminViews,
      bundles,
      preview,
      joins,
      capacity: capacity.result,
      memory: { idleRssBytes: idleRss, peakRssBytesDuringLoad: memory.peakBytes, samples: memory.samples },
    };

    const out: string[] = [];
    out.push(
      `Parlor bench — ${results.at} — build ${results.buildId} — ${results.machine.cpus} CPUs, Node ${process.version}, ` +
        `load average at the end ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")} (the machine is shared: other work competes for the same cores)`,
    );
    out.push("");
    out.push(
      `Load (closed loop, ${DURATION} s per row after ${WARMUP} s warm-up; a join = room.ensure + room.connectionDetails)`,
    );
    out.push(
      table(
        ["operation", "database", "conns", "ops/s", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors"],
        loads.map((l) => [
          l.name,
          l.name === BARE_REFERENCE ? `(${l.database} phase)` : l.database,
          l.connections,
          l.perSecond,
          l.requestsPerSecond,
          l.p50Ms,
          l.p90Ms,
          l.p99Ms,
          l.errors,
        ]),
      ),
    );
    out.push("");
    out.push(
      table(
        ["ratio (ops/s ÷ reference ops/s, same phase)", "database", "conns", "value", "target"],
        ratios.map((r) => [r.name, r.database, r.connections, r.value, r.target]),
      ),
    );
    out.push("");
    out.push(
      table(
        ["SQL round trips per request", "statements", "LiveKit calls"],
        roundTrips.map((r) => [r.name, r.statements, r.livekitCalls]),
      ),
    );
    for (const r of roundTrips) out.push(`  ${r.name}:\n${r.sql.map((s) => `    ${s}`).join("\n")}`);
    out.push("");
    out.push(
      table(
        [
          "presence views (1,000 live rooms, 10,000 people)",
          "samples",
          "rooms",
          "p50 ms",
          "p99 ms",
          "max ms",
        ],
        adminViews.map((v) => [v.name, v.samples, v.items, v.p50Ms, v.p99Ms, v.maxMs]),
      ),
    );
    out.push("", bundleReport(bundles), "", previewReport(preview), "", joinSpeedReport(joins));
    out.push(
      `Web server memory (RSS, all its processes): ${mb(idleRss)} before the load, peak ${mb(memory.peakBytes)} during it`,
    );
    out.push("");
    out.push(capacity.report);
    const report = out.join("\n");
    console.log(report);

    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = results.at.replace(/[:.]/g, "-");
    writeFileSync(join(RESULTS_DIR, `bench-${stamp}.json`), JSON.stringify(results, null, 2));
    writeFileSync(join(RESULTS_DIR, "latest.json"), JSON.stringify(results, null, 2));
    writeFileSync(join(RESULTS_DIR, "latest.txt"), `${report}\n`);
    log(`results written to bench/results/bench-${stamp}.json (and latest.json, latest.txt)`);
  } catch (error) {
    console.error(app.output().slice(-5000));
    if (embedded) console.error(embedded.app.output().slice(-5000));
    throw error;
  } finally {
    await embedded?.stop();
    await referenceApp?.stop();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
