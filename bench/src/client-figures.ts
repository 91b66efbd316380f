/**
 * The browser side of the bench: JavaScript each page ships (from the build's manifests), time to
 * the first preview frame, and join speed in a real call; with the targets set against LiveKit
 * Meet. Meet's figures were measured by the issue's author on a machine like this one (Meet cannot
 * be built here): its room page ships 350,002 B of JavaScript (gzip) and shows the first preview
 * frame 661 ms after navigation.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { LIVEKIT_SERVER_VERSION, liveKitServerBinary } from "@parlor/api/testing/livekit-server";

import { buildId } from "./build";
import { routeBundle, type RouteBundle } from "./bundle";
import { joinSpeed, type JoinSpeedResult } from "./join-speed";
import { RESULTS_DIR } from "./paths";
import { timeToPreview, type PreviewResult } from "./preview";
import { seedJoinFixture } from "./seed";
import { startStack } from "./stack";

export const MEET = { roomPageGzipBytes: 350_002, timeToPreviewMs: 661 } as const;

/** The room page ships at most 0.65 × Meet's; the first preview frame comes at most 0.8 × Meet's. */
export const TARGETS = {
  roomPageRatio: 0.65,
  roomPageGzipBytes: Math.round(0.65 * MEET.roomPageGzipBytes),
  timeToPreviewRatio: 0.8,
  timeToPreviewMs: Math.round(0.8 * MEET.timeToPreviewMs),
} as const;

export const ROOM_ROUTE = "/t/[team]/[room]";

/** The routes the report lists: the room page (with its target), the guest's room page, the team page. */
export function routeBundles(): RouteBundle[] {
  return [
    routeBundle(ROOM_ROUTE, "(app)/t/[team]/[room]"),
    routeBundle("/g/[token]", "g/[token]"),
    routeBundle("/t/[team]", "(app)/t/[team]"),
  ];
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ratio = (value: number) => (Math.round(value * 100) / 100).toFixed(2);

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join(
    "\n",
  );
}

export function bundleReport(bundles: RouteBundle[]): string {
  const room = bundles.find((b) => b.route === ROOM_ROUTE);
  const lines = [
    table(
      ["JavaScript shipped (initial load)", "files", "raw", "gzip", "÷ Meet's room page", "target"],
      bundles.map((b) => [
        b.route,
        b.files,
        kb(b.rawBytes),
        kb(b.gzipBytes),
        ratio(b.gzipBytes / MEET.roomPageGzipBytes),
        b.route === ROOM_ROUTE
          ? `≤ ${TARGETS.roomPageRatio} (${TARGETS.roomPageGzipBytes.toLocaleString("en")} B)`
          : room && b.route === "/g/[token]"
            ? "≤ the room page"
            : "",
      ]),
    ),
  ];
  if (room)
    lines.push(
      `  room page: ${room.gzipBytes.toLocaleString("en")} B gzip, ${ratio(room.gzipBytes / MEET.roomPageGzipBytes)} × Meet's ${MEET.roomPageGzipBytes.toLocaleString("en")} B (target ≤ ${TARGETS.roomPageRatio}): ${room.gzipBytes <= TARGETS.roomPageGzipBytes ? "met" : "MISSED"}`,
    );
  return lines.join("\n");
}

export function previewReport(preview: PreviewResult): string {
  const lines = [
    `Time to preview (navigation start → first camera frame in the pre-join): median ${preview.medianMs} ms over ${preview.runs.length} runs (${preview.runs.map((r) => r.ms).join(", ")} ms); ` +
      `JS fetched before the first frame: ${kb(preview.runs[0]?.jsGzipBytes ?? 0)} gzip in ${preview.runs[0]?.jsFiles} files; tRPC calls: ${preview.runs[0]?.trpcCalls.join(", ")}`,
    `  ÷ Meet's ${MEET.timeToPreviewMs} ms: ${ratio(preview.medianMs / MEET.timeToPreviewMs)} (target ≤ ${TARGETS.timeToPreviewRatio}, ${TARGETS.timeToPreviewMs} ms): ${preview.medianMs <= TARGETS.timeToPreviewMs ? "met" : "MISSED"}`,
  ];
  if (preview.consoleErrors.length)
    lines.push(`  console errors: ${preview.consoleErrors.slice(0, 5).join(" | ")}`);
  return lines.join("\n");
}

