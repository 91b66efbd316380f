/**
 * Deleting a room or a team while LiveKit reports its meeting over. Closing the room makes LiveKit
 * send room_finished (and the last participant_left) at the moment the records go: the webhook ends
 * the room's sessions, the deletion removes them, and on Postgres the two take the same rows in
 * the opposite order. Whichever Postgres ends for the deadlock runs again (lib/retry.ts): every
 * deletion succeeds and every webhook is answered 200.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleLiveKitWebhook } from "../src/http";
import { startTestApp, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

/** Enough rounds that the race is met: on Postgres, about one in forty deadlocked before the retry. */
const ROUNDS = 60;

describe(`deletions racing LiveKit's webhooks on ${testDriver()}`, () => {
  let app: TestApp;
  let owner: Awaited<ReturnType<TestApp["signUp"]>>;

  const deliver = async (event: unknown) =>
    (await handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit))).status;
  const outcome = (work: Promise<unknown>) =>
    work.then(
      () => "ok",
      (error: unknown) => `${(error as { code?: string }).code}: ${(error as Error).message}`,
    );

  /** A room with a meeting under way (as LiveKit's webhooks recorded it), and the meeting's end. */
  async function roomInUse(teamSlug: string, roomSlug: string, n: number) {
    const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const room = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
    const participant = { sid: `PA_race_${roomSlug}_${n}`, identity: owner.user.id };
    await deliver(webhookEvent("room_started", { room }));
    expect(await deliver(webhookEvent("participant_joined", { room, participant }))).toBe(200);
    return () => [
      deliver(webhookEvent("room_finished", { room })),
      deliver(webhookEvent("participant_left", { room, participant })),
    ];
  }

  beforeAll(async () => {
    app = await startTestApp({ ratePolicies: { roomCreate: { limit: 10_000, windowSeconds: 3600 } } });
    owner = await app.signUp("Olivia Owner");
  });
  afterAll(() => app.close());

  it(`a room deleted as its meeting ends (${ROUNDS} rounds)`, async () => {
    const teamSlug = (await owner.trpc.team.create.mutate({ name: "Racing rooms" })).slug;
    const results: string[] = [];
    const statuses: number[] = [];
    for (let n = 0; n < ROUNDS; n++) {
      const meetingEnds = await roomInUse(teamSlug, `room-${n}`, n);
      const [deleted, ...webhooks] = await Promise.all([
        outcome(owner.trpc.room.delete.mutate({ teamSlug, roomSlug: `room-${n}` })),
        ...meetingEnds(),
      ]);
      results.push(deleted);
      statuses.push(...webhooks);
    }
    expect(results.filter((r) => r !== "ok")).toEqual([]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const team = await app.services.db.query.teams.findFirst({ where: eq(schema.teams.slug, teamSlug) });
    expect(
      await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.teamId, team!.id)),
    ).toEqual([]);
  }, 300_000);

  it(`a team deleted as its rooms' meetings end (${ROUNDS / 4} rounds, two rooms each)`, async () => {
    const results: string[] = [];
    const statuses: number[] = [];
    for (let n = 0; n < ROUNDS / 4; n++) {
      const name = `Racing team ${n}`;
      const teamSlug = (await owner.trpc.team.create.mutate({ name })).slug;
      const ends = [await roomInUse(teamSlug, "one", n), await roomInUse(teamSlug, "two", n)];
      const [deleted, ...webhooks] = await Promise.all([
        outcome(owner.trpc.team.delete.mutate({ teamSlug, confirmName: name })),
        ...ends.flatMap((end) => end()),
      ]);
      results.push(deleted);
      statuses.push(...webhooks);
    }
    expect(results.filter((r) => r !== "ok")).toEqual([]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 300_000);
});
