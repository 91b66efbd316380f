/**
 * `pnpm bench:meet <folder of a built LiveKit Meet>`: Parlor side by side with LiveKit's Meet
 * example (https://github.com/livekit-examples/meet), on the same machine at the same time.
 * Bring your own production build of Meet (its repository, `pnpm install && pnpm build`, outside
 * this one); this repository holds no part of it. The bench starts
 *
 *   - one real livekit-server (the pinned binary; webhooks to Parlor),
 *   - Parlor's production build on a throw-away Postgres database (built first when stale),
 *   - Meet's build with `next start` in its folder, LIVEKIT_URL/_API_KEY/_API_SECRET naming the same server,
 *
 * and measures both in alternating rounds, each on the page's own clock in headless Chromium with
 * a fake camera: the JavaScript the room page downloads (until its load event, and until the
 * network is idle on the pre-join), then, with a host already in each app's room publishing the
 * fake camera, `--rounds=<n>` (5) fresh joiners per app and way of joining, who look at the
 * pre-join for 3 s after the first preview frame or press Join the moment it is enabled: navigation
 * → first preview frame, click → connected (Parlor's mark; Meet has none) and click → the first
 * frame of the host's video. Last, with the browsers closed, each token route under load:
 * Parlor's `room.connectionDetails` (session, membership, ban, room options, token) and Meet's
 * `/api/connection-details`, 10 connections × `--duration=<s>` (10) s, `--load-rounds=<n>` (3)
 * alternating rounds after a 2 s warm-up each.
 *
 * Prints one table (both figures, Parlor ÷ Meet and the issue's goal) and the rounds behind it,
 * and writes bench/results/meet-<time>.json and latest-meet.txt.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import {
  LIVEKIT_SERVER_VERSION,
  liveKitServerBinary,
  startLiveKitServer,
  type LiveKitServer,
} from "@parlor/api/testing/livekit-server";
import { RoomServiceClient, TrackSource } from "livekit-server-sdk";
import type { Browser } from "playwright-core";

import { startApp, type RunningApp } from "./app";
import { launchChromium } from "./browser";
import { buildId, ensureBuild } from "./build";
import { table } from "./client-figures";
import { createThrowawayDatabase } from "./databases";
import { parlorCallApp, seatHost, seedCallRoom, timeJoin, type CallApp, type TimedJoin } from "./join-speed";
import { percentile, runLoad, type LoadResult } from "./load";
import { freePort, waitFor } from "./net";
import { pageJavaScript, type PageJavaScript } from "./page-bytes";
import { MAIN_DATABASE_URL, RESULTS_DIR } from "./paths";
import { connectionDetailsOnly, reference } from "./scenarios";

const MEET_TOKEN_PATH = "/api/connection-details";

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const flag = (name: string, fallback: number) =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const ROUNDS = flag("rounds", 5);
const LOAD_ROUNDS = flag("load-rounds", 3);
const DURATION = flag("duration", 10);
const LOOK_MS = 3_000;
/** `--token-route-only`: the token route's row alone (no browsers), e.g. while working on it. */
const TOKEN_ROUTE_ONLY = process.argv.includes("--token-route-only");
const log = (line: string) => console.error(`[bench:meet] ${line}`);

/** Meet's room page: LiveKit's PreJoin (a name to type, then "Join Room") and VideoConference. */
function meetCallApp(baseUrl: string, roomName: string): CallApp {
  const join = "button.lk-join-button";
  return {
    label: "Meet",
    page: {
      preview: ".lk-prejoin",
      joinButton: join,
      remoteCamera: '[data-lk-local-participant="false"][data-lk-source="camera"]',
    },
    async visit(browser) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
      return { context, url: `${baseUrl}/rooms/${roomName}` };
    },
    async beforeJoin(page, who) {
      // Typed before hydration, a name would not reach React's state: type it again (cleared first,
      // for React to see a change) until Join is enabled.
      const name = who === "host" ? "Host" : "Joiner";
      const field = page.locator("#username");
      await waitFor(
        "Meet's Join button to be enabled after typing a name",
        async () => {
          await field.fill("", { timeout: 60_000 });
          await field.fill(name, { timeout: 60_000 });
          const enabled = await page
            .waitForFunction(
              (selector) => !(document.querySelector(selector) as HTMLButtonElement | null)?.disabled,
              join,
              { timeout: 500, polling: 20 },
            )
            .then(() => true as const)
            .catch(() => undefined);
          return enabled;
        },
        60_000,
        0,
      );
    },
    async leave(page) {
      await page.locator(".lk-disconnect-button").click();
      await page.waitForURL(`${baseUrl}/`, { timeout: 30_000 });
    },
  };
}

