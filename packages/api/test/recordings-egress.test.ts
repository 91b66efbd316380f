/**
 * Recording through LiveKit's own Egress service (RECORDER=egress) against a real Egress: Redis,
 * livekit-server on it and the `egress` binary (egress-server.ts). A participant publishes a
 * synthetic camera and a tone; Parlor asks Egress for the recording, follows it through LiveKit's
 * egress webhooks, and the file Egress wrote (into the folder it shares with Parlor) is checked
 * with ffprobe and fetched through Parlor's route. Then: a meeting that ends completes its
 * recording, and an Egress that is gone gives a clear answer and leaves no recording behind.
 */
import { mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { egressForSuite, startEgressStack, type EgressStack } from "./egress-server";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import { fetchRecording } from "./recording-file";
import { endRealCalls } from "./livekit-participant";
import { liveKitServerForSuite } from "./livekit-server";
import { loudness, probeStreams } from "./media-file";
import { COLOURS, joinAndPublish, type Publisher } from "./publishing-participant";
import { startWebhookReceiver } from "./webhook-receiver";

const SUITE = "The Egress recordings suite";
const livekitBinary = liveKitServerForSuite(SUITE);
const egressBinary = egressForSuite(SUITE);

type Person = TestClient & { user: { id: string } };

describe.skipIf(!livekitBinary || !egressBinary)(`recording through LiveKit Egress (${testDriver()})`, () => {
  let stack: EgressStack;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dir: string;
  let owner: Person;
  let admin: Person;
  let teamSlug: string;
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parlor-recordings-egress-"));
    // Egress sees the folder under another path (as a volume mounted elsewhere would be).
    const egressView = `${dir}-as-egress-sees-it`;
    await symlink(dir, egressView);
    webhooks = await startWebhookReceiver(() => app?.services);
    stack = await startEgressStack({
      egressBinary: egressBinary!,
      livekitBinary: livekitBinary!,
      livekit: { webhookUrls: [webhooks.url], room: { departureTimeoutSeconds: 1 } },
    });
    app = await startTestAppOnLiveKit(stack.livekit, {
      env: {
        RECORDER: "egress",
        RECORDINGS_DIR: dir,
        RECORDINGS_EGRESS_DIR: egressView,
        RECORDING_RESOLUTION: "640x360",
        RECORDING_MAX_CONCURRENT: "1",
        // An Egress built on Debian's GStreamer has no AAC encoder (scripts/livekit-egress.sh).
        RECORDING_EGRESS_AUDIO_CODEC: process.env.PARLOR_EGRESS_AUDIO_CODEC ?? "opus",
      },
    });
    [owner, admin] = await Promise.all([app.signUp("Olivia Owner"), app.signUp("Ada Admin")]);
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Recorded by Egress" })).slug;
    await app.addToTeam(owner, teamSlug, [[admin, "admin"]]);
  }, 180_000);

  afterAll(async () => {
    await endRealCalls(publishers, app, stack, webhooks);
    if (dir) await rm(dir, { recursive: true, force: true });
    if (dir) await rm(`${dir}-as-egress-sees-it`, { force: true });
  }, 120_000);

  async function publish(person: Person, roomSlug: string) {
    await person.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const details = await person.trpc.room.connectionDetails.query({ teamSlug, roomSlug });
    const publisher = await joinAndPublish(details.serverUrl, details.participantToken, COLOURS.red);
    publishers.push(publisher);
    await eventually(async () => {
      const rooms = await person.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === roomSlug)?.participants).toHaveLength(1);
    });
    return publisher;
  }

  const fetchFile = (person: TestClient, id: string, headers: Record<string, string> = {}) =>
    fetchRecording(app.services, person, id, headers);

  async function recordingOf(room: { teamSlug: string; roomSlug: string }, id: string) {
    const { recordings } = await owner.trpc.recording.list.query(room);
    return recordings.find((r) => r.id === id);
  }

  const rowOf = async (id: string) =>
    (await app.services.db.select().from(schema.recordings).where(eq(schema.recordings.id, id)))[0]!;

  it("records a meeting through Egress: H.264 and sound of the right length, served with ranges", async () => {
    const room = { teamSlug, roomSlug: "standup" };
    await publish(owner, "standup");
    const started = await owner.trpc.recording.start.mutate(room);
    expect(started).toMatchObject({ state: "starting", part: 1, startedByName: "Olivia Owner", url: null });
    expect((await rowOf(started.id)).egressId).toMatch(/^EG_/);
    // LiveKit's egress_updated webhook says when Egress writes.
    await eventually(
      async () => expect((await recordingOf(room, started.id))?.state).toBe("recording"),
      120_000,
    );
    const recordingSince = Date.now();
    expect(await owner.trpc.recording.status.query(room)).toMatchObject({ recording: true });

    // The instance's limit counts the recordings Egress makes too; one at a time in one room.
    expect(await errorOf(admin.trpc.recording.start.mutate(room))).toMatchObject({ code: "CONFLICT" });
    await publish(admin, "retro");
    expect(await errorOf(admin.trpc.recording.start.mutate({ teamSlug, roomSlug: "retro" }))).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringContaining("already recording 1 meeting"),
    });
    // Egress is nobody in the call: not in presence.
    const listed = (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "standup");
    expect(listed!.participants.map((p) => p.name)).toEqual(["Olivia Owner"]);

    await untilRecordedFor(recordingSince, 8_000);
    const stopped = await owner.trpc.recording.stop.mutate(room);
    const recordedMs = Date.now() - recordingSince;
    // The stop waits for Egress to finish the file.
    expect(stopped).toMatchObject({ state: "complete", error: null, url: `/api/recordings/${started.id}` });
    expect(Math.abs(stopped.durationMs! - recordedMs)).toBeLessThanOrEqual(3_000);

    const row = await rowOf(started.id);
    const file = join(dir, row.storageKey);
    expect((await stat(file)).size).toBe(stopped.sizeBytes);
    // The room's folder lets the Egress (usually another user) write, and Parlor delete.
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o777);
    const streams = await probeStreams(file);
    const video = streams.find((s) => s.codec_type === "video");
    const audio = streams.find((s) => s.codec_type === "audio");
    expect(video).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
    expect(audio?.codec_name).toMatch(/^(aac|opus)$/);
    expect(Math.abs(Number(video!.duration) - recordedMs / 1000)).toBeLessThanOrEqual(3);
    expect(Math.abs(Number(audio!.duration) - recordedMs / 1000)).toBeLessThanOrEqual(3);
    expect((await loudness(file)).maxDb).toBeGreaterThan(-40);

    // Members fetch it through Parlor, with ranges for seeking.
    const whole = await fetchFile(admin, started.id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(Number(whole.headers.get("content-length"))).toBe(stopped.sizeBytes);
    await whole.body?.cancel();
    const part = await fetchFile(admin, started.id, { range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${stopped.sizeBytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
  }, 300_000);

  it("completes the recording when the meeting ends (LiveKit ends the egress, its webhook the recording)", async () => {
    const room = { teamSlug, roomSlug: "allhands" };
    await publish(admin, "allhands");
    const started = await eventually(() => admin.trpc.recording.start.mutate(room), 60_000);
    await eventually(
      async () => expect((await recordingOf(room, started.id))?.state).toBe("recording"),
      120_000,
    );

    await owner.trpc.room.end.mutate(room);
    const ended = await eventually(async () => {
      const recording = await recordingOf(room, started.id);
      expect(recording?.state).toBe("complete");
      return recording!;
    }, 120_000);
    expect(ended.url).toBe(`/api/recordings/${started.id}`);
    expect(ended.sizeBytes).toBeGreaterThan(0);
    const streams = await probeStreams(join(dir, (await rowOf(started.id)).storageKey));
    expect(streams.find((s) => s.codec_type === "video")?.codec_name).toBe("h264");
  }, 300_000);

  it("says plainly when Egress is gone, and leaves no recording starting", async () => {
    const room = { teamSlug, roomSlug: "standup" };
    await stack.stopEgress();
    const before = await owner.trpc.recording.list.query(room);
    const refused = await errorOf(owner.trpc.recording.start.mutate(room));
    expect(refused).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(refused.message).toMatch(/recording service \(Egress\)/);
    const after = await owner.trpc.recording.list.query(room);
    expect(after.active).toBeNull();
    expect(after.recordings.map((r) => r.id)).toEqual(before.recordings.map((r) => r.id));
  }, 120_000);
});

/** Waits until the recording has run for `ms` (the length of what is recorded is the point here). */
async function untilRecordedFor(since: number, ms: number) {
  const wait = since + ms - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
