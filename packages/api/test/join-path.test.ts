/**
 * The join path's cost and its safety: `room.ensure` and `room.connectionDetails` each take one
 * query once the session is cached, `room.ensure` skips LiveKit's CreateRoom for a room the presence
 * records show open, and a belief that is stale or missing never fails a join.
 */
import { createTestDatabase, testDriver } from "@parlor/db/testing";
import type { DatabaseHandle } from "@parlor/db";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { handleLiveKitWebhook } from "../src/http";
import { ROOM_DEFAULTS } from "../src/rooms/logic";
import { eventually } from "./eventually";
import { startTestApp, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`the join path on ${testDriver()}`, () => {
  let app: TestApp;
  let database: DatabaseHandle;
  let queries: string[] = [];
  let now = Date.now();
  let owner: Person, member: Person;
  let teamSlug: string;
  let counter = 0;

  const deliver = async (event: unknown) => {
    const response = await handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit));
    expect(response.status).toBe(200);
  };
  const createRoomCalls = (roomName: string) =>
    app.livekit.callsTo("CreateRoom").filter((c) => c.body.name === roomName).length;

  /** A new room, made by `room.ensure` (one CreateRoom), and LiveKit's view of it. */
  async function newRoom() {
    const roomSlug = `room-${++counter}`;
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const live = app.livekit.rooms.get(roomName)!;
    return {
      roomSlug,
      roomName,
      eventRoom: { sid: live.sid, name: roomName, creationTime: Math.floor(now / 1000) },
    };
  }

  beforeAll(async () => {
    database = await createTestDatabase({
      // Presence announcements (pg_notify) follow the webhooks a test delivers, after their commit
      // and coalesced up to 50 ms later: they are not the join path's statements.
      onQuery: (query) => {
        if (!query.includes("pg_notify(")) queries.push(query);
      },
    });
    app = await startTestApp({
      database,
      clock: () => new Date(now),
      ratePolicies: { roomCreate: { limit: 10_000, windowSeconds: 3600 } },
    });
    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Mia Member");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Acme" })).slug;
    await app.addToTeam(owner, teamSlug, [[member, "member"]]);
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });
  beforeEach(() => {
    now = Date.now();
  });

  it("calls CreateRoom when nothing says LiveKit has the room open", async () => {
    const { roomSlug, roomName } = await newRoom();
    expect(createRoomCalls(roomName)).toBe(1);
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(2);
  });

  it("skips CreateRoom while someone is in the room, and calls it again once LiveKit says the room finished", async () => {
    const { roomSlug, roomName, eventRoom } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    await deliver(
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: `PA_${roomName}`, identity: owner.user.id },
      }),
    );
    for (let i = 0; i < 3; i++) await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(1);

    await deliver(webhookEvent("room_finished", { room: eventRoom }));
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(2);
  });

  it("trusts an empty room's open record only for its empty timeout", async () => {
    const { roomSlug, roomName, eventRoom } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(1);
    // LiveKit closes a room nobody joined after its empty timeout; a lost room_finished must not matter.
    now += ROOM_DEFAULTS.emptyTimeoutSeconds * 1000;
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(2);
  });

  it("trusts a room everyone left only for its departure timeout", async () => {
    const { roomSlug, roomName, eventRoom } = await newRoom();
    const participant = { sid: `PA_left_${roomName}`, identity: owner.user.id };
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    await deliver(webhookEvent("participant_joined", { room: eventRoom, participant }));
    await deliver(
      webhookEvent("participant_left", { room: eventRoom, participant, createdAt: Math.floor(now / 1000) }),
    );
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(1);
    now += ROOM_DEFAULTS.departureTimeoutSeconds * 1000;
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(createRoomCalls(roomName)).toBe(2);
  });

  it("never fails a join on a stale belief: the token carries the room's options, so LiveKit re-creates a closed room", async () => {
    const { roomSlug, roomName, eventRoom } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    await deliver(
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: `PA_stale_${roomName}`, identity: owner.user.id },
      }),
    );
    // LiveKit closed the room and every webhook saying so was lost.
    app.livekit.rooms.delete(roomName);

    const ensured = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    expect(ensured.roomName).toBe(roomName);
    const details = await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug });
    const claims = decodeJwt(details.participantToken) as {
      video: { room: string };
      roomConfig: Record<string, unknown>;
    };
    expect(claims.video.room).toBe(roomName);
    expect(claims.roomConfig).toMatchObject({
      name: roomName,
      emptyTimeout: ROOM_DEFAULTS.emptyTimeoutSeconds,
      departureTimeout: ROOM_DEFAULTS.departureTimeoutSeconds,
      maxParticipants: ROOM_DEFAULTS.maxParticipants,
    });
    expect(JSON.parse(claims.roomConfig.metadata as string)).toMatchObject({
      parlor: { teamSlug, roomSlug },
    });
  });

  it("costs one query per call once the session is cached", async () => {
    const { roomSlug, roomName, eventRoom } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    await deliver(
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: `PA_count_${roomName}`, identity: owner.user.id },
      }),
    );
    // Warm: a first call may refresh the session's expiry, and the cache keeps sessions only once
    // this instance listens for their invalidation (started on first use; a round trip on Postgres).
    // The session then comes from this instance's cache (lib/lucia.ts): only the room's query is sent.
    await eventually(async () => {
      queries = [];
      await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
      expect(queries, queries.join("\n")).toHaveLength(1);
    });
    expect(queries[0]).toMatch(/from "teams"/);

    queries = [];
    await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug });
    expect(queries, queries.join("\n")).toHaveLength(1);
    expect(queries[0]).not.toMatch(/from "sessions"/);
    expect(createRoomCalls(roomName)).toBe(1);
  });

  it("still refuses a non-member, with the team not found", async () => {
    const outsider = await app.signUp("Otto Outsider");
    const { roomSlug } = await newRoom();
    await expect(outsider.trpc.room.ensure.mutate({ teamSlug, roomSlug })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
  });
});