/** Round by round, the two apps in turn: Parlor first in even rounds, Meet first in odd ones. */
const inTurn = (sides: [Side, Side], round: number) =>
  round % 2 === 0 ? sides : ([sides[1], sides[0]] as const);

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

interface Side {
  label: "Parlor" | "Meet";
  call: CallApp;
  /** LiveKit's name of the room the host sits in. */
  roomName: string;
  app: RunningApp;
  javascript?: PageJavaScript;
  looked: TimedJoin[];
  asap: TimedJoin[];
  /** Joins that never reached the host's video (each with its screenshot), left out of the medians. */
  failures: string[];
  load: LoadResult[];
}

async function waitForPublishedCamera(rooms: RoomServiceClient, roomName: string, who: string) {
  await waitFor(
    `${who}'s camera published in ${roomName}`,
    async () => {
      const participants = await rooms.listParticipants(roomName);
      return participants.some((p) => p.tracks.some((t) => t.source === TrackSource.CAMERA)) || undefined;
    },
    60_000,
    200,
  );
}

function report(sides: [Side, Side], at: string): string {
  const [parlor, meet] = sides;
  const ms = (value: number) => `${Math.round(value).toLocaleString("en")} ms`;
  const bytes = (value: number) => `${value.toLocaleString("en")} B`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const judged = (met: boolean) => (met ? "met" : "MISSED");
  const remote = (side: Side, runs: "looked" | "asap") => median(side[runs].map((r) => r.remoteFrameMs));
  const of = (side: Side, runs: "looked" | "asap") =>
    side[runs].length < ROUNDS ? ` (${side[runs].length} of ${ROUNDS})` : "";
  const preview = (side: Side) => median(side.looked.map((r) => r.previewMs!));
  const connected = (runs: TimedJoin[]) => median(runs.map((r) => r.connectedMs!));
  const throughput = (side: Side) => median(side.load.map((r) => r.requestsPerSecond));
  const rows: string[][] = [];
  const row = (
    measure: string,
    a: number,
    b: number,
    format: (v: number) => string,
    goal: number,
    higherIsBetter = false,
    notes: [string, string] = ["", ""],
  ) =>
    rows.push([
      measure,
      format(a) + notes[0],
      format(b) + notes[1],
      ratio(a, b),
      `${higherIsBetter ? "≥" : "≤"} ${goal.toFixed(1)}×`,
      judged(higherIsBetter ? a / b >= goal : a / b <= goal),
    ]);
  const inBrowsers = parlor.javascript !== undefined;
  if (inBrowsers) {
    row(
      `click on Join → first frame of the host's video, pre-join looked at 3 s (median of ${ROUNDS})`,
      remote(parlor, "looked"),
      remote(meet, "looked"),
      ms,
      0.8,
      false,
      [of(parlor, "looked"), of(meet, "looked")],
    );
    row(
      `click on Join → first frame of the host's video, Join pressed when enabled (median of ${ROUNDS})`,
      remote(parlor, "asap"),
      remote(meet, "asap"),
      ms,
      0.8,
      false,
      [of(parlor, "asap"), of(meet, "asap")],
    );
    const parlorConnected = connected(parlor.looked);
    rows.push([
      `click on Join → connected (looked 3 s; pressed when enabled)`,
      `${ms(parlorConnected)}; ${ms(connected(parlor.asap))}`,
      "no such mark",
      "",
      "≤ 500 ms",
      judged(parlorConnected <= 500 && connected(parlor.asap) <= 500),
    ]);
    row(
      "JavaScript until the room page's load event (gzip)",
      parlor.javascript!.untilLoad.bytes,
      meet.javascript!.untilLoad.bytes,
      bytes,
      0.6,
    );
    row(
      "JavaScript until the network is idle on the pre-join (gzip)",
      parlor.javascript!.untilIdle.bytes,
      meet.javascript!.untilIdle.bytes,
      bytes,
      1.0,
    );
    row(
      `navigation → first camera-preview frame (median of ${ROUNDS})`,
      preview(parlor),
      preview(meet),
      ms,
      0.7,
    );
  }
  row(
    `token route, Postgres, 10 connections × ${DURATION} s (median of ${LOAD_ROUNDS})`,
    throughput(parlor),
    throughput(meet),
    (v) => `${Math.round(v).toLocaleString("en")} req/s`,
    1.0,
    true,
  );
  const load = (side: Side) =>
    `token route ${side.load.map((r) => r.requestsPerSecond).join(", ")} req/s (p50 ${side.load.map((r) => r.p50Ms).join(", ")} ms)`;
  const rounds = (side: Side) =>
    !inBrowsers
      ? `  ${side.label}: ${load(side)}`
      : [
          `  ${side.label}: host's first frame, looked 3 s: ${side.looked.map((r) => r.remoteFrameMs).join(", ")} ms; pressed when enabled: ${side.asap.map((r) => r.remoteFrameMs).join(", ")} ms`,
          `  ${side.label}: first preview frame: ${side.looked.map((r) => r.previewMs).join(", ")} ms` +
            (side.call.page.connected
              ? `; connected, looked 3 s: ${side.looked.map((r) => r.connectedMs).join(", ")} ms; pressed when enabled: ${side.asap.map((r) => r.connectedMs).join(", ")} ms`
              : ""),
          `  ${side.label}: JavaScript ${side.javascript!.untilLoad.files} files until load, ${side.javascript!.untilIdle.files} until idle; ${load(side)}`,
          `  ${side.label}: largest scripts (gzip B; * after the load event): ${side
            .javascript!.scripts.slice(0, 8)
            .map(
              (script) =>
                `${script.file} ${script.bytes.toLocaleString("en")}${script.beforeLoad ? "" : "*"}`,
            )
            .join(", ")}`,
          ...side.failures.map((failure) => `  ${side.label}: a join FAILED, ${failure}`),
        ].join("\n");
  return [
    `Parlor beside LiveKit Meet — ${at} — Parlor build ${buildId()}, livekit-server ${LIVEKIT_SERVER_VERSION} on loopback, alternating rounds`,
    table(["measure", "Parlor", "Meet", "ratio", "goal", ""], rows),
    ...(inBrowsers ? [whereTheTimeGoes(sides), whereThePreviewTimeGoes(sides)] : []),
    "Rounds:",
    rounds(parlor),
    rounds(meet),
  ].join("\n");
}

