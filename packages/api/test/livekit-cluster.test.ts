/**
 * Past one machine: two livekit-server nodes sharing one Redis form one cluster. Parlor talks to
 * node A only; people connect through either node and meet in one room. Presence (from both
 * nodes' webhooks and from reconciliation), moderation and history must be right.
 */
import { testDriver } from "@parlor/db/testing";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcilePresence } from "../src/presence/reconcile";
import { eventually } from "./eventually";
import { startTestAppOnLiveKit, type RealLiveKitTestApp, type TestClient } from "./harness";
import {
  DisconnectReason,
  endRealCalls,
  joinWithToken,
  within,
  type RealParticipant,
} from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { redisServerBinary, startRedisServer } from "./redis-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The LiveKit cluster suite");
const redisBinary = redisServerBinary();
if (binary && !redisBinary) {
  if (process.env.PARLOR_REQUIRE_LIVEKIT === "1") {
    throw new Error("The LiveKit cluster suite needs redis-server (apt-get install -y redis-server).");
  }
  console.warn(
    "\n⚠ The LiveKit cluster suite did NOT run (skipped): no redis-server (apt-get install -y redis-server).\n",
  );
}

describe.skipIf(!binary || !redisBinary)(`a LiveKit cluster of two nodes (${testDriver()})`, () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let nodeA: LiveKitServer;
  let nodeB: LiveKitServer;
  let app: RealLiveKitTestApp;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let owner: TestClient & { user: { id: string } };
  let member: TestClient & { user: { id: string } };
  let teamSlug: string;
  const participants: RealParticipant[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => app?.services);
    const webhookUrls = [receiver.url];

    redis = await startRedisServer(redisBinary!);
    const keys = { apiKey: "parlor-cluster", apiSecret: "cluster-secret-0123456789abcdef0123456789" };
    nodeA = await startLiveKitServer({ binary, redisAddress: redis.address, webhookUrls, ...keys });
    nodeB = await startLiveKitServer({ binary, redisAddress: redis.address, webhookUrls, ...keys });
    app = await startTestAppOnLiveKit(nodeA);

    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Max Member");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Cluster" })).slug;
    const invite = await owner.trpc.team.createInvite.mutate({ teamSlug });
    await member.trpc.team.acceptInvite.mutate({ token: invite.token });
  });

  afterAll(() => endRealCalls(participants, app, nodeA, nodeB, redis, receiver));

  it("both nodes see each other through Redis", async () => {
    const nodes = await Promise.all(
      [nodeA, nodeB].map(async (node) => {
        const rooms = new RoomServiceClient(node.httpUrl, node.apiKey, node.apiSecret);
        await rooms.createRoom({ name: "probe" });
        return (await rooms.listRooms(["probe"])).map((r) => r.sid);
      }),
    );
    // One room, one sid, whichever node was asked.
    expect(nodes[0]).toHaveLength(1);
    expect(nodes[1]).toEqual(nodes[0]);
  });

  it("two people on different nodes meet in one room; presence, moderation and history are right", async () => {
    await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
    const ownerDetails = await owner.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
    const memberDetails = await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
    // Parlor hands out node A's address; the member's browser is sent to node B (a load balancer's choice).
    const onA = await joinWithToken(nodeA.wsUrl, ownerDetails.participantToken);
    const onB = await joinWithToken(nodeB.wsUrl, memberDetails.participantToken);
    participants.push(onA, onB);

    // Each sees the other, across nodes.
    await eventually(() => {
      expect([...onA.room.remoteParticipants.keys()]).toEqual([member.user.id]);
      expect([...onB.room.remoteParticipants.keys()]).toEqual([owner.user.id]);
    });

    // Presence from the cluster's webhooks, then confirmed by reconciliation through node A.
    const present = async () =>
      (await owner.trpc.room.list.query({ teamSlug }))
        .find((r) => r.slug === "standup")
        ?.participants.map((p) => p.identity)
        .sort();
    await eventually(async () => expect(await present()).toEqual([owner.user.id, member.user.id].sort()));
    await reconcilePresence(app.services);
    expect(await present()).toEqual([owner.user.id, member.user.id].sort());

    // Moderation through node A reaches the person connected to node B (once the server has
    // registered the microphone it is to mute).
    const rooms = new RoomServiceClient(nodeA.httpUrl, nodeA.apiKey, nodeA.apiSecret);
    await eventually(async () => {
      const her = (await rooms.listParticipants(memberDetails.roomName)).find(
        (p) => p.identity === member.user.id,
      );
      expect(her?.tracks.length).toBe(1);
    });
    await owner.trpc.room.muteParticipant.mutate({
      teamSlug,
      roomSlug: "standup",
      identity: member.user.id,
      kind: "audio",
    });
    await within(onB.microphoneMuted, 15_000, "the participant on node B seeing its microphone muted");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await owner.trpc.room.removeParticipant.mutate({
      teamSlug,
      roomSlug: "standup",
      identity: member.user.id,
    });
    expect(await within(onB.disconnected, 15_000, "the removal of the participant on node B")).toBe(
      DisconnectReason.PARTICIPANT_REMOVED,
    );
    await eventually(async () => expect(await present()).toEqual([owner.user.id]));

    await onA.leave();
    await eventually(async () => {
      const [meeting] = await owner.trpc.room.history.query({ teamSlug, roomSlug: "standup" });
      expect(meeting?.attendees.map((a) => a.identity).sort()).toEqual(
        [owner.user.id, member.user.id].sort(),
      );
      const memberStay = meeting!.attendees.find((a) => a.identity === member.user.id)!.secondsPresent;
      expect(memberStay).toBeGreaterThanOrEqual(1);
      expect(memberStay).toBeLessThanOrEqual(meeting!.durationSeconds);
      expect(await present()).toEqual([]);
    });
  });
});
