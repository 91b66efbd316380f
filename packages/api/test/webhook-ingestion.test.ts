/**
 * The cost of applying a LiveKit webhook, pinned in SQL statements per event type (each event is
 * one statement: event id, room, session and change together), and the checks that statement carries: a joining Parlor
 * user who is no longer a member, is banned from the room, or holds `roomAdmin` without managing
 * the team is removed at once; one who keeps their access costs no further query.
 */
import { createTestDatabase, testDriver } from "@parlor/db/testing";
import { schema, type DatabaseHandle } from "@parlor/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ROOM_ADMIN_ATTRIBUTE } from "../src/access";
import { handleLiveKitWebhook } from "../src/http";
import { errorOf, startTestApp, type TestApp } from "./harness";
import { webhookEvent, webhookRequest, type EventParticipant, type EventRoom } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`webhook ingestion on ${testDriver()}`, () => {
  let app: TestApp;
  let database: DatabaseHandle;
  let queries: string[] = [];
  let owner: Person, member: Person;
  let teamSlug: string;
  let counter = 0;

  /** The statements one delivery runs (the coalesced presence announcement apart), and its answer. */
  async function deliver(event: unknown) {
    queries = [];
    const response = await handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit));
    expect(response.status).toBe(200);
    // Next's compression leaves a `no-transform` answer alone: no gzip of a few dozen bytes per event.
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    const body = (await response.json()) as { applied: boolean };
    return { applied: body.applied, statements: queries.filter((q) => !/pg_notify/.test(q)) };
  }

  async function newRoom() {
    const roomSlug = `room-${++counter}`;
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    const live = app.livekit.rooms.get(roomName)!;
    const eventRoom: EventRoom = { sid: live.sid, name: roomName };
    return { roomSlug, roomName, eventRoom };
  }

  /** Someone LiveKit lets into the room (with a token minted earlier), as its join webhook says. */
  function joinEvent(
    eventRoom: EventRoom,
    person: Person,
    attributes: Record<string, string> = {},
  ): { event: object; participant: EventParticipant } {
    const live = app.livekit.join(eventRoom.name, { identity: person.user.id, attributes });
    const participant = { sid: live.sid, identity: person.user.id };
    const event = webhookEvent("participant_joined", { room: eventRoom, participant });
    return { event: { ...event, participant: { ...event.participant!, attributes } }, participant };
  }

  const present = (roomName: string) => app.livekit.rooms.get(roomName)!.participants;

  beforeAll(async () => {
    database = await createTestDatabase({ onQuery: (query) => queries.push(query) });
    app = await startTestApp({
      database,
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

  it("applies each event in one statement, a room lifetime's first event too", async () => {
    const { eventRoom, roomName } = await newRoom();
    const started = webhookEvent("room_started", { room: eventRoom });
    const first = await deliver(started);
    expect(first.applied).toBe(true);
    expect(first.statements, first.statements.join("\n")).toHaveLength(1);

    const { event: joined, participant } = joinEvent(eventRoom, member);
    const join = await deliver(joined);
    expect(join.applied).toBe(true);
    // A member who keeps their access: no further query, and LiveKit is not asked to remove anyone.
    expect(join.statements, join.statements.join("\n")).toHaveLength(1);
    expect(present(roomName).has(member.user.id)).toBe(true);

    const redelivered = await deliver(joined);
    expect(redelivered).toEqual({ applied: false, statements: [expect.any(String)] });

    const left = await deliver(webhookEvent("participant_left", { room: eventRoom, participant }));
    expect(left.applied).toBe(true);
    expect(left.statements).toHaveLength(1);

    const finished = await deliver(webhookEvent("room_finished", { room: eventRoom }));
    expect(finished.applied).toBe(true);
    expect(finished.statements).toHaveLength(1);

    const elsewhere = await deliver(
      webhookEvent("participant_joined", {
        room: { sid: "RM_not_parlor", name: "not-a-parlor-room" },
        participant: { sid: "PA_elsewhere", identity: member.user.id },
      }),
    );
    expect(elsewhere).toEqual({ applied: true, statements: [expect.any(String)] });
    expect(app.livekit.callsTo("RemoveParticipant")).toHaveLength(0);
  });

  it("records each room lifetime once when its first events arrive together", async () => {
    const rooms = await Promise.all(Array.from({ length: 10 }, () => newRoom()));
    const sent = rooms.flatMap(({ eventRoom }, i) => [
      webhookEvent("room_started", { room: eventRoom }),
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: `PA_together_${counter}_${i}`, identity: `agent-${i}` },
      }),
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: `PA_together_${counter}_${i}_b`, identity: `agent-${i}-b` },
      }),
    ]);
    const answers = await Promise.all(
      sent.map(async (event) => handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit))),
    );
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 200));
    for (const [i, { eventRoom }] of rooms.entries()) {
      const sessions = await app.services.db
        .select({ id: schema.roomSessions.id })
        .from(schema.roomSessions)
        .where(eq(schema.roomSessions.livekitRoomSid, eventRoom.sid));
      expect(sessions).toHaveLength(1);
      const people = await app.services.db
        .select({ identity: schema.participantSessions.identity, left: schema.participantSessions.leftAt })
        .from(schema.participantSessions)
        .where(eq(schema.participantSessions.roomSessionId, sessions[0]!.id));
      expect(people.map((p) => p.identity).sort()).toEqual([`agent-${i}`, `agent-${i}-b`]);
      expect(people.every((p) => p.left === null)).toBe(true);
    }
  });

  it("records a join to the millisecond: one a moment after a lock, in the same second, was not there when it was locked", async () => {
    const { eventRoom, roomName, roomSlug } = await newRoom();
    // The lock half-way through a second, the join 200 ms later: LiveKit's joinedAt (whole
    // seconds) reads as before the lock, its joinedAtMs as after.
    const second = Math.floor(Date.now() / 1000) - 5;
    await app.services.db
      .update(schema.rooms)
      .set({ lockedAt: new Date(second * 1000 + 500) })
      .where(eq(schema.rooms.livekitRoomName, roomName));
    const { event, participant } = joinEvent(eventRoom, member);
    const joined = event as { participant: Record<string, unknown> };
    const joinedAtMs = second * 1000 + 700;
    await deliver({
      ...joined,
      participant: { ...joined.participant, joinedAt: String(second), joinedAtMs: String(joinedAtMs) },
    });
    const [session] = await app.services.db
      .select({ joinedAt: schema.participantSessions.joinedAt })
      .from(schema.participantSessions)
      .where(eq(schema.participantSessions.participantSid, participant.sid));
    expect(session!.joinedAt.getTime()).toBe(joinedAtMs);
    // So the lock still keeps them out: a new token is refused, as the join was.
    expect(await errorOf(member.trpc.room.connectionDetails.query({ teamSlug, roomSlug }))).toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("a room lifetime first heard of in its room_finished is recorded as over, and its lock lifted", async () => {
    const { eventRoom, roomName } = await newRoom();
    await app.services.db
      .update(schema.rooms)
      .set({ lockedAt: new Date() })
      .where(eq(schema.rooms.livekitRoomName, roomName));
    const at = Math.floor(Date.now() / 1000) - 60;
    const finished = await deliver(
      webhookEvent("room_finished", { room: { ...eventRoom, creationTime: at - 600 }, createdAt: at }),
    );
    expect(finished).toEqual({ applied: true, statements: [expect.any(String)] });
    const [session] = await app.services.db
      .select()
      .from(schema.roomSessions)
      .where(eq(schema.roomSessions.livekitRoomSid, eventRoom.sid));
    expect(session!.startedAt.getTime()).toBe((at - 600) * 1000);
    expect(session!.endedAt?.getTime()).toBe(at * 1000);
    const [room] = await app.services.db
      .select({ lockedAt: schema.rooms.lockedAt })
      .from(schema.rooms)
      .where(eq(schema.rooms.livekitRoomName, roomName));
    expect(room!.lockedAt).toBeNull();
  });

  it("records a redelivered event once and a join after room_finished as over", async () => {
    const { eventRoom, roomSlug } = await newRoom();
    const at = Math.floor(Date.now() / 1000) - 600;
    await deliver(webhookEvent("room_started", { room: { ...eventRoom, creationTime: at }, createdAt: at }));
    await deliver(webhookEvent("room_finished", { room: eventRoom, createdAt: at + 60 }));
    const late = { sid: `PA_late_${counter}`, identity: member.user.id, joinedAt: at + 120 };
    const join = webhookEvent("participant_joined", {
      room: eventRoom,
      participant: late,
      createdAt: at + 120,
    });
    expect((await deliver(join)).applied).toBe(true);
    expect((await deliver(join)).applied).toBe(false);

    const [row] = await app.services.db
      .select()
      .from(schema.participantSessions)
      .where(eq(schema.participantSessions.participantSid, late.sid));
    expect(row!.joinedAt.getTime()).toBe((at + 60) * 1000);
    expect(row!.leftAt!.getTime()).toBe((at + 60) * 1000);
    expect(row!.userId).toBe(member.user.id);
    const rooms = await member.trpc.room.list.query({ teamSlug });
    expect(rooms.find((r) => r.slug === roomSlug)!.participants).toEqual([]);
  });

  it("removes a joining member who is banned from the room", async () => {
    const { eventRoom, roomName } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    const [room] = await app.services.db
      .select({ id: schema.rooms.id })
      .from(schema.rooms)
      .where(eq(schema.rooms.livekitRoomName, roomName));
    await app.services.db
      .insert(schema.roomBans)
      .values({ roomId: room!.id, userId: member.user.id, until: new Date(Date.now() + 600_000) });
    try {
      const { event } = joinEvent(eventRoom, member);
      expect((await deliver(event)).applied).toBe(true);
      expect(present(roomName).has(member.user.id)).toBe(false);
    } finally {
      await app.services.db
        .delete(schema.roomBans)
        .where(and(eq(schema.roomBans.roomId, room!.id), eq(schema.roomBans.userId, member.user.id)));
    }
  });

  it("removes a joining member whose connection holds roomAdmin, and keeps an owner's", async () => {
    const { eventRoom, roomName } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    const { event: ownerJoin } = joinEvent(eventRoom, owner, { [ROOM_ADMIN_ATTRIBUTE]: "true" });
    expect((await deliver(ownerJoin)).statements).toHaveLength(1);
    expect(present(roomName).has(owner.user.id)).toBe(true);

    const { event } = joinEvent(eventRoom, member, { [ROOM_ADMIN_ATTRIBUTE]: "true" });
    await deliver(event);
    expect(present(roomName).has(member.user.id)).toBe(false);
  });

  it("removes a joining user who is not a member of the team, and leaves a non-Parlor identity alone", async () => {
    const { eventRoom, roomName } = await newRoom();
    await deliver(webhookEvent("room_started", { room: eventRoom }));
    const stranger = await app.signUp("Sam Stranger");
    const { event } = joinEvent(eventRoom, stranger);
    await deliver(event);
    expect(present(roomName).has(stranger.user.id)).toBe(false);

    const agent = app.livekit.join(roomName, { identity: "agent-recorder" });
    const agentJoin = await deliver(
      webhookEvent("participant_joined", {
        room: eventRoom,
        participant: { sid: agent.sid, identity: "agent-recorder" },
      }),
    );
    expect(agentJoin.statements).toHaveLength(1);
    expect(present(roomName).has("agent-recorder")).toBe(true);
  });
});
