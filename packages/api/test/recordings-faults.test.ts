/**
 * Recording when things break, on the real LiveKit server: the recorder's encoder killed, its
 * connection to the call cut, LiveKit restarted, the storage unreachable or full. What was
 * recorded stays playable and is listed with its real length, recording goes on as the next part
 * (or the moderators are told, with the way to start again), the call itself is unaffected, and
 * nothing half-written is listed as complete.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { RoomServiceClient } from "livekit-server-sdk";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { RECORDER_IDENTITY_PREFIX } from "../src/recordings/identity";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import { endRealCalls } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { COLOURS, publishMeeting, type Publisher } from "./publishing-participant";
import { startWebhookReceiver } from "./webhook-receiver";

const run = promisify(execFile);
const binary = liveKitServerForSuite("The recording faults suite");

type Person = TestClient & { user: { id: string } };

/** A small filesystem needs mounting (root in a container that allows it); said plainly otherwise. */
function canMountTmpfs(): boolean {
  const probe = join(tmpdir(), `parlor-mount-probe-${process.pid}`);
  spawnSync("mkdir", ["-p", probe]);
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]).status === 0;
  if (mounted) spawnSync("umount", [probe]);
  spawnSync("rmdir", [probe]);
  if (!mounted) {
    console.warn(
      "\n⚠ The full-storage recording test did NOT run (skipped): it mounts a small tmpfs, which needs root.\n",
    );
  }
  return mounted;
}
const mountable = canMountTmpfs();

