/**
 * The access rule (src/access/rule.ts) against the real LiveKit server: a token minted before a
 * decision is no way around it. Each case is a row of issue 19's table — someone holds a join token
 * fetched while they were allowed, the answer turns to no, and they connect with that token: LiveKit
 * lets them in (it does not ask Parlor), the join webhook applies the rule and removes them, and
 * reconciliation keeps them out. Presence and the admin view agree with LiveKit.
 */
import { testDriver } from "@parlor/db/testing";
import { decodeJwt } from "jose";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { allowedIn } from "../src/access";
import { reconcilePresence } from "../src/presence/reconcile";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import { endRealCalls, joinWithToken, within, type RealParticipant } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The access rule suite on the real server");

type Person = TestClient & { user: { id: string } };

describe.skipIf(!binary)(`the access rule on ${testDriver()} with the real LiveKit server`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let roomService: RoomServiceClient;
  let siteAdmin: Person, owner: Person;
  let teamSlug: string;
  let counter = 0;
  const participants: RealParticipant[] = [];

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    app = await startTestAppOnLiveKit(livekit);
    roomService = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);
    siteAdmin = await app.signUp("Sita Admin"); // the first account is the site admin
    owner = await app.signUp("Olivia Owner");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Rule" })).slug;
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  async function newRoom() {
    const room = { teamSlug, roomSlug: `rule-${++counter}` };
    const { roomName } = await owner.trpc.room.ensure.mutate(room);
    // Someone allowed stays in the call throughout, so the room lives and the rule's "yes" shows too.
    const host = await connect((await owner.trpc.room.connectionDetails.query(room)).participantToken);
    return { room, roomName, host };
  }

  async function newMember(name: string, role: "member" | "admin" = "member") {
    const person = await app.signUp(name);
    await app.addToTeam(owner, teamSlug, [[person, role]]);
    return person;
  }

  async function connect(token: string) {
    const participant = await joinWithToken(livekit.wsUrl, token);
    participants.push(participant);
    return participant;
  }

  /**
   * Connects with a token the rule no longer honours, and waits until LiveKit puts them out: the
   * join webhook's eviction can land before the connection has even published its microphone.
   */
  async function connectAndExpectEviction(token: string, what: string) {
    let participant: RealParticipant;
    try {
      participant = await joinWithToken(livekit.wsUrl, token);
    } catch (error) {
      // Accepted by LiveKit, then disconnected while setting up: what eviction looks like that early.
      expect(String(error)).toMatch(/closed|disconnect|timed out|abort/i);
      return;
    }
    participants.push(participant);
    await within(participant.disconnected, 15_000, what);
  }

  async function guestThrough(token: string, name: string, ip: string) {
    const guest = app.client(ip);
    const status = await guest.trpc.guest.join.mutate({ token, name });
    return { guest, status };
  }

  const inLiveKit = async (roomName: string) =>
    (await roomService.listParticipants(roomName).catch(() => [])).map((p) => p.identity).sort();

  /** After the webhooks settle and a reconciliation: LiveKit, presence and the rule agree. */
  async function expectSettled(roomName: string, room: { roomSlug: string }, present: string[]) {
    await eventually(async () => expect(await inLiveKit(roomName)).toEqual([...present].sort()));
    await reconcilePresence(app.services);
    expect(await inLiveKit(roomName)).toEqual([...present].sort());
    const ctx = { db: app.services.db, now: new Date(), adminEmails: [] };
    const allowed = await allowedIn(ctx, roomName);
    for (const identity of present) expect(allowed.has(identity)).toBe(true);
    await eventually(async () => {
      const listed = (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === room.roomSlug);
      expect(listed?.participants.map((p) => p.identity).sort()).toEqual([...present].sort());
    });
    const active = await siteAdmin.trpc.admin.activeRooms.query();
    const here = active.find((r) => r.roomName === roomName);
    expect((here?.participants ?? []).map((p) => p.identity).sort()).toEqual([...present].sort());
  }

  it("row 1: a removed guest cannot come back with a second token fetched before the removal", async () => {
    const { room, roomName, host } = await newRoom();
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: false });
    const { guest } = await guestThrough(link.token, "Gus Guest", "198.51.100.1");
    const first = await guest.trpc.guest.connectionDetails.query();
    const second = await guest.trpc.guest.connectionDetails.query();
    const identity = decodeJwt(first.participantToken).sub!;
    await connect(first.participantToken);
    await eventually(async () => expect(await inLiveKit(roomName)).toContain(identity));

    await owner.trpc.room.removeParticipant.mutate({ ...room, identity });
    await connectAndExpectEviction(second.participantToken, "the removed guest's second connection ending");
    await expectSettled(roomName, room, [host.identity]);
    // Through the same link with a fresh guest pass, they knock: a moderator decides.
    const back = await guestThrough(link.token, "Gus Again", "198.51.100.1");
    expect(back.status.status).toBe("waiting");
  });

  it("row 2: a disabled account cannot reconnect with the token it already had", async () => {
    const { room, roomName, host } = await newRoom();
    const mia = await newMember("Mia Member");
    const details = await mia.trpc.room.connectionDetails.query(room);
    const spare = await mia.trpc.room.connectionDetails.query(room);
    const first = await connect(details.participantToken);
    await eventually(async () => expect(await inLiveKit(roomName)).toContain(mia.user.id));
    // As the admin sees her: in the call (her join webhook handled). Disabling while that webhook is
    // still on its way lets the webhook evict her first, and the count would rightly say 0.
    await eventually(async () => {
      const listed = (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === room.roomSlug);
      expect(listed?.participants.map((p) => p.identity)).toContain(mia.user.id);
    });

    const result = await siteAdmin.trpc.admin.setDisabled.mutate({ userId: mia.user.id, disabled: true });
    expect(result.removedFromRooms).toBe(1);
    await within(first.disconnected, 15_000, "the disabled account's connection ending");
    await connectAndExpectEviction(spare.participantToken, "the disabled account's reconnection ending");
    await expectSettled(roomName, room, [host.identity]);
  });

  it("row 3: a token taken before the room was locked no longer gets in; those in the call stay", async () => {
    const { room, roomName, host } = await newRoom();
    const early = await newMember("Ed Early");
    const late = await newMember("Lou Late");
    const inCall = await connect((await early.trpc.room.connectionDetails.query(room)).participantToken);
    const lateToken = (await late.trpc.room.connectionDetails.query(room)).participantToken;
    await eventually(async () => expect(await inLiveKit(roomName)).toContain(early.user.id));

    await owner.trpc.room.setLocked.mutate({ ...room, locked: true });
    expect(await errorOf(late.trpc.room.connectionDetails.query(room))).toMatchObject({ code: "FORBIDDEN" });
    await connectAndExpectEviction(lateToken, "the locked-out member's connection ending");
    await expectSettled(roomName, room, [host.identity, inCall.identity]);
  });

  it("row 4: a deleted room is ended in LiveKit, and again when old tokens re-create it", async () => {
    const { room, roomName, host } = await newRoom();
    const mia = await newMember("Mo Member");
    const memberToken = (await mia.trpc.room.connectionDetails.query(room)).participantToken;
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: false });
    const { guest } = await guestThrough(link.token, "Gert Guest", "198.51.100.4");
    const guestToken = (await guest.trpc.guest.connectionDetails.query()).participantToken;

    await owner.trpc.room.delete.mutate(room);
    await within(host.disconnected, 15_000, "the deleted room's call ending");
    // LiveKit re-creates the room from the tokens' room options; Parlor ends it again.
    await connectAndExpectEviction(memberToken, "the member's call in the deleted room ending");
    await connectAndExpectEviction(guestToken, "the guest's call in the deleted room ending");
    await eventually(async () => expect(await roomService.listRooms([roomName])).toEqual([]));
    await reconcilePresence(app.services);
    expect(await roomService.listRooms([roomName])).toEqual([]);
    expect((await owner.trpc.room.list.query({ teamSlug })).map((r) => r.slug)).not.toContain(room.roomSlug);
    expect((await siteAdmin.trpc.admin.activeRooms.query()).map((r) => r.roomName)).not.toContain(roomName);
  });

  it("row 7: a guest link dies with its maker's right to make links", async () => {
    const { room, roomName, host } = await newRoom();
    const maker = await newMember("Adele Admin", "admin");
    const link = await maker.trpc.room.createGuestLink.mutate({
      ...room,
      requireKnock: false,
      expiresInHours: 720,
    });
    const { guest } = await guestThrough(link.token, "Gail Guest", "198.51.100.7");
    const guestDetails = await guest.trpc.guest.connectionDetails.query();
    const visitor = await connect(guestDetails.participantToken);
    await eventually(async () => expect(await inLiveKit(roomName)).toContain(visitor.identity));

    await owner.trpc.team.removeMember.mutate({ teamSlug, userId: maker.user.id });
    await within(visitor.disconnected, 15_000, "the guest of a removed link maker leaving the call");
    // Neither the maker (now outside the team) nor anyone else gets in through the link.
    const again = await errorOf(
      app.client("198.51.100.8").trpc.guest.join.mutate({ token: link.token, name: "Adele" }),
    );
    expect(again).toMatchObject({ code: "FORBIDDEN" });
    expect(await errorOf(guest.trpc.guest.connectionDetails.query())).toMatchObject({ code: "FORBIDDEN" });
    await expectSettled(roomName, room, [host.identity]);
  });
});
