/**
 * Searching a room's chat from its timeline: every meeting's messages, newest first, each with
 * the meeting it belongs to; every word must match, in any case, `%` and `_` taken literally.
 * The meeting under way is the call's: only for those the access rule lets into the call.
 */
import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp } from "./harness";
import { endRealCalls, joinWithToken, type RealParticipant } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The chat search suite");

type Person = Awaited<ReturnType<RealLiveKitTestApp["signUp"]>>;

describe.skipIf(!binary)(`chat search on ${testDriver()} with the real LiveKit server`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let owner: Person, member: Person, outsider: Person;
  let teamSlug: string;
  const room = () => ({ teamSlug, roomSlug: "planning" });
  const participants: RealParticipant[] = [];
  let firstMeetingId: string;

  async function joinCall(person: Person) {
    const details = await person.trpc.room.connectionDetails.query(room());
    const participant = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(participant);
    await eventually(async () => {
      const [listed] = await person.trpc.room.list.query({ teamSlug });
      expect(listed?.participants.map((p) => p.identity)).toContain(person.user.id);
    });
    return participant;
  }

  const search = (person: Person, query: string, extra: { before?: Date; limit?: number } = {}) =>
    person.trpc.chat.search.query({ ...room(), query, ...extra });

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => app?.services);
    // The room ends a second after its last person leaves: the first meeting becomes history quickly.
    livekit = await startLiveKitServer({
      binary,
      webhookUrls: [webhooks.url],
      room: { emptyTimeoutSeconds: 1, departureTimeoutSeconds: 1 },
    });
    app = await startTestAppOnLiveKit(livekit);
    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Searchers" })).slug;
    await app.addToTeam(owner, teamSlug, [[member, "member"]]);
    await outsider.trpc.team.create.mutate({ name: "Elsewhere" });
    const { roomName } = await owner.trpc.room.ensure.mutate(room());

    // The first meeting: three messages, then everyone leaves and it ends.
    const host = await joinCall(owner);
    const draft = await member.trpc.chat.send.mutate({ ...room(), body: "The quarterly BUDGET draft is up" });
    firstMeetingId = draft.meetingId!;
    await member.trpc.chat.send.mutate({ ...room(), body: "Lunch at noon?" });
    await owner.trpc.chat.send.mutate({ ...room(), body: "100% done_now" });
    await owner.trpc.chat.send.mutate({ ...room(), body: "100 percent done now" });
    await host.leave();
    // Over when LiveKit has closed the room and its room_finished is recorded.
    await eventually(
      async () => expect(await app.services.livekit.listRooms([roomName])).toEqual([]),
      60_000,
    );
    await eventually(async () => {
      const [meeting] = await owner.trpc.room.history.query({ ...room(), limit: 5 });
      expect(meeting?.endedAt).not.toBeNull();
    });

    // The second, under way: the owner in the call, the room locked.
    await joinCall(owner);
    await owner.trpc.chat.send.mutate({ ...room(), body: "Budget approved, thanks all" });
    await owner.trpc.room.setLocked.mutate({ ...room(), locked: true });
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  it("finds every word in any case over all the room's meetings, newest first, with each meeting", async () => {
    const { hits, more } = await search(owner, "budget");
    expect(hits.map((h) => h.body)).toEqual([
      "Budget approved, thanks all",
      "The quarterly BUDGET draft is up",
    ]);
    expect(more).toBe(false);
    const [live, past] = hits;
    expect(live!.meetingId).not.toBe(firstMeetingId);
    expect(past!.meetingId).toBe(firstMeetingId);
    expect(past!.meetingStartedAt).toBeInstanceOf(Date);
    expect(past!.meetingStartedAt!.getTime()).toBeLessThan(live!.meetingStartedAt!.getTime());

    expect((await search(owner, "  DRAFT   budget ")).hits.map((h) => h.body)).toEqual([
      "The quarterly BUDGET draft is up",
    ]);
    expect((await search(owner, "budget lunch")).hits).toEqual([]);
  });

  it("takes % and _ literally", async () => {
    expect((await search(owner, "0%")).hits.map((h) => h.body)).toEqual(["100% done_now"]);
    expect((await search(owner, "e_n")).hits.map((h) => h.body)).toEqual(["100% done_now"]);
    expect((await search(owner, "done")).hits).toHaveLength(2);
  });

  it("pages back with `before`", async () => {
    const first = await search(owner, "done", { limit: 1 });
    expect(first.more).toBe(true);
    const second = await search(owner, "done", { limit: 1, before: first.hits[0]!.createdAt });
    expect(second.more).toBe(false);
    expect([...first.hits, ...second.hits].map((h) => h.body).sort()).toEqual(
      ["100 percent done now", "100% done_now"].sort(),
    );
  });

  it("leaves the meeting under way out for a member the lock keeps out of the call", async () => {
    // Mia reads the history (the first meeting), not the locked call's chat.
    expect((await search(member, "budget")).hits.map((h) => h.body)).toEqual([
      "The quarterly BUDGET draft is up",
    ]);
    await owner.trpc.room.setLocked.mutate({ ...room(), locked: false });
    expect((await search(member, "budget")).hits).toHaveLength(2);
    await owner.trpc.room.setLocked.mutate({ ...room(), locked: true });
  });

  it("is for the team only, and says what is wrong with a query", async () => {
    expect(await errorOf(search(outsider, "budget"))).toMatchObject({ code: "NOT_FOUND" });
    const visitor = app.client();
    expect(await errorOf(visitor.trpc.chat.search.query({ ...room(), query: "budget" }))).toMatchObject({
      code: "UNAUTHORIZED",
    });
    const short = await errorOf(search(owner, " b "));
    expect(short).toMatchObject({ code: "BAD_REQUEST" });
    expect(short.message).toContain("at least 2 characters");
    expect(await errorOf(search(owner, "bud\u0000get"))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await errorOf(search(owner, "x".repeat(201)))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("has nothing to search in an encrypted room, and says why", async () => {
    const secret = await owner.trpc.room.create.mutate({ teamSlug, name: "Vault", e2ee: true });
    const error = await errorOf(
      owner.trpc.chat.search.query({ teamSlug, roomSlug: secret.slug, query: "anything" }),
    );
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    expect(error.message).toContain("end-to-end encrypted");
  });
});