/** One step's median over some joins, for the tables below ("–" when no join reached it). */
function medianCell(joins: TimedJoin[], step: (join: TimedJoin) => number | undefined): string {
  const values = joins.map(step).filter((v): v is number => v !== undefined);
  return values.length === 0 ? "–" : `${Math.round(median(values)).toLocaleString("en")}`;
}

/**
 * The join's steps after the click (join-speed.ts joinProbe), medians in ms from the click, so a
 * row that is missed says where: the app's own work before it opens LiveKit's signal socket (Meet
 * fetches its token there), the server's join, ICE and DTLS, the other person's track and frame.
 */
function whereTheTimeGoes(sides: [Side, Side]): string {
  const steps: [string, (join: TimedJoin) => number | undefined][] = [
    ["main thread busy (long tasks) before the signal socket", (j) => j.steps.busyBeforeSocket],
    ["signal socket opened (the app called connect)", (j) => j.steps.socket],
    ["signal socket open", (j) => j.steps.socketOpen],
    ["first peer connection (the server's join answer is in)", (j) => j.steps.peerConnection],
    ["a peer connection connected (ICE, DTLS)", (j) => j.steps.peerConnected],
    ["the host's video track arrives", (j) => j.steps.remoteTrack],
    ["the host's first video frame", (j) => j.remoteFrameMs],
  ];
  const rows = steps.map(([label, step]) => [
    label,
    ...sides.flatMap((side) => [medianCell(side.looked, step), medianCell(side.asap, step)]),
  ]);
  return [
    "Where the time goes after the click (medians, ms from the click; looked 3 s / pressed when enabled):",
    table(["step", "Parlor looked", "Parlor asap", "Meet looked", "Meet asap"], rows),
  ].join("\n");
}

