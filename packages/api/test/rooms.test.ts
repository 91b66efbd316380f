import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcilePresence } from "../src/presence/reconcile";
import { ROOM_DEFAULTS, TOKEN_TTL_SECONDS } from "../src/rooms/logic";
import { errorOf, startTestApp, type TestApp } from "./harness";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`rooms on ${testDriver()}`, () => {
  let app: TestApp;
  let owner: Person, admin: Person, member: Person, outsider: Person, siteAdmin: Person;
  let teamSlug: string;
  let otherTeamSlug: string;

  beforeAll(async () => {
    app = await startTestApp();
    siteAdmin = await app.signUp("Site Admin"); // first account: site admin, member of no team
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Acme" })).slug;
    otherTeamSlug = (await outsider.trpc.team.create.mutate({ name: "Rival Corp" })).slug;
    const adminInvite = await owner.trpc.team.createInvite.mutate({ teamSlug, role: "admin" });
    await admin.trpc.team.acceptInvite.mutate({ token: adminInvite.token });
    const invite = await owner.trpc.team.createInvite.mutate({ teamSlug });
    await member.trpc.team.acceptInvite.mutate({ token: invite.token });
  });
  afterAll(() => app.close());

  it("creates rooms with readable slugs unique within the team, in any script", async () => {
    const a = await member.trpc.room.create.mutate({ teamSlug, name: "Daily Standup" });
    const b = await member.trpc.room.create.mutate({ teamSlug, name: "Daily  standup!" });
    const c = await member.trpc.room.create.mutate({ teamSlug, name: "設計レビュー" });
    const d = await member.trpc.room.create.mutate({ teamSlug, name: "Café Crème" });
    const e = await member.trpc.room.create.mutate({ teamSlug, name: "🎉🎉" });
    expect([a.slug, b.slug, c.slug, d.slug, e.slug]).toEqual([
      "daily-standup",
      "daily-standup-2",
      "設計レビュー",
      "cafe-creme",
      "room",
    ]);
    expect(a).toMatchObject({ name: "Daily Standup", teamSlug });
    const rival = await outsider.trpc.room.create.mutate({ teamSlug: otherTeamSlug, name: "Daily Standup" });
    expect(rival.slug).toBe("daily-standup");
  });

  it("gives every room a LiveKit name that is unique and not derived from its slugs", async () => {
    const rows = await app.services.db.select().from(schema.rooms);
    const names = rows.map((r) => r.livekitRoomName);
    expect(new Set(names).size).toBe(names.length);
    for (const row of rows) {
      expect(row.livekitRoomName).not.toContain(row.slug);
      expect(row.livekitRoomName).toMatch(/^parlor-[A-Za-z0-9_-]{16}$/);
    }
  });

  it("refuses room names that are empty or too long", async () => {
    for (const name of ["", "   ", "x".repeat(65), "\u0000\u0001"]) {
      const error = await errorOf(member.trpc.room.create.mutate({ teamSlug, name }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.data?.fieldErrors?.name).toBeDefined();
    }
  });

  describe("room.ensure", () => {
    it("creates a new room once and confirms it after, calling CreateRoom with Parlor's options", async () => {
      const before = app.livekit.callsTo("CreateRoom").length;
      const first = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      const second = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      expect(first).toMatchObject({ created: true, roomSlug: "standup", name: "Standup" });
      expect(second).toMatchObject({ created: false, roomName: first.roomName });

      const rows = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "standup"));
      expect(rows).toHaveLength(1);

      const calls = app.livekit.callsTo("CreateRoom").slice(before);
      expect(calls).toHaveLength(2);
      const body = calls[0]!.body;
      expect(body).toMatchObject({
        name: first.roomName,
        emptyTimeout: ROOM_DEFAULTS.emptyTimeoutSeconds,
        departureTimeout: ROOM_DEFAULTS.departureTimeoutSeconds,
        maxParticipants: ROOM_DEFAULTS.maxParticipants,
      });
      expect(JSON.parse(body.metadata as string)).toMatchObject({
        parlor: { teamSlug, roomSlug: "standup", roomName: "Standup" },
      });
      expect(calls[0]!.grants).toMatchObject({ roomCreate: true });
      expect(app.livekit.rooms.get(first.roomName)).toBeDefined();
    });

    it("ends with one room when twenty members open the same new URL at once", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          [owner, admin, member][i % 3]!.trpc.room.ensure.mutate({ teamSlug, roomSlug: "all-hands" }),
        ),
      );
      expect(new Set(results.map((r) => r.roomName)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const rows = await app.services.db
        .select()
        .from(schema.rooms)
        .where(eq(schema.rooms.slug, "all-hands"));
      expect(rows).toHaveLength(1);
    });

    it("answers SERVICE_UNAVAILABLE and leaves no record when LiveKit is down", async () => {
      app.livekit.setMode("fail");
      try {
        const error = await errorOf(member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "down-room" }));
        expect(error.code).toBe("SERVICE_UNAVAILABLE");
        expect(error.httpStatus).toBe(503);
        expect(error.message).toMatch(/video service/i);
      } finally {
        app.livekit.setMode("ok");
      }
      const rows = await app.services.db
        .select()
        .from(schema.rooms)
        .where(eq(schema.rooms.slug, "down-room"));
      expect(rows).toHaveLength(0);
      await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "down-room" });
    });

    it("answers SERVICE_UNAVAILABLE within the timeout when LiveKit hangs, and leaves no record", async () => {
      app.livekit.setMode("hang");
      const started = performance.now();
      try {
        const error = await errorOf(member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "hang-room" }));
        expect(error.code).toBe("SERVICE_UNAVAILABLE");
      } finally {
        app.livekit.setMode("ok");
      }
      const elapsed = performance.now() - started;
      // It gave up at its timeout, not at the double's hang (which lasts until set back): the
      // margin is for a busy machine, the lower bound shows the timeout was what answered.
      expect(elapsed).toBeGreaterThanOrEqual(app.config.livekit.timeoutMs - 50);
      expect(elapsed).toBeLessThan(app.config.livekit.timeoutMs + 15_000);
      const rows = await app.services.db
        .select()
        .from(schema.rooms)
        .where(eq(schema.rooms.slug, "hang-room"));
      expect(rows).toHaveLength(0);
    });

    it("with create: false, finds an existing room and leaves nothing behind for an unknown address", async () => {
      await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      const found = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup", create: false });
      expect(found).toMatchObject({ created: false, roomSlug: "standup" });

      const before = app.livekit.callsTo("CreateRoom").length;
      const error = await errorOf(
        member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "stnadup", create: false }),
      );
      expect(error.code).toBe("NOT_FOUND");
      const rows = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "stnadup"));
      expect(rows).toHaveLength(0);
      expect(app.livekit.callsTo("CreateRoom").length).toBe(before);
    });

    it("refuses an address that is not a slug", async () => {
      const error = await errorOf(member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "../admin" }));
      expect(error.code).toBe("BAD_REQUEST");
    });
  });

  describe("room.connectionDetails", () => {
    it("mints a token for exactly this user and this room, valid for minutes", async () => {
      const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      const details = await member.trpc.room.connectionDetails.query({
        teamSlug,
        roomSlug: "standup",
        participantName: "Mia M.",
      });
      expect(details).toMatchObject({ serverUrl: app.livekit.wsUrl, roomName, participantName: "Mia M." });

      const claims = decodeJwt(details.participantToken);
      expect(claims.sub).toBe(member.user.id);
      expect(claims.iss).toBe(app.livekit.apiKey);
      expect(claims.name).toBe("Mia M.");
      expect(claims.video).toEqual({
        room: roomName,
        roomJoin: true,
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        roomAdmin: false,
      });
      const lifetime = claims.exp! - Math.floor(Date.now() / 1000);
      expect(lifetime).toBeGreaterThan(TOKEN_TTL_SECONDS - 30);
      expect(lifetime).toBeLessThanOrEqual(TOKEN_TTL_SECONDS);
      expect(TOKEN_TTL_SECONDS).toBeLessThanOrEqual(60 * 60);
    });

    it("grants roomAdmin to owners and admins only", async () => {
      for (const [person, expected] of [
        [owner, true],
        [admin, true],
        [member, false],
      ] as const) {
        const details = await person.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
        expect((decodeJwt(details.participantToken).video as { roomAdmin: boolean }).roomAdmin).toBe(
          expected,
        );
      }
    });

    it("uses the saved display name, else the account name", async () => {
      const plain = await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
      expect(plain.participantName).toBe("Mia Member");
      await member.trpc.preferences.update.mutate({ displayName: "Mia 🎧" });
      const saved = await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
      expect(saved.participantName).toBe("Mia 🎧");
      const blank = await member.trpc.room.connectionDetails.query({
        teamSlug,
        roomSlug: "standup",
        participantName: "   ",
      });
      expect(blank.participantName).toBe("Mia 🎧");
      await member.trpc.preferences.update.mutate({ displayName: null });
    });

    it.each([
      ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"],
      ["Zoë 🦊", "Zoë 🦊"],
      ["שלום עולם", "שלום עולם"],
      ["a\u0000b\u0007c\u202Ed", "abcd"],
      ["n".repeat(200), "n".repeat(64)],
    ])("bounds and cleans the name %j, never changing the identity", async (input, expected) => {
      const details = await member.trpc.room.connectionDetails.query({
        teamSlug,
        roomSlug: "standup",
        participantName: input,
      });
      expect(details.participantName).toBe(expected);
      const claims = decodeJwt(details.participantToken);
      expect(claims.sub).toBe(member.user.id);
      expect(claims.name).toBe(expected);
    });

    it("refuses a 10,000-character name with a field error, not a 500", async () => {
      const error = await errorOf(
        member.trpc.room.connectionDetails.query({
          teamSlug,
          roomSlug: "standup",
          participantName: "x".repeat(10_000),
        }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.data?.fieldErrors?.participantName).toBeDefined();
    });

    it("never gives a member of another team a token: not by slug, room id or LiveKit name", async () => {
      const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      const [room] = await app.services.db
        .select()
        .from(schema.rooms)
        .where(eq(schema.rooms.livekitRoomName, roomName));
      const attempts = [
        { teamSlug, roomSlug: "standup" },
        { teamSlug: otherTeamSlug, roomSlug: "standup" },
        { teamSlug: otherTeamSlug, roomSlug: roomName },
        { teamSlug, roomSlug: roomName },
        { teamSlug: otherTeamSlug, roomSlug: room!.id },
      ];
      for (const input of attempts) {
        const error = await errorOf(outsider.trpc.room.connectionDetails.query(input));
        expect(["NOT_FOUND", "FORBIDDEN", "BAD_REQUEST"]).toContain(error.code);
        expect(JSON.stringify(error)).not.toContain("participantToken");
      }
      expect((await errorOf(outsider.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" }))).code).toBe(
        "NOT_FOUND",
      );
    });
  });

  describe("authorization matrix", () => {
    type Role = "signedOut" | "nonMember" | "member" | "admin" | "owner" | "siteAdmin";
    const roles: Role[] = ["signedOut", "nonMember", "member", "admin", "owner", "siteAdmin"];
    const who = (role: Role) =>
      ({ signedOut: app.client(), nonMember: outsider, member, admin, owner, siteAdmin })[role];

    const membersOnly: Role[] = ["member", "admin", "owner"];
    const managersOnly: Role[] = ["admin", "owner"];
    let counter = 0;

    const cases: { name: string; allowed: Role[]; call: (c: ReturnType<typeof who>) => Promise<unknown> }[] =
      [
        {
          name: "team.list",
          allowed: ["nonMember", "member", "admin", "owner", "siteAdmin"],
          call: (c) => c.trpc.team.list.query(),
        },
        {
          name: "team.create",
          allowed: ["nonMember", "member", "admin", "owner", "siteAdmin"],
          call: (c) => c.trpc.team.create.mutate({ name: `Matrix ${++counter}` }),
        },
        { name: "team.get", allowed: membersOnly, call: (c) => c.trpc.team.get.query({ teamSlug }) },
        { name: "team.members", allowed: membersOnly, call: (c) => c.trpc.team.members.query({ teamSlug }) },
        {
          name: "team.createInvite",
          allowed: managersOnly,
          call: (c) => c.trpc.team.createInvite.mutate({ teamSlug }),
        },
        { name: "team.invites", allowed: managersOnly, call: (c) => c.trpc.team.invites.query({ teamSlug }) },
        {
          name: "room.create",
          allowed: membersOnly,
          call: (c) => c.trpc.room.create.mutate({ teamSlug, name: `Matrix room ${++counter}` }),
        },
        { name: "room.list", allowed: membersOnly, call: (c) => c.trpc.room.list.query({ teamSlug }) },
        {
          name: "room.get",
          allowed: membersOnly,
          call: (c) => c.trpc.room.get.query({ teamSlug, roomSlug: "standup" }),
        },
        {
          name: "room.ensure",
          allowed: membersOnly,
          call: (c) => c.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" }),
        },
        {
          name: "room.connectionDetails",
          allowed: membersOnly,
          call: (c) => c.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" }),
        },
        {
          name: "room.rename",
          allowed: managersOnly,
          call: (c) => c.trpc.room.rename.mutate({ teamSlug, roomSlug: "standup", name: "Standup" }),
        },
        {
          // Rooms created by the owner: a member may only delete rooms they created themselves.
          name: "room.delete",
          allowed: managersOnly,
          call: async (c) => {
            const slug = `doomed-${++counter}`;
            await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: slug });
            return c.trpc.room.delete.mutate({ teamSlug, roomSlug: slug });
          },
        },
        {
          name: "preferences.get",
          allowed: ["nonMember", "member", "admin", "owner", "siteAdmin"],
          call: (c) => c.trpc.preferences.get.query(),
        },
      ];

    for (const testCase of cases) {
      it(`${testCase.name}: allowed for ${testCase.allowed.join(", ")} only`, async () => {
        await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
        for (const role of roles) {
          const attempt = testCase.call(who(role));
          if (testCase.allowed.includes(role)) {
            await expect(attempt, `${role} should be allowed`).resolves.toBeDefined();
          } else {
            const error = await errorOf(attempt);
            const expected = role === "signedOut" ? ["UNAUTHORIZED"] : ["NOT_FOUND", "FORBIDDEN"];
            expect(expected, `${role} got ${error.code}`).toContain(error.code);
          }
        }
      });
    }
  });

  it("room.list shows who is in each room now, once presence is reconciled with LiveKit", async () => {
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
    app.livekit.join(roomName, { identity: owner.user.id, name: "Olivia" });
    await reconcilePresence(app.services);
    const rooms = await member.trpc.room.list.query({ teamSlug });
    const standup = rooms.find((r) => r.slug === "standup");
    expect(standup?.participants).toEqual([
      expect.objectContaining({ identity: owner.user.id, name: "Olivia" }),
    ]);
    expect(rooms.find((r) => r.slug === "all-hands")?.participants).toEqual([]);
  });

  it("renames a room but keeps its address; deleting closes the live LiveKit room", async () => {
    const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "retro" });
    const renamed = await admin.trpc.room.rename.mutate({
      teamSlug,
      roomSlug: "retro",
      name: "Sprint Retro",
    });
    expect(renamed).toMatchObject({ slug: "retro", name: "Sprint Retro" });
    expect(app.livekit.rooms.has(roomName)).toBe(true);
    await owner.trpc.room.delete.mutate({ teamSlug, roomSlug: "retro" });
    expect(app.livekit.rooms.has(roomName)).toBe(false);
    expect((await errorOf(owner.trpc.room.get.query({ teamSlug, roomSlug: "retro" }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("lets whoever created a room delete it while nobody has met in it, and nobody else but managers", async () => {
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "oops-typo" });
    await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "kept" });
    let listed = await member.trpc.room.list.query({ teamSlug });
    expect(listed.find((r) => r.slug === "oops-typo")?.canDelete).toBe(true);
    expect(listed.find((r) => r.slug === "standup")?.canDelete).toBe(false);
    expect((await admin.trpc.room.list.query({ teamSlug })).every((r) => r.canDelete)).toBe(true);

    // Another member did not create it.
    const other = await app.signUp("Nora Newcomer");
    const invite = await owner.trpc.team.createInvite.mutate({ teamSlug });
    await other.trpc.team.acceptInvite.mutate({ token: invite.token });
    expect((await errorOf(other.trpc.room.delete.mutate({ teamSlug, roomSlug: "oops-typo" }))).code).toBe(
      "FORBIDDEN",
    );

    await member.trpc.room.delete.mutate({ teamSlug, roomSlug: "oops-typo" });
    expect(app.livekit.rooms.has(roomName)).toBe(false);
    expect((await errorOf(member.trpc.room.get.query({ teamSlug, roomSlug: "oops-typo" }))).code).toBe(
      "NOT_FOUND",
    );

    // Once someone has met in it, the room keeps its history: only managers may delete it.
    const kept = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "kept" });
    app.livekit.join(kept.roomName, { identity: member.user.id, name: "Mia" });
    await reconcilePresence(app.services);
    listed = await member.trpc.room.list.query({ teamSlug });
    expect(listed.find((r) => r.slug === "kept")?.canDelete).toBe(false);
    const refused = await errorOf(member.trpc.room.delete.mutate({ teamSlug, roomSlug: "kept" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/history/);
  });

  it("keeps the record when LiveKit cannot close the room, so deleting can be retried", async () => {
    await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "sticky" });
    app.livekit.setMode("fail");
    try {
      expect((await errorOf(owner.trpc.room.delete.mutate({ teamSlug, roomSlug: "sticky" }))).code).toBe(
        "SERVICE_UNAVAILABLE",
      );
    } finally {
      app.livekit.setMode("ok");
    }
    expect((await owner.trpc.room.get.query({ teamSlug, roomSlug: "sticky" })).slug).toBe("sticky");
  });
});
