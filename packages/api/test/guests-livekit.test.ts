/**
 * Guests on the real LiveKit server: an admitted guest's token is accepted, everyone in the call
 * sees the server-set guest mark (no admin rights), the server's webhooks record the guest as one
 * in presence, and withdrawing the link with "remove from the call" disconnects them.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CHAT_TOPIC, GUEST_ATTRIBUTE, HAND_ATTRIBUTE } from "../src/lib/call";
import { eventually } from "./eventually";
import { startTestAppOnLiveKit, type RealLiveKitTestApp } from "./harness";
import { endRealCalls, joinWithToken, type RealParticipant } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The guests suite on the real server");

describe.skipIf(!binary)(`guests on ${testDriver()} with the real LiveKit server`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const participants: RealParticipant[] = [];
  let teamSlug: string;

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    app = await startTestAppOnLiveKit(livekit);
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  it("lets an admitted guest in, marked as a guest everywhere, and out again when the link is withdrawn", async () => {
    const owner = await app.signUp("Olivia Owner");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Visitors" })).slug;
    const room = { teamSlug, roomSlug: "lobby" };
    await owner.trpc.room.ensure.mutate(room);
    const ownerDetails = await owner.trpc.room.connectionDetails.query(room);
    const host = await joinWithToken(ownerDetails.serverUrl, ownerDetails.participantToken);
    participants.push(host);

    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: true });
    const guest = app.client("198.51.100.77");
    await guest.trpc.guest.join.mutate({ token: link.token, name: "Gina Guest" });
    const [request] = await owner.trpc.lobby.list.query(room);
    await owner.trpc.lobby.admit.mutate({ ...room, requestId: request!.id });
    const details = await guest.trpc.guest.connectionDetails.query();
    const visitor = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(visitor);
    expect(visitor.identity).toMatch(/^guest-/);

    // The host's LiveKit client sees the guest with the server's mark.
    await eventually(() => {
      const seen = host.room.remoteParticipants.get(visitor.identity);
      expect(seen?.name).toBe("Gina Guest");
      expect(seen?.attributes[GUEST_ATTRIBUTE]).toBe("1");
    });
    // LiveKit's webhooks put the guest in presence, marked.
    await eventually(async () => {
      const [listed] = await owner.trpc.room.list.query({ teamSlug });
      expect(listed?.participants).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: "Gina Guest", isGuest: true })]),
      );
    });

    const revoked = await owner.trpc.room.revokeGuestLink.mutate({
      ...room,
      linkId: link.id,
    });
    expect(revoked.removedFromCall).toBe(1);
    await visitor.disconnected;
    await eventually(async () => {
      const [listed] = await owner.trpc.room.list.query({ teamSlug });
      expect(listed?.participants.map((p) => p.name)).toEqual(["Olivia Owner"]);
    });
  });

  it("an admitted guest writes in the meeting's chat and raises a hand; a waiting one cannot", async () => {
    const owner = await app.signUp("Otto Owner");
    const slug = (await owner.trpc.team.create.mutate({ name: "Chatty Visitors" })).slug;
    const room = { teamSlug: slug, roomSlug: "talk" };
    const { roomName } = await owner.trpc.room.ensure.mutate(room);
    // LiveKit's room exists from here (room_started recorded), but nobody is in it yet.
    await eventually(async () => {
      const [started] = await app.services.db
        .select({ id: schema.roomSessions.id })
        .from(schema.roomSessions)
        .innerJoin(schema.rooms, eq(schema.rooms.id, schema.roomSessions.roomId))
        .where(eq(schema.rooms.livekitRoomName, roomName));
      expect(started).toBeDefined();
    }, 60_000);
    // A message from before this meeting: the team's, not the guest's to read.
    await owner.trpc.chat.send.mutate({ ...room, body: "Before anyone came" });
    const ownerDetails = await owner.trpc.room.connectionDetails.query(room);
    const host = await joinWithToken(ownerDetails.serverUrl, ownerDetails.participantToken);
    participants.push(host);
    await eventually(async () => {
      const [listed] = await owner.trpc.room.list.query({ teamSlug: slug });
      expect(listed?.participants).toHaveLength(1);
    });
    await owner.trpc.chat.send.mutate({ ...room, body: "Welcome, everyone" });

    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: true });
    const guest = app.client("198.51.100.78");
    await guest.trpc.guest.join.mutate({ token: link.token, name: "Gil Guest" });
    // Still knocking: neither chat nor hand.
    await expect(guest.trpc.guest.chatSend.mutate({ body: "Let me in" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(guest.trpc.guest.setHand.mutate({ raised: true })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });

    const [request] = await owner.trpc.lobby.list.query(room);
    await owner.trpc.lobby.admit.mutate({ ...room, requestId: request!.id });
    const details = await guest.trpc.guest.connectionDetails.query();
    const visitor = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(visitor);

    expect((await guest.trpc.guest.chatList.query({})).map((m) => m.body)).toEqual(["Welcome, everyone"]);
    const sent = await guest.trpc.guest.chatSend.mutate({ body: "Hello from outside" });
    expect(sent).toMatchObject({ authorIdentity: visitor.identity, authorName: "Gil Guest" });
    // Everyone in the call gets it live, and the team keeps it with the meeting.
    await eventually(() =>
      expect(host.dataOn(CHAT_TOPIC)).toContainEqual(
        expect.objectContaining({
          type: "message",
          message: expect.objectContaining({ body: "Hello from outside" }),
        }),
      ),
    );
    expect((await owner.trpc.chat.list.query(room)).map((m) => m.body)).toContain("Hello from outside");

    const raised = await guest.trpc.guest.setHand.mutate({ raised: true });
    await eventually(() =>
      expect(host.room.remoteParticipants.get(visitor.identity)?.attributes[HAND_ATTRIBUTE]).toBe(
        raised.raisedAt,
      ),
    );
    await guest.trpc.guest.setHand.mutate({ raised: false });
    await eventually(() =>
      expect(host.room.remoteParticipants.get(visitor.identity)?.attributes[HAND_ATTRIBUTE]).toBeFalsy(),
    );
  });
});