export function joinSpeedReport(joins: JoinSpeedResult | null): string {
  if (!joins) return "Join speed in a real call: not measured (no livekit-server binary)";
  const lines = [
    `Join speed in a real call (livekit-server ${LIVEKIT_SERVER_VERSION} on loopback, a host in the room, ${joins.runs.length} joins, each from a fresh browser context)`,
    table(
      ["from → to", "median ms", "p95 ms", "min ms", "max ms"],
      (
        [
          ["navigation → first preview frame", joins.preview],
          ["click on Join → connected", joins.clickToConnected],
          ["click on Join → first frame of the host's video", joins.clickToRemoteFrame],
        ] as const
      ).map(([name, s]) => [name, s.medianMs, s.p95Ms, s.minMs, s.maxMs]),
    ),
    `  runs (preview / connected / host's frame, ms): ${joins.runs.map((r) => `${r.previewMs}/${r.connectedMs}/${r.remoteFrameMs}`).join(", ")}`,
  ];
  if (joins.consoleErrors.length)
    lines.push(`  console errors: ${joins.consoleErrors.slice(0, 5).join(" | ")}`);
  return lines.join("\n");
}

const CLIENT_PARTS = ["bundle", "preview", "join-speed"] as const;

/**
 * `pnpm bench --only=…`: the browser-side parts alone (no load rows), printed and written to
 * bench/results/client-<time>.json and latest-client.txt (the full run's latest.* stay as they are).
 */
export async function runClientParts(
  parts: string[],
  options: { previewRuns: number; joins: number; log: (line: string) => void },
): Promise<void> {
  const unknown = parts.filter((part) => !(CLIENT_PARTS as readonly string[]).includes(part));
  if (unknown.length)
    throw new Error(`--only: unknown part ${unknown.join(", ")} (parts: ${CLIENT_PARTS.join(", ")})`);
  const { log } = options;
  const results: {
    at: string;
    buildId: string | null;
    bundles?: RouteBundle[];
    preview?: PreviewResult;
    joins?: JoinSpeedResult | null;
  } = { at: new Date().toISOString(), buildId: buildId() };
  const out = [`Parlor bench (${parts.join(", ")}) — ${results.at} — build ${results.buildId}`];

  if (parts.includes("bundle")) {
    results.bundles = routeBundles();
    out.push("", bundleReport(results.bundles));
  }
  if (parts.includes("preview")) {
    const stack = await startStack({ backgroundJobs: false });
    try {
      const fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 1, perTeam: 2 });
      const joiner = fixture.joiners[0]!;
      log(`time to preview: ${options.previewRuns} runs in headless Chromium with a fake camera`);
      results.preview = await timeToPreview(
        stack.app.url,
        joiner.session.cookie,
        `/t/${joiner.teamSlug}/${joiner.roomSlug}`,
        { runs: options.previewRuns },
      );
      out.push("", previewReport(results.preview));
    } finally {
      await stack.stop();
    }
  }
  if (parts.includes("join-speed")) {
    const server = liveKitServerBinary();
    if ("path" in server) {
      log(`join speed: ${options.joins} joins of a real call (real livekit-server, two Chromium processes)`);
      results.joins = await joinSpeed({ runs: options.joins, log });
    } else {
      log(`join speed NOT measured: ${server.missing}`);
      results.joins = null;
    }
    out.push("", joinSpeedReport(results.joins));
  }

  const report = out.join("\n");
  console.log(report);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = results.at.replace(/[:.]/g, "-");
  writeFileSync(join(RESULTS_DIR, `client-${stamp}.json`), JSON.stringify(results, null, 2));
  writeFileSync(join(RESULTS_DIR, "latest-client.txt"), `${report}\n`);
  log(`results written to bench/results/client-${stamp}.json (and latest-client.txt)`);
}