/**
 * The preview's steps (join-speed.ts joinProbe), medians in ms from navigation start over the
 * rounds that looked at the pre-join: the server's answer, the page's code, the camera's request
 * and answer, then its first frame on screen.
 */
function whereThePreviewTimeGoes(sides: [Side, Side]): string {
  const steps: [string, (join: TimedJoin) => number | undefined][] = [
    ["the page's HTML: first byte", (j) => j.previewSteps.firstByte],
    ["the camera asked for (getUserMedia)", (j) => j.previewSteps.cameraAsked],
    ["the camera's answer", (j) => j.previewSteps.cameraAnswered],
    ["the HTML parsed (DOMContentLoaded)", (j) => j.previewSteps.domContentLoaded],
    ["the preview's first frame", (j) => j.previewMs],
  ];
  const rows = steps.map(([label, step]) => [label, ...sides.map((side) => medianCell(side.looked, step))]);
  return [
    "Where the time goes before the preview's first frame (medians, ms from navigation start; looked 3 s):",
    table(["step", "Parlor", "Meet"], rows),
  ].join("\n");
}

/** The browser rows: JavaScript, then joins with a host in each room, alternating. */
async function measureInBrowsers(sides: [Side, Side], livekit: LiveKitServer, consoleErrors: string[]) {
  const browsers: Browser[] = [];
  try {
    const hostBrowser = await launchChromium();
    browsers.push(hostBrowser);
    const joinerBrowser = await launchChromium();
    browsers.push(joinerBrowser);

    for (const side of sides) {
      side.javascript = await pageJavaScript((browser) => side.call.visit(browser, "joiner"), joinerBrowser);
      log(
        `${side.label}: ${side.javascript.untilLoad.bytes} B of JavaScript until load, ${side.javascript.untilIdle.bytes} B until idle`,
      );
    }

    const rooms = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);
    for (const side of sides) {
      await seatHost(side.call, hostBrowser);
      await waitForPublishedCamera(rooms, side.roomName, `${side.label}'s host`);
      log(`${side.label}: host in ${side.roomName}, camera published`);
      // One unmeasured join: the first render of each route is not what a person meets.
      await timeJoin(side.call, joinerBrowser, { lookMs: "asap" });
    }
    // A join that fails is reported and left out; the other rounds go on.
    const attempt = async (side: Side, round: number, lookMs: number | "asap") => {
      try {
        const timed = await timeJoin(side.call, joinerBrowser, { lookMs, consoleErrors });
        (lookMs === "asap" ? side.asap : side.looked).push(timed);
        log(
          `round ${round + 1}: ${side.label} ${lookMs === "asap" ? "pressed when enabled" : "looked 3 s"}: preview ${timed.previewMs ?? "–"} ms, host's frame ${timed.remoteFrameMs} ms after the click`,
        );
      } catch (error) {
        side.failures.push(
          `round ${round + 1} (${lookMs === "asap" ? "pressed when enabled" : "looked 3 s"}): ${(error as Error).message.split("\n")[0]}`,
        );
        log(`round ${round + 1}: ${side.label} FAILED: ${(error as Error).message.split("\n")[0]}`);
      }
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of inTurn(sides, round)) await attempt(side, round, LOOK_MS);
      for (const side of inTurn(sides, round + 1)) await attempt(side, round, "asap");
    }
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
  }
}

