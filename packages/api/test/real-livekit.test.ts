/**
 * Every LiveKit-facing feature of the API against the real server (pinned livekit-server on
 * loopback), with real participants (@livekit/rtc-node) and the server's own signed webhooks
 * delivered over HTTP to Parlor's webhook handler. Failures that must be injected (a hang, a 5xx)
 * stay with the double in livekit.test.ts and rooms.test.ts.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { RoomEvent } from "@livekit/rtc-node";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger } from "../src/lib/logger";
import { createLiveKitService } from "../src/livekit/service";
import { reconcilePresence } from "../src/presence/reconcile";
import { loadConfig } from "../src/lib/config";
import { HAND_ATTRIBUTE, MODERATION_TOPIC } from "../src/lib/call";
import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import {
  DisconnectReason,
  endRealCalls,
  joinWithToken,
  within,
  type RealParticipant,
} from "./livekit-participant";
import {
  liveKitServerForSuite,
  liveKitServerVersion,
  LIVEKIT_SERVER_VERSION,
  startLiveKitServer,
  type LiveKitServer,
} from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The real-LiveKit API suite");

describe.skipIf(!binary)(`the API against the real LiveKit server (${testDriver()})`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let roomService: RoomServiceClient;
  let owner: TestClient & { user: { id: string } };
  let member: TestClient & { user: { id: string } };
  let teamSlug: string;
  const participants: RealParticipant[] = [];

  beforeAll(async () => {
    // The app starts after LiveKit (which must know where to send webhooks); until then, 503.
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    app = await startTestAppOnLiveKit(livekit);
    roomService = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);

    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Max Member");
    const team = await owner.trpc.team.create.mutate({ name: "Real Calls" });
    teamSlug = team.slug;
    const invite = await owner.trpc.team.createInvite.mutate({ teamSlug });
    await member.trpc.team.acceptInvite.mutate({ token: invite.token });
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  async function join(client: TestClient, roomSlug: string, participantName?: string) {
    await client.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const details = await client.trpc.room.connectionDetails.query({ teamSlug, roomSlug, participantName });
    const participant = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(participant);
    return { details, participant };
  }

  it("runs the pinned server version", () => {
    expect(liveKitServerVersion(binary!)).toBe(LIVEKIT_SERVER_VERSION.slice(1));
  });

  it("room.ensure creates the LiveKit room with Parlor's options, once", async () => {
    const first = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "options" });
    expect(first.created).toBe(true);
    const [room] = await roomService.listRooms([first.roomName]);
    expect(room).toMatchObject({
      name: first.roomName,
      emptyTimeout: 300,
      departureTimeout: 30,
      maxParticipants: 100,
    });
    expect(JSON.parse(room!.metadata)).toMatchObject({ parlor: { teamSlug, roomSlug: "options" } });

    const second = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "options" });
    expect(second).toMatchObject({ roomName: first.roomName, created: false });
    expect(await roomService.listRooms([first.roomName])).toHaveLength(1);
  });

  it("mints tokens the server accepts, with the user's id as identity and roomAdmin only for managers", async () => {
    const { details, participant } = await join(member, "tokens", "Max at home");
    const [seen] = await eventually(async () => {
      const list = await roomService.listParticipants(details.roomName);
      expect(list).toHaveLength(1);
      return list;
    });
    expect(seen).toMatchObject({ identity: member.user.id, name: "Max at home" });
    expect(participant.identity).toBe(member.user.id);

    // A token is also a bearer credential for LiveKit's API: a member's must not moderate.
    const memberCall = await fetch(`${livekit.httpUrl}/twirp/livekit.RoomService/ListParticipants`, {
      method: "POST",
      headers: { authorization: `Bearer ${details.participantToken}`, "content-type": "application/json" },
      body: JSON.stringify({ room: details.roomName }),
    });
    expect(memberCall.status).toBe(401);

    const ownerDetails = await owner.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "tokens" });
    const ownerCall = await fetch(`${livekit.httpUrl}/twirp/livekit.RoomService/ListParticipants`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${ownerDetails.participantToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ room: details.roomName }),
    });
    expect(ownerCall.status).toBe(200);
  });

  it("turns the server's webhooks into live presence, and leaving into history", async () => {
    const { participant } = await join(member, "presence");
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "presence")?.participants).toEqual([
        expect.objectContaining({ identity: member.user.id, name: "Max Member" }),
      ]);
    });
    expect(webhooks.delivered()).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await participant.leave();
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "presence")?.participants).toEqual([]);
    });
    const [meeting] = await owner.trpc.room.history.query({ teamSlug, roomSlug: "presence" });
    expect(meeting?.attendees).toEqual([
      expect.objectContaining({ identity: member.user.id, name: "Max Member" }),
    ]);
    const present = meeting!.attendees[0]!.secondsPresent;
    expect(present).toBeGreaterThanOrEqual(1);
    expect(present).toBeLessThan(30);
  });

  it("keeps someone who just joined when reconciliation runs at once (LiveKit's room count lags)", async () => {
    const { details, participant } = await join(member, "fresh");
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "fresh")?.participants).toHaveLength(1);
    });
    // LiveKit still counts nobody in the room for a few seconds after a join.
    const [listed] = await roomService.listRooms([details.roomName]);
    expect(listed?.numParticipants).toBe(0);
    await reconcilePresence(app.services);
    const rooms = await owner.trpc.room.list.query({ teamSlug });
    expect(rooms.find((r) => r.slug === "fresh")?.participants.map((p) => p.identity)).toEqual([
      member.user.id,
    ]);
    await participant.leave();
  });

  it("reconciles presence with the server when webhooks were lost", async () => {
    const { details, participant } = await join(owner, "reconcile");
    await eventually(async () =>
      expect(await roomService.listParticipants(details.roomName)).toHaveLength(1),
    );
    // Forget what the webhooks said: reconciliation must restore it from the server alone.
    await app.database.db
      .delete(schema.participantSessions)
      .where(eq(schema.participantSessions.identity, owner.user.id));
    await reconcilePresence(app.services);
    const rooms = await member.trpc.room.list.query({ teamSlug });
    expect(rooms.find((r) => r.slug === "reconcile")?.participants.map((p) => p.identity)).toEqual([
      owner.user.id,
    ]);
    await participant.leave();
  });

  it("moderation reaches the real participant: mute, remove (and refuse a new token), end", async () => {
    const { participant: muted } = await join(member, "moderation");
    await eventually(async () => {
      const rooms = await owner.trpc.room.list.query({ teamSlug });
      expect(rooms.find((r) => r.slug === "moderation")?.participants).toHaveLength(1);
    });
    // The server must know the microphone before it can mute it.
    const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "moderation" });
    await eventually(async () => {
      const [listed] = await roomService.listParticipants(roomName);
      expect(listed?.tracks.length).toBe(1);
    });
    const result = await owner.trpc.room.muteParticipant.mutate({
      teamSlug,
      roomSlug: "moderation",
      identity: member.user.id,
      kind: "audio",
    });
    expect(result.muted).toBe(1);
    await within(muted.microphoneMuted, 15_000, "the participant seeing its microphone muted");
    // The muted person is told who did it (only them: a notice addressed to one identity).
    await eventually(() =>
      expect(muted.dataOn(MODERATION_TOPIC)).toEqual([{ type: "muted", kind: "audio", by: "Olivia Owner" }]),
    );

    await owner.trpc.room.removeParticipant.mutate({
      teamSlug,
      roomSlug: "moderation",
      identity: member.user.id,
    });
    expect(await within(muted.disconnected, 15_000, "the removed participant's disconnection")).toBe(
      DisconnectReason.PARTICIPANT_REMOVED,
    );
    const refused = await errorOf(
      member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "moderation" }),
    );
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/removed/) });

    // A member cannot moderate, even with the real server behind.
    const { participant: ownerInRoom } = await join(owner, "moderation");
    expect(await errorOf(member.trpc.room.end.mutate({ teamSlug, roomSlug: "moderation" }))).toMatchObject({
      code: "FORBIDDEN",
    });

    await owner.trpc.room.end.mutate({ teamSlug, roomSlug: "moderation" });
    expect(await within(ownerInRoom.disconnected, 15_000, "the disconnection when the room ended")).toBe(
      DisconnectReason.ROOM_DELETED,
    );
  });

  it("ending the meeting lets those told leave on their own before LiveKit closes the room", async () => {
    // As the web client does: it leaves when it hears the meeting ended, a moment later (a
    // browser's teardown takes that long). Closing the room under it instead makes livekit-client
    // renegotiate on a connection it is closing.
    const { participant: leaving } = await join(member, "ending");
    leaving.room.on(RoomEvent.DataReceived, (_payload, _from, _kind, topic) => {
      if (topic === MODERATION_TOPIC) setTimeout(() => void leaving.leave(), 250);
    });
    const { details } = await join(owner, "ending");
    await owner.trpc.room.end.mutate({ teamSlug, roomSlug: "ending" });
    expect(await within(leaving.disconnected, 15_000, "the leave on the notice")).toBe(
      DisconnectReason.CLIENT_INITIATED,
    );
    // The room is closed all the same, with those who did not leave (the owner's test client).
    await eventually(async () =>
      expect((await roomService.listRooms([details.roomName])).map((r) => r.name)).toEqual([]),
    );
  });

  it("hands go up and down through the server, in order; only moderators lower others' hands", async () => {
    const { details } = await join(member, "hands");
    await join(owner, "hands");
    const handOf = async (identity: string) =>
      (await roomService.getParticipant(details.roomName, identity)).attributes[HAND_ATTRIBUTE];

    const raised = await member.trpc.room.setHand.mutate({ teamSlug, roomSlug: "hands", raised: true });
    expect(raised.raised).toBe(true);
    expect(await handOf(member.user.id)).toBe(raised.raisedAt);
    expect(
      await errorOf(
        member.trpc.room.lowerHand.mutate({ teamSlug, roomSlug: "hands", identity: owner.user.id }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });

    await owner.trpc.room.lowerHand.mutate({ teamSlug, roomSlug: "hands", identity: member.user.id });
    expect(await handOf(member.user.id)).toBeUndefined();

    await member.trpc.room.setHand.mutate({ teamSlug, roomSlug: "hands", raised: true });
    await member.trpc.room.setHand.mutate({ teamSlug, roomSlug: "hands", raised: false });
    expect(await handOf(member.user.id)).toBeUndefined();
  });

  it("a room at its participant limit refuses the next person", async () => {
    const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "full" });
    await app.database.db
      .update(schema.rooms)
      .set({ maxParticipants: 1 })
      .where(eq(schema.rooms.livekitRoomName, roomName));
    await roomService.deleteRoom(roomName);
    // A token minted before anyone was in, used after the room filled up.
    const details = await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "full" });
    await join(owner, "full");
    // The server refuses the join with a bare handshake failure, and its validation endpoint (which
    // browsers ask why) answers "success": nothing a browser could show as "full".
    await expect(joinWithToken(details.serverUrl, details.participantToken)).rejects.toThrow(/500/);
    const why = await fetch(`${livekit.httpUrl}/rtc/validate?access_token=${details.participantToken}`);
    expect(why.status).toBe(200);
    // So Parlor says it before minting a token, once the webhooks have recorded who is in.
    await eventually(async () =>
      expect(
        await errorOf(member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "full" })),
      ).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/at its limit of 1 person/) }),
    );
    // The person already inside may still get a fresh token (a reconnect, another tab).
    await owner.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "full" });
  });

  it("the LiveKit service maps refused credentials to an actionable SERVICE_UNAVAILABLE", async () => {
    const wrong = createLiveKitService(
      loadConfig({
        LIVEKIT_URL: livekit.wsUrl,
        LIVEKIT_API_KEY: livekit.apiKey,
        LIVEKIT_API_SECRET: "not-it",
      }).livekit,
      createLogger("silent"),
    );
    await expect(wrong.listRooms()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/LIVEKIT_API_KEY/),
    });
  });
});
