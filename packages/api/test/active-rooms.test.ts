/**
 * Exactly who `admin.activeRooms` and `presenceByRoom` (room.list) list, and in what order, from
 * presence records written directly (so that joins happen at chosen times and in an order that is
 * not the time order): the database aggregates each room's connections and the app orders and
 * deduplicates them, which this pins. Presence counts as just reconciled, so nothing here asks
 * LiveKit to correct the records.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { activeRooms, presenceByRoom } from "../src/presence/views";
import { GUEST_IDENTITY_PREFIX } from "../src/lib/call";
import { startTestAppOnLiveKit, type RealLiveKitTestApp } from "./harness";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";

const binary = liveKitServerForSuite("active-rooms.test.ts");

type Person = Awaited<ReturnType<RealLiveKitTestApp["signUp"]>>;

describe.skipIf(!binary)(`who admin.activeRooms lists, on ${testDriver()}`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let siteAdmin: Person, alice: Person;
  const t0 = new Date("2026-03-02T09:00:00.000Z");
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
  const ids = { team: "", standup: "", design: "", opened: "", emptied: "", deletedUser: "" };
  let sidCounter = 0;

  async function room(slug: string) {
    const [row] = await app.services.db
      .insert(schema.rooms)
      .values({
        teamId: ids.team,
        slug,
        name: `Room ${slug}`,
        livekitRoomName: `active-rooms-${slug}`,
        maxParticipants: 100,
        emptyTimeoutSeconds: 300,
        departureTimeoutSeconds: 30,
      })
      .returning({ id: schema.rooms.id });
    return row!.id;
  }

  async function session(roomId: string, startedAt: Date) {
    const [row] = await app.services.db
      .insert(schema.roomSessions)
      .values({ roomId, livekitRoomSid: `RM_${++sidCounter}`, startedAt })
      .returning({ id: schema.roomSessions.id });
    return row!.id;
  }

  async function connect(
    roomId: string,
    roomSessionId: string,
    who: { identity: string; name: string; userId?: string | null },
    joinedAt: Date,
    leftAt: Date | null = null,
    /** Microseconds past `joinedAt` (the records keep them; answers keep milliseconds, cut, not rounded). */
    micros = 0,
  ) {
    await app.services.db.insert(schema.participantSessions).values({
      roomId,
      roomSessionId,
      identity: who.identity,
      name: who.name,
      userId: who.userId ?? null,
      participantSid: `PA_${++sidCounter}`,
      joinedAt: sql`${joinedAt.toISOString()}::timestamptz + ${`${micros} microseconds`}::interval`,
      leftAt,
    });
  }

  beforeAll(async () => {
    livekit = await startLiveKitServer({ binary });
    app = await startTestAppOnLiveKit(livekit);
    siteAdmin = await app.signUp("Site Admin");
    alice = await app.signUp("Alice Account");
    const gone = await app.signUp("Gone Person");
    ids.team = (await siteAdmin.trpc.team.create.mutate({ name: "Acme" })).id;
    ids.deletedUser = gone.user.id;

    // Standup: one meeting. Inserted out of time order, so an answer in insertion order is wrong.
    ids.standup = await room("standup");
    const standup = await session(ids.standup, at(0));
    // Alice in two tabs: her phone (joined later) is recorded before her laptop (joined first).
    await connect(
      ids.standup,
      standup,
      { identity: alice.user.id, name: "Alice phone", userId: alice.user.id },
      at(50),
    );
    await connect(
      ids.standup,
      standup,
      { identity: `${GUEST_IDENTITY_PREFIX}g1`, name: "Gus Guest" },
      at(30),
    );
    await connect(
      ids.standup,
      standup,
      { identity: alice.user.id, name: "Alice laptop", userId: alice.user.id },
      at(20),
      null,
      999,
    );
    // Someone whose account is deleted below (their records keep the identity, lose the user).
    await connect(
      ids.standup,
      standup,
      { identity: gone.user.id, name: "Gone", userId: gone.user.id },
      at(40),
    );
    // The meeting's first person, already gone: still when the meeting started.
    await connect(ids.standup, standup, { identity: "early-bird", name: "Early" }, at(10), at(15));

    // Design: a missed room_finished left an older session open, someone still recorded in it; the
    // room is listed once, with its newest session, and everyone recorded in it.
    ids.design = await room("design");
    const older = await session(ids.design, at(-3600));
    await connect(ids.design, older, { identity: "stale-sam", name: "Sam" }, at(-3500));
    const newer = await session(ids.design, at(100));
    await connect(ids.design, newer, { identity: "nina", name: "Nina" }, at(110));

    // Opened (a pre-join, nobody joined) and emptied (everyone left): no meetings.
    ids.opened = await room("opened");
    await session(ids.opened, at(200));
    ids.emptied = await room("emptied");
    const emptied = await session(ids.emptied, at(300));
    await connect(ids.emptied, emptied, { identity: "left-early", name: "Lee" }, at(301), at(302));

    await app.services.db.delete(schema.users).where(eq(schema.users.id, gone.user.id));
    const now = new Date();
    await app.services.db
      .insert(schema.appState)
      .values({ key: "presence.reconciled_at", value: now.toISOString(), updatedAt: now })
      .onConflictDoUpdate({ target: schema.appState.key, set: { value: now.toISOString(), updatedAt: now } });
  });
  afterAll(async () => {
    await app?.close();
    await livekit?.stop();
  });

  const standupPeople = () => [
    {
      identity: alice.user.id,
      userId: alice.user.id,
      name: "Alice laptop",
      accountName: "Alice Account",
      joinedAt: at(20),
      isGuest: false,
    },
    {
      identity: `${GUEST_IDENTITY_PREFIX}g1`,
      userId: null,
      name: "Gus Guest",
      accountName: null,
      joinedAt: at(30),
      isGuest: true,
    },
    {
      identity: ids.deletedUser,
      userId: null,
      name: "Gone",
      accountName: null,
      joinedAt: at(40),
      isGuest: false,
    },
  ];

  const expected = () => [
    {
      roomId: ids.design,
      roomName: "active-rooms-design",
      roomSlug: "design",
      displayName: "Room design",
      teamSlug: "acme",
      teamName: "Acme",
      createdAt: at(110),
      numParticipants: 2,
      participants: [
        {
          identity: "stale-sam",
          userId: null,
          name: "Sam",
          accountName: null,
          joinedAt: at(-3500),
          isGuest: false,
        },
        {
          identity: "nina",
          userId: null,
          name: "Nina",
          accountName: null,
          joinedAt: at(110),
          isGuest: false,
        },
      ],
    },
    {
      roomId: ids.standup,
      roomName: "active-rooms-standup",
      roomSlug: "standup",
      displayName: "Room standup",
      teamSlug: "acme",
      teamName: "Acme",
      createdAt: at(10),
      numParticipants: 3,
      participants: standupPeople(),
    },
  ];

  it("lists each meeting once, newest first, with its people once each by when they joined", async () => {
    expect(await activeRooms(app.services)).toEqual(expected());
  });

  it("sends the same over tRPC, the times as Dates", async () => {
    const answer = await siteAdmin.trpc.admin.activeRooms.query();
    expect(answer).toEqual(expected());
    expect(answer[1]!.participants[0]!.joinedAt).toBeInstanceOf(Date);
    expect(answer[1]!.createdAt).toBeInstanceOf(Date);
  });

  it("gives room.list the same people per room, and nobody for rooms without a meeting", async () => {
    const present = await presenceByRoom(app.services, [ids.standup, ids.opened, ids.emptied]);
    expect([...present.keys()]).toEqual([ids.standup]);
    expect(present.get(ids.standup)).toEqual(standupPeople());
    expect((await presenceByRoom(app.services, "all")).get(ids.design)?.map((p) => p.identity)).toEqual([
      "stale-sam",
      "nina",
    ]);
    expect(await presenceByRoom(app.services, [])).toEqual(new Map());
  });
});
