/**
 * What the embedded recorder costs (docs/performance.md, "Recording"): the pinned livekit-server on
 * loopback, Parlor's services in this process on PGlite (the recorder runs here, as it does in the
 * web app), and 3 people per room publishing a camera (320×240, 15 fps) and a tone from a separate
 * process, so their cost is not counted. For one and then three rooms recorded at once, at the
 * default 1280×720:
 *
 *   - CPU (cores): this process's CPU time over the window, less its rate with the same calls and
 *     no recording, plus the ffmpeg encoders' CPU time (from /proc), ÷ the window's length;
 *   - memory: this process's resident memory above the same baseline, plus the encoders' own;
 *   - real-time factor: seconds of recording written ÷ seconds it ran (1.00 keeps up).
 *
 * Run: `pnpm --filter @parlor/bench recorder [--seconds=30]`. Needs livekit-server (as the API tests
 * find it) and ffmpeg.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { startTestAppOnLiveKit } from "@parlor/api/testing";
import { liveKitServerBinary, startLiveKitServer } from "@parlor/api/testing/livekit-server";
import { COLOURS, joinAndPublish } from "@parlor/api/testing/publishing-participant";
import { schema } from "@parlor/db";
import { inArray } from "drizzle-orm";

interface Seat {
  url: string;
  token: string;
  colour: keyof typeof COLOURS;
}

const TICKS_PER_SECOND = 100; // Linux's USER_HZ, what /proc/<pid>/stat counts in

// The publishers' process: joins every seat, says "ready", stays until told to stop.
if (process.argv.includes("--publishers")) {
  const seats = JSON.parse(process.env.PARLOR_BENCH_SEATS ?? "[]") as Seat[];
  const publishers = await Promise.all(
    seats.map((seat) => joinAndPublish(seat.url, seat.token, COLOURS[seat.colour])),
  );
  process.stdout.write("ready\n");
  process.once("SIGTERM", () => {
    void Promise.all(publishers.map((p) => p.leave().catch(() => undefined))).then(() => process.exit(0));
  });
  setInterval(() => undefined, 60_000);
} else {
  await main();
}

async function main() {
  const seconds = Number(process.argv.find((a) => a.startsWith("--seconds="))?.split("=")[1] ?? 30);
  const binary = liveKitServerBinary();
  if (!("path" in binary)) {
    console.error(`The recorder bench needs livekit-server: ${binary.missing}`);
    process.exit(1);
  }
  const dir = await mkdtemp(join(tmpdir(), "parlor-recorder-bench-"));
  const livekit = await startLiveKitServer({ binary: binary.path, room: { departureTimeoutSeconds: 1 } });
  const app = await startTestAppOnLiveKit(livekit, {
    env: { RECORDINGS_DIR: dir, RECORDING_MAX_CONCURRENT: "3", RECORDING_RESOLUTION: "1280x720" },
  });
  const publishers: ChildProcess[] = [];
  try {
    const people = await Promise.all(["Ada", "Bea", "Cy"].map((name) => app.signUp(name)));
    const [owner] = people;
    const teamSlug = (await owner!.trpc.team.create.mutate({ name: "Bench" })).slug;
    await app.addToTeam(owner!, teamSlug, [
      [people[1]!, "member"],
      [people[2]!, "member"],
    ]);

    const rows: string[] = [];
    for (const count of [1, 3]) {
      const rooms = Array.from({ length: count }, (_, i) => ({ teamSlug, roomSlug: `bench-${count}-${i}` }));
      const seats: Seat[] = [];
      const livekitRooms: string[] = [];
      for (const room of rooms) {
        for (const [i, person] of people.entries()) {
          const { roomName } = await person.trpc.room.ensure.mutate(room);
          if (i === 0) livekitRooms.push(roomName);
          const details = await person.trpc.room.connectionDetails.query(room);
          seats.push({
            url: details.serverUrl,
            token: details.participantToken,
            colour: (["red", "green", "blue"] as const)[i]!,
          });
        }
      }
      const child = await startPublishers(seats);
      publishers.push(child);
      await until(async () => {
        const counts = await Promise.all(
          livekitRooms.map((name) => app.services.livekit.listParticipants(name)),
        );
        return counts.every((people) => people.length === 3);
      });

      // The same calls without recording: this process's own rate (presence, the SDKs' timers).
      const baseline = await window(10, []);
      const ids: string[] = [];
      for (const room of rooms) ids.push((await owner!.trpc.recording.start.mutate(room)).id);
      await until(async () => {
        const states = await app.services.db
          .select({ state: schema.recordings.state })
          .from(schema.recordings)
          .where(inArray(schema.recordings.id, ids));
        return states.every((s) => s.state === "recording");
      });
      const encoders = await encoderPids(dir);
      const measured = await window(seconds, encoders);
      for (const room of rooms) await owner!.trpc.recording.stop.mutate(room);
      const recordings = await app.services.db
        .select()
        .from(schema.recordings)
        .where(inArray(schema.recordings.id, ids));
      const factors = recordings.map((r) => r.durationMs! / (r.endedAt!.getTime() - r.startedAt!.getTime()));

      const cores =
        (measured.ownCpuSeconds -
          (baseline.ownCpuSeconds / baseline.seconds) * measured.seconds +
          measured.encoderCpuSeconds) /
        measured.seconds;
      const memoryMb = (measured.ownRssBytes - baseline.ownRssBytes + measured.encoderRssBytes) / 1e6;
      rows.push(
        `| ${count} × 3 people | ${cores.toFixed(2)} | ${(measured.encoderCpuSeconds / measured.seconds).toFixed(2)} | ${memoryMb.toFixed(0)} | ${(measured.encoderRssBytes / 1e6).toFixed(0)} | ${Math.min(...factors).toFixed(2)}–${Math.max(...factors).toFixed(2)} |`,
      );
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    console.log(
      `\nRecorder at 1280×720, 15 fps, ${seconds} s per row (${new Date().toISOString()}):\n\n` +
        "| recordings at once | CPU (cores, all) | of which ffmpeg | memory (MB, all) | of which ffmpeg | real-time factor |\n" +
        "| --- | --- | --- | --- | --- | --- |\n" +
        rows.join("\n"),
    );
  } finally {
    for (const child of publishers) if (child.exitCode === null) child.kill("SIGTERM");
    await app.services.recorder.stopAll();
    await app.close();
    await livekit.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function startPublishers(seats: Seat[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--publishers"],
    {
      env: { ...process.env, PARLOR_BENCH_SEATS: JSON.stringify(seats) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`the publishers' process ended (${code})`)));
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the calls");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The ffmpeg processes writing into the bench's folder (the recorder's children). */
async function encoderPids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes("ffmpeg") && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

async function processCpu(pid: number): Promise<{ seconds: number; rssBytes: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // utime and stime are the 12th and 13th fields after the command's name.
  return {
    seconds: (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND,
    rssBytes: rssKb * 1024,
  };
}

/** CPU and memory of this process and the encoders over `seconds`. */
async function window(seconds: number, encoders: number[]) {
  const ownBefore = process.cpuUsage();
  const encodersBefore = await Promise.all(encoders.map(processCpu));
  const started = performance.now();
  let peakRss = 0;
  let peakEncoderRss = 0;
  while (performance.now() - started < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const now = await Promise.all(encoders.map(processCpu));
    peakEncoderRss = Math.max(
      peakEncoderRss,
      now.reduce((sum, p) => sum + p.rssBytes, 0),
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownBefore);
  const encodersAfter = await Promise.all(encoders.map(processCpu));
  return {
    seconds: elapsed,
    ownCpuSeconds: (own.user + own.system) / 1e6,
    ownRssBytes: peakRss,
    encoderCpuSeconds: encodersAfter.reduce((sum, p, i) => sum + p.seconds - encodersBefore[i]!.seconds, 0),
    encoderRssBytes: peakEncoderRss,
  };
}