describe.skipIf(!binary)(`recording faults (${testDriver()}, real LiveKit)`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dir: string;
  let owner: Person;
  let member: Person;
  let teamSlug: string;
  const publishers: Publisher[] = [];
  const mounts: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parlor-recording-faults-"));
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({
      binary,
      webhookUrls: [webhooks.url],
      room: { departureTimeoutSeconds: 1 },
    });
    app = await startTestAppOnLiveKit(livekit, {
      env: { RECORDINGS_DIR: dir, RECORDING_RESOLUTION: "640x360", RECORDING_MAX_CONCURRENT: "1" },
    });
    [owner, member] = await Promise.all([app.signUp("Olivia Owner"), app.signUp("Max Member")]);
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Faults" })).slug;
    await app.addToTeam(owner, teamSlug, [[member, "member"]]);
  });

  // Each case starts from no recording running (a resumed part would hold the one slot).
  afterEach(async () => {
    await app.services.recorder.stopAll();
  });

  afterAll(async () => {
    await app?.services.recorder.stopAll();
    await endRealCalls(publishers, app, livekit, webhooks);
    for (const mount of mounts) spawnSync("umount", [mount]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function meeting(roomSlug: string) {
    const room = { teamSlug, roomSlug };
    await publishMeeting(
      room,
      [
        [owner, COLOURS.red],
        [member, COLOURS.green],
      ],
      publishers,
    );
    const [row] = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, roomSlug));
    return { room, roomId: row!.id, livekitRoomName: row!.livekitRoomName };
  }

  const parts = (roomId: string) =>
    app.services.db
      .select()
      .from(schema.recordings)
      .where(eq(schema.recordings.roomId, roomId))
      .orderBy(asc(schema.recordings.part), asc(schema.recordings.createdAt));

  /** Waits until the recording writes, then for `ms` more; returns when it began writing. */
  async function recordingFor(roomId: string, part: number, ms: number) {
    const row = await eventually(async () => {
      const current = (await parts(roomId)).find((p) => p.part === part);
      expect(current?.state).toBe("recording");
      return current!;
    }, 90_000);
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { row, since };
  }

  /** The part once it has ended, with what ffprobe says of its file. */
  async function endedPart(roomId: string, part: number) {
    const row = await eventually(async () => {
      const ended = (await parts(roomId)).find((p) => p.part === part);
      expect(ended?.state).toMatch(/complete|failed/);
      return ended!;
    }, 90_000);
    return row;
  }

  async function probedSeconds(storageKey: string) {
    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "format=duration",
      "-of",
      "csv=p=0",
      join(dir, storageKey),
    ]);
    return Number(stdout.trim());
  }

  /** The pid of the ffmpeg this test's recorder runs for a file (found by its command line). */
  async function encoderPid(storageKey: string): Promise<number> {
    const target = join(dir, storageKey);
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
      if (cmdline.split("\0").includes(target) && cmdline.includes("ffmpeg")) return Number(entry);
    }
    throw new Error(`no ffmpeg writes ${target}`);
  }

  it("keeps what was recorded when the encoder is killed or the recorder is cut off, and goes on as the next part", async () => {
    const { room, roomId, livekitRoomName } = await meeting("crashes");
    await owner.trpc.recording.start.mutate(room);

    // Part 1: the encoder (ffmpeg) killed after about 6 s.
    const first = await recordingFor(roomId, 1, 6_000);
    process.kill(await eventually(() => encoderPid(first.row.storageKey)), "SIGKILL");
    const killedAfterMs = Date.now() - first.since;
    const part1 = await endedPart(roomId, 1);
    expect(part1).toMatchObject({ state: "complete", error: expect.stringMatching(/encoder.*kept/) });
    // Its real length: what the file plays (the unfinished last fragment is lost, no more).
    const seconds1 = await probedSeconds(part1.storageKey);
    expect(Math.abs(part1.durationMs! / 1000 - seconds1)).toBeLessThanOrEqual(0.5);
    expect(seconds1).toBeGreaterThan(2);
    expect(seconds1).toBeLessThanOrEqual(killedAfterMs / 1000 + 1);
    // Members can play it.
    const listed = await member.trpc.recording.list.query(room);
    expect(listed.recordings.find((r) => r.id === part1.id)?.url).toBe(`/api/recordings/${part1.id}`);

    // Part 2 starts by itself and is then cut off from the call (as a crash of its connection).
    const second = await recordingFor(roomId, 2, 5_000);
    expect(second.row).toMatchObject({ startedBy: owner.user.id, state: "recording" });
    const rooms = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);
    await rooms.removeParticipant(livekitRoomName, `${RECORDER_IDENTITY_PREFIX}${second.row.id}`);
    const part2 = await endedPart(roomId, 2);
    expect(part2).toMatchObject({ state: "complete", error: expect.stringMatching(/lost its connection/) });
    expect(Math.abs(part2.durationMs! / 1000 - (await probedSeconds(part2.storageKey)))).toBeLessThanOrEqual(
      0.5,
    );

    // Part 3 picks up; a moderator's stop ends it normally.
    await recordingFor(roomId, 3, 3_000);
    const stopped = await owner.trpc.recording.stop.mutate(room);
    expect(stopped).toMatchObject({ part: 3, state: "complete", error: null });
    const list = await owner.trpc.recording.list.query(room);
    expect(list).toMatchObject({ active: null, interruption: null });
    // The call went on throughout.
    expect(
      (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "crashes")?.participants,
    ).toHaveLength(2);
  }, 420_000);

  it("keeps what was recorded when LiveKit restarts, and goes on as the next part once people are back", async () => {
    const { room, roomId } = await meeting("restarts");
    await owner.trpc.recording.start.mutate(room);
    await recordingFor(roomId, 1, 6_000);
    await livekit.restart();

    const part1 = await endedPart(roomId, 1);
    expect(part1.state).toBe("complete");
    const seconds = await probedSeconds(part1.storageKey);
    expect(seconds).toBeGreaterThan(2);
    expect(Math.abs(part1.durationMs! / 1000 - seconds)).toBeLessThanOrEqual(0.5);
    // The people's SDKs reconnect to the restarted server, and recording picks up as part 2.
    await recordingFor(roomId, 2, 3_000);
    const stopped = await owner.trpc.recording.stop.mutate(room);
    expect(stopped).toMatchObject({ part: 2, state: "complete", error: null });
    expect(await owner.trpc.recording.list.query(room)).toMatchObject({ active: null, interruption: null });
  }, 420_000);

  it("tells the moderators, with the way to start again, when recording cannot be resumed", async () => {
    const { room, roomId } = await meeting("gone");
    await owner.trpc.recording.start.mutate(room);
    await recordingFor(roomId, 1, 4_000);
    // LiveKit goes away and stays away past the recorder's attempts to resume (about a minute).
    await livekit.kill();
    try {
      const part1 = await endedPart(roomId, 1);
      expect(part1.state).toBe("complete");
      const told = await eventually(async () => {
        const list = await owner.trpc.recording.list.query(room);
        expect(list.interruption).toMatchObject({
          recordingId: part1.id,
          message: expect.stringMatching(/could not reach LiveKit.*Start recording again/),
        });
        return list;
      }, 180_000);
      expect(told.active).toBeNull();
      expect(await parts(roomId)).toHaveLength(1);
    } finally {
      await livekit.restart();
    }
  }, 360_000);

  it("refuses to start with a clear message when the storage cannot be written, and the call goes on", async () => {
    const { room, roomId } = await meeting("unwritable");
    // The room's folder in the storage is a file: nothing can be written under it.
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, roomId), "not a folder");
    const refused = await errorOf(owner.trpc.recording.start.mutate(room));
    expect(refused).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(refused.message).toMatch(/recordings storage.*full or unreachable.*call is not affected/);
    expect(await parts(roomId)).toEqual([]);
    expect(await owner.trpc.recording.list.query(room)).toMatchObject({ recordings: [], active: null });
    expect(
      (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "unwritable")?.participants,
    ).toHaveLength(2);
    await rm(join(dir, roomId));
  }, 240_000);

  it.skipIf(!mountable)(
    "stops with a clear message when the storage fills up, listing nothing half-written as complete",
    async () => {
      const { room, roomId } = await meeting("fills-up");
      // The room's folder is a 160 kB filesystem: a few seconds of sound fill it.
      const folder = join(dir, roomId);
      await mkdir(folder, { recursive: true });
      expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=160k", "tmpfs", folder]).status).toBe(0);
      mounts.push(folder);
      await owner.trpc.recording.start.mutate(room);

      const part = await endedPart(roomId, 1);
      expect(part).toMatchObject({ state: "failed", sizeBytes: null, durationMs: null });
      expect(part.error).toMatch(/could not write to its recordings storage.*full or unreachable/);
      // Nothing of it is left to be mistaken for a recording, and it is not offered for playing.
      expect(await readdir(folder)).toEqual([]);
      const list = await owner.trpc.recording.list.query(room);
      expect(list.recordings[0]).toMatchObject({ id: part.id, state: "failed", url: null });
      expect(list.interruption?.message).toMatch(/recordings storage/);
      // No new part was tried against the full storage, and the call goes on.
      expect(await parts(roomId)).toHaveLength(1);
      expect(
        (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "fills-up")?.participants,
      ).toHaveLength(2);
    },
    300_000,
  );
});
