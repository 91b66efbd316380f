/**
 * Where recordings are kept, on the real LiveKit server: the local folder, and an S3-compatible
 * bucket served by a real S3 server (moto, from PyPI: `pip install 'moto[server]'`, started here on
 * loopback). A real recording is stored and served with ranges from each; deleting a recording,
 * a room or a team removes the files; the retention job deletes what a team no longer keeps; an
 * unreachable bucket is a clear message.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pruneRecordings } from "../src/recordings/logic";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import { fetchRecording } from "./recording-file";
import { endRealCalls } from "./livekit-participant";
import { freeTcpPort, liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { COLOURS, publishMeeting, type Publisher } from "./publishing-participant";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The recordings storage suite");

function motoServer(): boolean {
  if (spawnSync("moto_server", ["--help"], { stdio: "ignore" }).status === 0) return true;
  console.warn(
    "\n⚠ The S3 half of the recordings storage suite did NOT run (skipped): it needs a real S3-compatible " +
      "server, moto. Install it with `pip install 'moto[server]'` (.ci/run does).\n",
  );
  return false;
}
const hasMoto = motoServer();

/** moto's S3 on loopback, with a bucket; stopped by the suite. */
async function startS3() {
  const port = await freeTcpPort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    RECORDINGS_S3_BUCKET: "parlor-recordings",
    RECORDINGS_S3_ENDPOINT: endpoint,
    RECORDINGS_S3_ACCESS_KEY_ID: "test-key",
    RECORDINGS_S3_SECRET_ACCESS_KEY: "test-secret",
  };
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "test-key", secretAccessKey: "test-secret" },
  });
  await eventually(() => client.send(new CreateBucketCommand({ Bucket: env.RECORDINGS_S3_BUCKET })), 60_000);
  return {
    env,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

type Person = TestClient & { user: { id: string } };

describe.skipIf(!binary)(`recordings storage (${testDriver()}, real LiveKit)`, () => {
  let livekit: LiveKitServer;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  // LiveKit's webhooks (who is in which call) go to the app of the storage being tested.
  let current: RealLiveKitTestApp | undefined;

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => current?.services);
    livekit = await startLiveKitServer({
      binary,
      webhookUrls: [webhooks.url],
      room: { departureTimeoutSeconds: 1 },
    });
  });
  afterAll(() => endRealCalls([], livekit, webhooks));

  for (const kind of ["local", "s3"] as const) {
    describe.skipIf(kind === "s3" && !hasMoto)(
      `in ${kind === "local" ? "a local folder" : "an S3 bucket (moto)"}`,
      () => {
        let app: RealLiveKitTestApp;
        let dir: string;
        let s3: Awaited<ReturnType<typeof startS3>> | undefined;
        let owner: Person;
        let member: Person;
        let teamSlug: string;
        const publishers: Publisher[] = [];

        beforeAll(async () => {
          dir = await mkdtemp(join(tmpdir(), `parlor-recordings-${kind}-`));
          if (kind === "s3") s3 = await startS3();
          app = await startTestAppOnLiveKit(livekit, {
            env: {
              RECORDINGS_DIR: dir,
              RECORDING_RESOLUTION: "640x360",
              RECORDING_MAX_CONCURRENT: "1",
              ...s3?.env,
            },
          });
          current = app;
          [owner, member] = await Promise.all([app.signUp("Olivia Owner"), app.signUp("Max Member")]);
          teamSlug = (await owner.trpc.team.create.mutate({ name: `Stored ${kind}` })).slug;
          await app.addToTeam(owner, teamSlug, [[member, "member"]]);
        }, 120_000);

        afterAll(async () => {
          await app?.services.recorder.stopAll();
          for (const publisher of publishers) await publisher.leave().catch(() => undefined);
          await app?.close();
          await s3?.stop();
          if (dir) await rm(dir, { recursive: true, force: true });
        });

        const fetchFile = (person: TestClient, id: string, headers: Record<string, string> = {}) =>
          fetchRecording(app.services, person, id, headers);

        /** A finished recording's row and file, as the recorder leaves them (for the deletion cases). */
        async function storedRecording(roomSlug: string, teamOf = teamSlug, createdAt = new Date()) {
          await owner.trpc.room.ensure.mutate({ teamSlug: teamOf, roomSlug });
          const [team] = await app.services.db
            .select()
            .from(schema.teams)
            .where(eq(schema.teams.slug, teamOf));
          const [room] = await app.services.db
            .select()
            .from(schema.rooms)
            .where(eq(schema.rooms.teamId, team!.id))
            .then((rooms) => rooms.filter((r) => r.slug === roomSlug));
          const id = crypto.randomUUID();
          const storageKey = `${room!.id}/${id}.mp4`;
          await writeFile(app.services.recordingStorage.localPathFor(storageKey), Buffer.alloc(4096, 7));
          const sizeBytes = await app.services.recordingStorage.commit(storageKey);
          await app.services.db.insert(schema.recordings).values({
            id,
            roomId: room!.id,
            state: "complete",
            storageKey,
            sizeBytes,
            durationMs: 1000,
            createdAt,
            startedAt: createdAt,
            endedAt: createdAt,
          });
          expect(await app.services.recordingStorage.size(storageKey)).toBe(4096);
          return { id, storageKey, roomId: room!.id };
        }

        const stored = (key: string) => app.services.recordingStorage.size(key);

        it("keeps a real recording and serves it with ranges", async () => {
          const room = { teamSlug, roomSlug: "kept" };
          await publishMeeting(
            room,
            [
              [owner, COLOURS.red],
              [member, COLOURS.green],
            ],
            publishers,
          );
          const started = await owner.trpc.recording.start.mutate(room);
          await eventually(async () => {
            const { active } = await owner.trpc.recording.list.query(room);
            expect(active?.state).toBe("recording");
          }, 90_000);
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          const stopped = await owner.trpc.recording.stop.mutate(room);
          expect(stopped).toMatchObject({ state: "complete", error: null });

          const [row] = await app.services.db
            .select()
            .from(schema.recordings)
            .where(eq(schema.recordings.id, started.id));
          expect(await stored(row!.storageKey)).toBe(stopped.sizeBytes);
          // With a bucket, the recorder's working copy is gone once the object is stored.
          expect(existsSync(join(dir, row!.storageKey))).toBe(kind === "local");

          const whole = await fetchFile(member, started.id);
          expect(whole.status).toBe(200);
          const bytes = new Uint8Array(await whole.arrayBuffer());
          expect(bytes.byteLength).toBe(stopped.sizeBytes);
          // An MP4 with its index first: `ftyp`, then (faststart) `moov` before the media.
          expect(Buffer.from(bytes.subarray(4, 8)).toString()).toBe("ftyp");
          const part = await fetchFile(member, started.id, { range: "bytes=1000-1999" });
          expect(part.status).toBe(206);
          expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${stopped.sizeBytes}`);
          expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(1000, 2000));
          const tail = await fetchFile(member, started.id, { range: "bytes=-500" });
          expect(tail.status).toBe(206);
          expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.byteLength - 500));
        }, 240_000);

        it("removes the files when a recording, a room or a team is deleted", async () => {
          const single = await storedRecording("deleted-recording");
          const kept = await storedRecording("deleted-recording");
          await owner.trpc.recording.delete.mutate({
            teamSlug,
            roomSlug: "deleted-recording",
            recordingId: single.id,
          });
          expect(await stored(single.storageKey)).toBeNull();
          expect(await stored(kept.storageKey)).toBe(4096);

          const [a, b] = [await storedRecording("deleted-room"), await storedRecording("deleted-room")];
          await owner.trpc.room.delete.mutate({ teamSlug, roomSlug: "deleted-room" });
          expect(await stored(a.storageKey)).toBeNull();
          expect(await stored(b.storageKey)).toBeNull();
          expect(await stored(kept.storageKey)).toBe(4096);

          const other = (await owner.trpc.team.create.mutate({ name: `Going ${kind}` })).slug;
          const [c, d] = [await storedRecording("one", other), await storedRecording("two", other)];
          await owner.trpc.team.delete.mutate({ teamSlug: other, confirmName: `Going ${kind}` });
          expect(await stored(c.storageKey)).toBeNull();
          expect(await stored(d.storageKey)).toBeNull();
          expect(await stored(kept.storageKey)).toBe(4096);
        });

        it("deletes recordings older than the team keeps them, in the background job (off by default)", async () => {
          const day = 86_400_000;
          const other = (await owner.trpc.team.create.mutate({ name: `Keeps all ${kind}` })).slug;
          expect(await owner.trpc.recording.policy.query({ teamSlug })).toMatchObject({
            retentionDays: null,
          });
          const ancientElsewhere = await storedRecording("archive", other, new Date(Date.now() - 400 * day));
          const old = await storedRecording("retained", teamSlug, new Date(Date.now() - 40 * day));
          const recent = await storedRecording("retained", teamSlug, new Date(Date.now() - 10 * day));

          // Off by default: nothing goes.
          await pruneRecordings(app.services);
          expect(await stored(old.storageKey)).toBe(4096);

          // Members may not change it; a day count out of range is a clear field error.
          expect(
            await errorOf(member.trpc.recording.setPolicy.mutate({ teamSlug, retentionDays: 30 })),
          ).toMatchObject({
            code: "FORBIDDEN",
          });
          expect(
            await errorOf(owner.trpc.recording.setPolicy.mutate({ teamSlug, retentionDays: 0 })),
          ).toMatchObject({
            code: "BAD_REQUEST",
            message: expect.stringMatching(/at least a day/),
          });
          expect(await owner.trpc.recording.setPolicy.mutate({ teamSlug, retentionDays: 30 })).toMatchObject({
            retentionDays: 30,
            membersMay: false,
          });
          expect(await pruneRecordings(app.services)).toBe(1);
          expect(await stored(old.storageKey)).toBeNull();
          const rows = await app.services.db.select({ id: schema.recordings.id }).from(schema.recordings);
          expect(rows.map((r) => r.id)).not.toContain(old.id);
          expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([recent.id, ancientElsewhere.id]));
          expect(await stored(recent.storageKey)).toBe(4096);
          expect(await stored(ancientElsewhere.storageKey)).toBe(4096);

          await owner.trpc.recording.setPolicy.mutate({ teamSlug, retentionDays: null });
        });

        if (kind === "s3")
          it("says clearly when the bucket cannot be reached, and the call is not affected", async () => {
            const room = { teamSlug, roomSlug: "kept" };
            const { recordings } = await owner.trpc.recording.list.query(room);
            const finished = recordings.find((r) => r.state === "complete")!;
            await s3!.stop();
            const refused = await errorOf(owner.trpc.recording.start.mutate(room));
            expect(refused).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
            expect(refused.message).toMatch(/recordings storage.*full or unreachable.*call is not affected/);
            const file = await fetchFile(member, finished.id);
            expect(file.status).toBe(503);
            expect(await file.json()).toMatchObject({ error: expect.stringMatching(/cannot be reached/) });
            expect(
              (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "kept")?.participants,
            ).toHaveLength(2);
            // Deleting the room keeps it (and says why) rather than leaving its files behind.
            expect(await errorOf(owner.trpc.room.delete.mutate(room))).toMatchObject({
              code: "SERVICE_UNAVAILABLE",
              message: expect.stringMatching(/could not be deleted right now/),
            });
          }, 120_000);
      },
    );
  }
});