async function main() {
  const given = positional[0];
  if (!given)
    throw new Error(
      "usage: pnpm bench:meet <folder of a built LiveKit Meet> [--rounds=5] [--load-rounds=3] [--duration=10]",
    );
  // pnpm runs the script in bench/; a relative folder is meant from where the command was typed.
  const meetDir = resolve(process.env.INIT_CWD ?? process.cwd(), given);
  if (!existsSync(join(meetDir, ".next", "BUILD_ID")))
    throw new Error(
      `${meetDir} holds no production build of Meet (.next/BUILD_ID): run \`pnpm build\` there first.`,
    );
  const binary = liveKitServerBinary();
  if ("missing" in binary)
    throw new Error(`The side-by-side needs the real LiveKit server. ${binary.missing}`);
  await ensureBuild({ log });

  const parlorPort = await freePort();
  const livekit = await startLiveKitServer({
    binary: binary.path,
    webhookUrls: [`http://127.0.0.1:${parlorPort}/api/livekit/webhook`],
  });
  const keys = { wsUrl: livekit.wsUrl, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret };
  const database = await createThrowawayDatabase(MAIN_DATABASE_URL);
  const apps: RunningApp[] = [];
  try {
    const parlorApp = await startApp({
      port: parlorPort,
      databaseUrl: database.url,
      livekit: keys,
      backgroundJobs: true,
    });
    apps.push(parlorApp);
    const meetApp = await startApp({
      appDir: meetDir,
      readyPath: `${MEET_TOKEN_PATH}?roomName=ready&participantName=ready`,
      databaseUrl: "",
      livekit: keys,
    });
    apps.push(meetApp);
    log(`Parlor at ${parlorApp.url}, Meet at ${meetApp.url}, livekit-server at ${livekit.wsUrl}`);

    const seeded = await seedCallRoom(parlorApp.url, { joiners: 10 });
    const meetRoom = `bench-${Date.now().toString(36)}`;
    const sides: [Side, Side] = [
      {
        label: "Parlor",
        call: parlorCallApp(parlorApp.url, seeded),
        roomName: seeded.roomName,
        app: parlorApp,
        looked: [],
        asap: [],
        failures: [],
        load: [],
      },
      {
        label: "Meet",
        call: meetCallApp(meetApp.url, meetRoom),
        roomName: meetRoom,
        app: meetApp,
        looked: [],
        asap: [],
        failures: [],
        load: [],
      },
    ];

    const consoleErrors: string[] = [];
    if (!TOKEN_ROUTE_ONLY) await measureInBrowsers(sides, livekit, consoleErrors);

    const sequences = {
      Parlor: (i: number) =>
        connectionDetailsOnly(seeded.joiners[i % seeded.joiners.length]!, parlorApp.origin),
      Meet: (i: number) => reference(seeded.joiners[i % seeded.joiners.length]!, MEET_TOKEN_PATH),
    };
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      for (const side of inTurn(sides, round)) {
        const run = (durationSeconds: number) =>
          runLoad({
            name: `${side.label} token route`,
            baseUrl: side.app.url,
            connections: 10,
            durationSeconds,
            sequenceFor: sequences[side.label],
          });
        await run(2);
        const result = await run(DURATION);
        if (result.errors)
          throw new Error(
            `${side.label}'s token route answered ${result.errors} errors: ${JSON.stringify(result.statuses)}`,
          );
        side.load.push(result);
        log(`round ${round + 1}: ${side.label} token route ${result.requestsPerSecond} req/s`);
      }
    }

    const at = new Date().toISOString();
    const text = report(sides, at);
    console.log(text);
    if (consoleErrors.length)
      console.log(`Console errors: ${[...new Set(consoleErrors)].slice(0, 5).join(" | ")}`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = at.replace(/[:.]/g, "-");
    writeFileSync(
      join(RESULTS_DIR, `meet-${stamp}.json`),
      JSON.stringify(
        {
          at,
          buildId: buildId(),
          sides: sides.map(({ label, roomName, javascript, looked, asap, failures, load }) => ({
            label,
            roomName,
            javascript,
            failures,
            looked,
            asap,
            load,
          })),
        },
        null,
        2,
      ),
    );
    writeFileSync(join(RESULTS_DIR, "latest-meet.txt"), `${text}\n`);
    log(`results written to bench/results/meet-${stamp}.json (and latest-meet.txt)`);
  } catch (error) {
    for (const app of apps) console.error(app.output().slice(-2000));
    throw error;
  } finally {
    for (const app of apps) await app.stop();
    await livekit.stop();
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
