/**
 * Recording on the real LiveKit server: who may start, stop, list, delete and fetch recordings
 * (non-member, removed member, guest, another team), the rules around them (encrypted rooms, one
 * at a time, the instance's limit, the end of the meeting), and a real recording of two people
 * publishing a synthetic camera and a tone, checked with ffprobe and ffmpeg.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { RECORDER_IDENTITY_PREFIX } from "../src/recordings/identity";
import { sweepOrphanedRecordings } from "../src/recordings/logic";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import { fetchRecording } from "./recording-file";
import { endRealCalls } from "./livekit-participant";
import { frameAt, loudness, near, probeStreams } from "./media-file";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { COLOURS, joinAndPublish, type Publisher } from "./publishing-participant";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The recordings suite");

type Person = TestClient & { user: { id: string } };

describe.skipIf(!binary)(`recording meetings (${testDriver()}, real LiveKit)`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dir: string;
  let owner: Person;
  let admin: Person;
  let member: Person;
  let removed: Person;
  let outsider: Person;
  let teamSlug: string;
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parlor-recordings-"));
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({
      binary,
      webhookUrls: [webhooks.url],
      room: { departureTimeoutSeconds: 1 },
    });
    app = await startTestAppOnLiveKit(livekit, {
      // Small pictures and one recording at a time: the machine is shared.
      env: { RECORDINGS_DIR: dir, RECORDING_RESOLUTION: "640x360", RECORDING_MAX_CONCURRENT: "1" },
    });
    [owner, admin, member, removed, outsider] = await Promise.all([
      app.signUp("Olivia Owner"),
      app.signUp("Ada Admin"),
      app.signUp("Max Member"),
      app.signUp("Rita Removed"),
      app.signUp("Otto Outsider"),
    ]);
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Recorded" })).slug;
    await app.addToTeam(owner, teamSlug, [
      [admin, "admin"],
      [member, "member"],
      [removed, "member"],
    ]);
    await outsider.trpc.team.create.mutate({ name: "Elsewhere" });
  });

  afterAll(async () => {
    await app?.services.recorder.stopAll();
    await endRealCalls(publishers, app, livekit, webhooks);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function publish(person: Person, roomSlug: string, camera: (typeof COLOURS)[keyof typeof COLOURS]) {
    await person.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const details = await person.trpc.room.connectionDetails.query({ teamSlug, roomSlug });
    const publisher = await joinAndPublish(details.serverUrl, details.participantToken, camera);
    publishers.push(publisher);
    return publisher;
  }

  const fetchFile = (person: TestClient | null, id: string, headers: Record<string, string> = {}) =>
    fetchRecording(app.services, person, id, headers);

  async function recordingState(person: Person, room: { teamSlug: string; roomSlug: string }, id: string) {
    const { recordings } = await person.trpc.recording.list.query(room);
    return recordings.find((r) => r.id === id);
  }

  it("records two people with sound and pictures, a shared screen taking the large spot", async () => {
    const room = { teamSlug, roomSlug: "standup" };
    const olivia = await publish(owner, "standup", COLOURS.red);
    await publish(member, "standup", COLOURS.green);
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "standup")?.participants).toHaveLength(2);
    });

    const started = await owner.trpc.recording.start.mutate(room);
    expect(started).toMatchObject({ state: "starting", part: 1, startedByName: "Olivia Owner", url: null });
    await eventually(async () => {
      expect((await recordingState(owner, room, started.id))?.state).toBe("recording");
    }, 60_000);
    const recordingSince = Date.now();
    // The pre-join and everyone in the call learn that the meeting is being recorded.
    expect(await member.trpc.recording.status.query(room)).toMatchObject({ recording: true });
    // The recorder is nobody in the call: not in presence, now or in the meeting's history.
    const [listed] = (await owner.trpc.room.list.query({ teamSlug })).filter((r) => r.slug === "standup");
    expect(listed!.participants.map((p) => p.name).sort()).toEqual(["Max Member", "Olivia Owner"]);
    // A second start in the same room, and any start past the instance's limit, are refused.
    expect(await errorOf(admin.trpc.recording.start.mutate(room))).toMatchObject({ code: "CONFLICT" });
    await publish(admin, "retro", COLOURS.green);
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "retro")?.participants).toHaveLength(1);
    });
    expect(await errorOf(admin.trpc.recording.start.mutate({ teamSlug, roomSlug: "retro" }))).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringContaining("already recording 1 meeting"),
    });

    // Cameras for 5 s, a shared screen from 5 s to 12 s, cameras again until 16 s.
    await untilRecordedFor(recordingSince, 5_000);
    await olivia.shareScreen();
    await untilRecordedFor(recordingSince, 12_000);
    await olivia.stopSharing();
    await untilRecordedFor(recordingSince, 16_000);
    const stopped = await owner.trpc.recording.stop.mutate(room);
    const recordedMs = Date.now() - recordingSince;
    expect(stopped).toMatchObject({ state: "complete", error: null, url: `/api/recordings/${started.id}` });
    expect(Math.abs(stopped.durationMs! - recordedMs)).toBeLessThanOrEqual(2_000);
    expect(stopped.sizeBytes).toBeGreaterThan(10_000);
    const [row] = await app.services.db
      .select()
      .from(schema.recordings)
      .where(eq(schema.recordings.id, started.id));
    expect(row!.roomSessionId).not.toBeNull();
    // The recorder was in the call for 16 s: no attendance of it was kept (history, counts).
    const history = await member.trpc.room.history.query({ ...room, limit: 5 });
    expect(history[0]!.attendees.map((a) => a.name).sort()).toEqual(["Max Member", "Olivia Owner"]);
    const kept = await app.services.db
      .select({ identity: schema.participantSessions.identity })
      .from(schema.participantSessions)
      .where(like(schema.participantSessions.identity, `${RECORDER_IDENTITY_PREFIX}%`));
    expect(kept).toEqual([]);

    const file = join(dir, row!.storageKey);
    const streams = await probeStreams(file);
    const video = streams.find((s) => s.codec_type === "video");
    const audio = streams.find((s) => s.codec_type === "audio");
    expect(video).toMatchObject({ codec_name: "h264", width: 640 });
    expect(audio).toMatchObject({ codec_name: "aac" });
    expect(Math.abs(Number(video!.duration) - recordedMs / 1000)).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(audio!.duration) - recordedMs / 1000)).toBeLessThanOrEqual(2);

    expect((await loudness(file)).meanDb).toBeGreaterThan(-35);

    // The large spot: a camera at 3 s, the blue screen at 9 s (640×270 above a strip of tiles).
    const cameraPixel = (await frameAt(file, 3, 640)).pixel(320, 135);
    expect([COLOURS.red.rgb, COLOURS.green.rgb].some((rgb) => near(cameraPixel, rgb))).toBe(true);
    const sharing = await frameAt(file, 9, 640);
    expect(near(sharing.pixel(320, 135), COLOURS.blue.rgb)).toBe(true);
    // The strip shows the other camera while the screen is shared.
    expect(near(sharing.pixel(320, 300), COLOURS.blue.rgb)).toBe(false);

    // Members fetch it through Parlor, with ranges for seeking.
    const whole = await fetchFile(member, started.id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(Number(whole.headers.get("content-length"))).toBe(stopped.sizeBytes);
    await whole.body?.cancel();
    const part = await fetchFile(member, started.id, { range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${stopped.sizeBytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const beyond = await fetchFile(member, started.id, { range: `bytes=${stopped.sizeBytes! + 10}-` });
    expect(beyond.status).toBe(416);
  }, 240_000);

  it("keeps recordings to the team: non-members, removed members, guests and other teams get nothing", async () => {
    const room = { teamSlug, roomSlug: "standup" };
    const { recordings } = await owner.trpc.recording.list.query(room);
    const recording = recordings.find((r) => r.state === "complete")!;
    expect(recording).toBeDefined();
    const byId = { ...room, recordingId: recording.id };

    // Before removal Rita may list and fetch; afterwards nothing, as for someone never invited.
    expect((await removed.trpc.recording.list.query(room)).recordings.length).toBeGreaterThan(0);
    expect((await fetchFile(removed, recording.id)).status).toBe(200);
    await owner.trpc.team.removeMember.mutate({ teamSlug, userId: removed.user.id });

    for (const stranger of [removed, outsider]) {
      for (const call of [
        () => stranger.trpc.recording.list.query(room),
        () => stranger.trpc.recording.status.query(room),
        () => stranger.trpc.recording.start.mutate(room),
        () => stranger.trpc.recording.stop.mutate(room),
        () => stranger.trpc.recording.delete.mutate(byId),
        () => stranger.trpc.recording.policy.query({ teamSlug }),
      ]) {
        expect(await errorOf(call())).toMatchObject({ code: "NOT_FOUND" });
      }
      const file = await fetchFile(stranger, recording.id);
      expect(file.status).toBe(404);
      expect(await file.text()).not.toContain(recording.id);
    }

    // A guest (no account) and a signed-out browser are not signed in.
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: true });
    const guest = app.client("198.51.100.7");
    await guest.trpc.guest.join.mutate({ token: link.token, name: "Gina Guest" });
    for (const call of [
      () => guest.trpc.recording.list.query(room),
      () => guest.trpc.recording.start.mutate(room),
      () => guest.trpc.recording.delete.mutate(byId),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect((await fetchFile(guest, recording.id)).status).toBe(401);
    expect((await fetchFile(null, recording.id)).status).toBe(401);
    // The guest is told whether the room is being recorded before entering (not now).
    expect(await guest.trpc.recording.guestStatus.query({ token: link.token })).toMatchObject({
      recording: false,
    });

    // Members may not start, stop or delete; they may watch.
    expect(await errorOf(member.trpc.recording.start.mutate(room))).toMatchObject({ code: "FORBIDDEN" });
    expect(await errorOf(member.trpc.recording.delete.mutate(byId))).toMatchObject({ code: "FORBIDDEN" });
    expect(
      await errorOf(member.trpc.recording.setPolicy.mutate({ teamSlug, membersMay: true })),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await member.trpc.recording.list.query(room)).canRecord).toBe(false);
    expect(
      await errorOf(outsider.trpc.recording.setPolicy.mutate({ teamSlug, membersMay: true })),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    // Not a recording id at all: a field error, not a 500.
    expect(await errorOf(owner.trpc.recording.delete.mutate({ ...room, recordingId: "nope" }))).toMatchObject(
      {
        code: "BAD_REQUEST",
      },
    );
    expect((await fetchFile(member, "../../etc/passwd")).status).toBe(404);

    // Admins delete, and the file goes with the recording.
    const [row] = await app.services.db
      .select()
      .from(schema.recordings)
      .where(eq(schema.recordings.id, recording.id));
    await admin.trpc.recording.delete.mutate(byId);
    expect(await app.services.recordingStorage.size(row!.storageKey)).toBeNull();
    expect((await fetchFile(member, recording.id)).status).toBe(404);
    expect(await errorOf(admin.trpc.recording.delete.mutate(byId))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets members record when the team allows it, and stops when the meeting ends", async () => {
    const room = { teamSlug, roomSlug: "allhands" };
    await owner.trpc.recording.setPolicy.mutate({ teamSlug, membersMay: true });
    await member.trpc.room.ensure.mutate(room);
    expect(await errorOf(member.trpc.recording.start.mutate(room))).toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("Nobody is in the call"),
    });
    await publish(member, "allhands", COLOURS.green);
    const started = await eventually(() => member.trpc.recording.start.mutate(room), 30_000);
    await eventually(async () => {
      expect((await recordingState(member, room, started.id))?.state).toBe("recording");
    }, 60_000);

    // The moderator ends the meeting: LiveKit closes the room, and the recording is finished.
    await owner.trpc.room.end.mutate(room);
    const ended = await eventually(async () => {
      const recording = await recordingState(member, room, started.id);
      expect(recording?.state).toBe("complete");
      return recording!;
    }, 60_000);
    expect(ended.url).toBe(`/api/recordings/${started.id}`);

    // A member the access rule keeps out of the call (removed from it by a moderator, for the
    // cooling-off period) records nothing there, whatever the team allows.
    const [allhands] = await app.services.db
      .select({ id: schema.rooms.id })
      .from(schema.rooms)
      .where(eq(schema.rooms.slug, "allhands"));
    await app.services.db.insert(schema.roomBans).values({
      roomId: allhands!.id,
      userId: member.user.id,
      until: new Date(Date.now() + 5 * 60_000),
      createdBy: owner.user.id,
    });
    await publish(admin, "allhands", COLOURS.red);
    expect(await errorOf(member.trpc.recording.start.mutate(room))).toMatchObject({ code: "FORBIDDEN" });
    await owner.trpc.recording.setPolicy.mutate({ teamSlug, membersMay: false });
  }, 180_000);

  it("refuses encrypted rooms with the reason", async () => {
    const room = { teamSlug, roomSlug: "secret" };
    await owner.trpc.room.ensure.mutate(room);
    await owner.trpc.room.setEncrypted.mutate({ ...room, encrypted: true });
    const refused = await errorOf(owner.trpc.recording.start.mutate(room));
    expect(refused).toMatchObject({ code: "FORBIDDEN", data: { reason: "room-encrypted" } });
    expect(refused.message).toMatch(/end-to-end encrypted/);
    const listed = await owner.trpc.recording.list.query(room);
    expect(listed).toMatchObject({
      canRecord: false,
      cannotRecordReason: expect.stringMatching(/encrypted/),
    });
  });

  it("ends a recording whose recorder is gone, keeping what it wrote", async () => {
    await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "orphans" });
    const [room] = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "orphans"));
    const long = new Date(Date.now() - 10 * 60_000);
    const [orphan] = await app.services.db
      .insert(schema.recordings)
      .values({
        roomId: room!.id,
        state: "recording",
        storageKey: `${room!.id}/orphan.mp4`,
        createdAt: long,
        startedAt: long,
        heartbeatAt: long,
      })
      .returning();
    await sweepOrphanedRecordings(app.services);
    const [after] = await app.services.db
      .select()
      .from(schema.recordings)
      .where(eq(schema.recordings.id, orphan!.id));
    // Nothing was written for it: failed, saying so.
    expect(after).toMatchObject({ state: "failed", error: expect.stringMatching(/before it could record/) });
  });
});

/** Waits until the recording has run for `ms` (the length of what is recorded is the point here). */
async function untilRecordedFor(since: number, ms: number) {
  const wait = since + ms - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
