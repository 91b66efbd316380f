/**
 * Guests and the lobby: guest links, guest sessions bound to one room, knocking, admitting and
 * denying in real time through the presence channel, the room lock, and the limits; every new
 * procedure's authorization matrix.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { LIVE_STREAM_POLICY } from "../src/lib/live-streams";
import { createContext } from "../src/lib/context";
import { handleLiveKitWebhook } from "../src/http";
import { createCaller } from "../src/root";
import { GUEST_ATTRIBUTE } from "../src/lib/call";
import { LOBBY_TIMEOUT_SECONDS } from "../src/guests/schemas";
import { errorOf, startTestApp, type TestApp, type TestClient } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`guests and the lobby on ${testDriver()}`, () => {
  let app: TestApp;
  let siteAdmin: Person, owner: Person, admin: Person, member: Person, outsider: Person;
  let teamSlug: string;
  let now = new Date();
  const room = { roomSlug: "standup" } as { teamSlug: string; roomSlug: string };
  let ipCounter = 0;
  /** A browser at its own address (the per-address limit is tested on its own). */
  const browser = () => app.client(`198.51.100.${++ipCounter % 250}`);

  async function newLink(options: { requireKnock?: boolean; expiresInHours?: number } = {}) {
    return owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: true, ...options });
  }
  async function guestVia(token: string, name = "Gina Guest", client: TestClient = browser()) {
    const status = await client.trpc.guest.join.mutate({ token, name });
    return { ...client, status };
  }

  beforeAll(async () => {
    app = await startTestApp({ clock: () => now });
    siteAdmin = await app.signUp("Site Admin");
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Acme" })).slug;
    room.teamSlug = teamSlug;
    await outsider.trpc.team.create.mutate({ name: "Other" });
    await app.addToTeam(owner, teamSlug, [
      [admin, "admin"],
      [member, "member"],
    ]);
    await owner.trpc.room.ensure.mutate(room);
  });
  afterAll(() => app?.close());

  it("stores only the link's hash, says where it leads, and lets a guest knock, be seen and be admitted", async () => {
    const link = await newLink();
    expect(link.url).toBe(`http://parlor.test/g/${link.token}`);
    const stored = await app.services.db
      .select()
      .from(schema.guestLinks)
      .where(eq(schema.guestLinks.id, link.id));
    expect(JSON.stringify(stored)).not.toContain(link.token);
    expect(link.expiresAt.getTime() - now.getTime()).toBe(24 * 3600 * 1000);

    const visitor = browser();
    expect(await visitor.trpc.guest.preview.query({ token: link.token })).toMatchObject({
      teamName: "Acme",
      roomName: "Standup",
      requireKnock: true,
      guest: null,
    });
    const guest = await guestVia(link.token, "  Gina\u0000 Guest ", visitor);
    expect(guest.status).toMatchObject({ status: "waiting", name: "Gina Guest" });
    const cookie = [...guest.cookies.keys()];
    expect(cookie).toEqual(["parlor_guest"]);
    const sessions = await app.services.db.select().from(schema.guestSessions);
    expect(JSON.stringify(sessions)).not.toContain(guest.cookies.get("parlor_guest"));

    // Reloading the guest page finds the knock again.
    expect((await guest.trpc.guest.preview.query({ token: link.token })).guest?.status).toBe("waiting");

    const waiting = await admin.trpc.lobby.list.query(room);
    expect(waiting).toEqual([expect.objectContaining({ name: "Gina Guest", isGuest: true })]);
    // The team page shows knocks to those who can answer them, and only to them.
    const ownersView = (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "standup");
    expect(ownersView?.lobby).toEqual([expect.objectContaining({ id: waiting[0]!.id, isGuest: true })]);
    const membersView = (await member.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "standup");
    expect(membersView?.lobby).toEqual([]);

    expect(await errorOf(guest.trpc.guest.connectionDetails.query())).toMatchObject({ code: "FORBIDDEN" });
    await admin.trpc.lobby.admit.mutate({ ...room, requestId: waiting[0]!.id });
    expect(await guest.trpc.guest.status.query()).toMatchObject({ status: "admitted" });
    expect(await admin.trpc.lobby.list.query(room)).toEqual([]);

    const details = await guest.trpc.guest.connectionDetails.query();
    const claims = decodeJwt(details.participantToken) as {
      sub: string;
      name: string;
      attributes?: Record<string, string>;
      video: { roomAdmin?: boolean; room: string };
    };
    expect(claims.sub).toMatch(/^guest-/);
    expect(claims.name).toBe("Gina Guest");
    expect(claims.attributes).toEqual({ [GUEST_ATTRIBUTE]: "1" });
    expect(claims.video.roomAdmin).toBeFalsy();

    // Answering twice is refused plainly.
    expect(await errorOf(owner.trpc.lobby.deny.mutate({ ...room, requestId: waiting[0]!.id }))).toMatchObject(
      {
        code: "NOT_FOUND",
      },
    );
  });

  it("admits directly when the link says so, unless the room is locked", async () => {
    const link = await newLink({ requireKnock: false });
    expect((await guestVia(link.token)).status.status).toBe("admitted");
    await owner.trpc.room.setLocked.mutate({ ...room, locked: true });
    expect((await guestVia(link.token)).status.status).toBe("waiting");
    await owner.trpc.room.setLocked.mutate({ ...room, locked: false });
  });

  it("tells the waiting guest of the answer at once, through the presence channel (no polling)", async () => {
    const link = await newLink();
    const guest = await guestVia(link.token, "Sam Subscriber");
    const ctx = createContext(app.services, {
      headers: new Headers({ cookie: `parlor_guest=${guest.cookies.get("parlor_guest")}` }),
    });
    const controller = new AbortController();
    const updates = await createCaller(ctx, { signal: controller.signal }).guest.statusChanges();
    const iterator = updates[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ status: "waiting" });
    const [request] = (await owner.trpc.lobby.list.query(room)).filter((r) => r.name === "Sam Subscriber");
    await owner.trpc.lobby.deny.mutate({ ...room, requestId: request!.id });
    expect((await iterator.next()).value).toMatchObject({ status: "denied" });
    controller.abort();
    expect(await errorOf(guest.trpc.guest.connectionDetails.query())).toMatchObject({ code: "FORBIDDEN" });
    // A denied guest cannot simply knock again.
    expect(await guest.trpc.guest.askAgain.mutate()).toMatchObject({ status: "denied" });
  });

  it(`caps a guest pass's status streams at ${LIVE_STREAM_POLICY.perGuestPass}, and frees a closed one's place`, async () => {
    const link = await newLink();
    const guest = await guestVia(link.token, "Tab Hoarder");
    const ctx = createContext(app.services, {
      headers: new Headers({ cookie: `parlor_guest=${guest.cookies.get("parlor_guest")}` }),
    });
    const controllers: AbortController[] = [];
    const open = async () => {
      const controller = new AbortController();
      controllers.push(controller);
      const updates = await createCaller(ctx, { signal: controller.signal }).guest.statusChanges();
      return updates[Symbol.asyncIterator]().next();
    };
    try {
      for (let i = 0; i < LIVE_STREAM_POLICY.perGuestPass; i++) {
        expect((await open()).value).toMatchObject({ status: "waiting" });
      }
      await expect(open()).rejects.toMatchObject({
        code: "TOO_MANY_REQUESTS",
        message: expect.stringContaining("Too many live updates"),
      });
      controllers[0]!.abort();
      expect((await open()).value).toMatchObject({ status: "waiting" });
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  it("lets a knock nobody answers lapse after 10 minutes, and the guest ask again", async () => {
    const link = await newLink();
    const guest = await guestVia(link.token, "Patient Pat");
    expect(guest.status.answerBy?.getTime()).toBe(now.getTime() + LOBBY_TIMEOUT_SECONDS * 1000);
    const start = now;
    try {
      now = new Date(start.getTime() + LOBBY_TIMEOUT_SECONDS * 1000 + 1000);
      expect(await guest.trpc.guest.status.query()).toMatchObject({ status: "timedOut" });
      expect((await owner.trpc.lobby.list.query(room)).map((r) => r.name)).not.toContain("Patient Pat");
      expect(await guest.trpc.guest.askAgain.mutate()).toMatchObject({ status: "waiting" });
      expect((await owner.trpc.lobby.list.query(room)).map((r) => r.name)).toContain("Patient Pat");
    } finally {
      now = start;
    }
  });

  it("gives an expired, withdrawn or unknown link a clear answer", async () => {
    const expiring = await newLink({ expiresInHours: 1 });
    const start = now;
    now = new Date(start.getTime() + 3600_000 + 1000);
    const expired = await errorOf(browser().trpc.guest.preview.query({ token: expiring.token }));
    now = start;
    expect(expired).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("expired") });

    const unknown = await errorOf(browser().trpc.guest.preview.query({ token: "x".repeat(32) }));
    expect(unknown).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("not valid") });
    expect(await errorOf(browser().trpc.guest.join.mutate({ token: "short", name: "A" }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(
      await errorOf(browser().trpc.room.createGuestLink.mutate({ ...room, expiresInHours: 31 * 24 })),
    ).toMatchObject({ code: "UNAUTHORIZED" });
    expect(
      await errorOf(owner.trpc.room.createGuestLink.mutate({ ...room, expiresInHours: 31 * 24 })),
    ).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("30 days") });
  });

  it("revoking a link turns its waiting guests away and, when asked, removes those in the call", async () => {
    const link = await newLink();
    const waiting = await guestVia(link.token, "Walter Waiting");
    const direct = await newLink({ requireKnock: false });
    const inCall = await guestVia(direct.token, "Carla Call");
    const details = await inCall.trpc.guest.connectionDetails.query();
    const identity = (decodeJwt(details.participantToken) as { sub: string }).sub;
    app.livekit.join(details.roomName, { identity, name: "Carla Call" });

    expect((await owner.trpc.room.guestLinks.query(room)).map((l) => l.id)).toContain(link.id);
    await owner.trpc.room.revokeGuestLink.mutate({ ...room, linkId: link.id });
    expect((await owner.trpc.lobby.list.query(room)).map((r) => r.name)).not.toContain("Walter Waiting");
    expect(await waiting.trpc.guest.status.query()).toMatchObject({ status: "revoked" });
    expect(await errorOf(browser().trpc.guest.preview.query({ token: link.token }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("withdrawn"),
    });
    expect((await owner.trpc.room.guestLinks.query(room)).map((l) => l.id)).not.toContain(link.id);

    const revoked = await owner.trpc.room.revokeGuestLink.mutate({
      ...room,
      linkId: direct.id,
    });
    expect(revoked.removedFromCall).toBe(1);
    expect(app.livekit.callsTo("RemoveParticipant").at(-1)?.body).toMatchObject({
      room: details.roomName,
      identity,
    });
    expect(await errorOf(inCall.trpc.guest.connectionDetails.query())).toMatchObject({ code: "FORBIDDEN" });
  });

  it("a link lets in no more guests than the room holds", async () => {
    await app.services.db
      .update(schema.rooms)
      .set({ maxParticipants: 2 })
      .where(eq(schema.rooms.slug, "standup"));
    try {
      const link = await newLink();
      await guestVia(link.token, "One");
      await guestVia(link.token, "Two");
      expect(await errorOf(guestVia(link.token, "Three"))).toMatchObject({
        code: "CONFLICT",
        message: expect.stringContaining("as many guests as the room holds (2)"),
      });
    } finally {
      await app.services.db
        .update(schema.rooms)
        .set({ maxParticipants: 100 })
        .where(eq(schema.rooms.slug, "standup"));
    }
  });

  it("a guest removed by a moderator gets no new token through their pass", async () => {
    const guest = await guestVia((await newLink({ requireKnock: false })).token, "Rex Removed");
    const details = await guest.trpc.guest.connectionDetails.query();
    const identity = (decodeJwt(details.participantToken) as { sub: string }).sub;
    app.livekit.join(details.roomName, { identity, name: "Rex Removed" });
    await admin.trpc.room.removeParticipant.mutate({ ...room, identity });
    expect(await guest.trpc.guest.status.query()).toMatchObject({ status: "denied" });
    expect(await errorOf(guest.trpc.guest.connectionDetails.query())).toMatchObject({ code: "FORBIDDEN" });
  });

  it("a guest session reaches nothing but its own guest procedures", async () => {
    const guest = await guestVia((await newLink({ requireKnock: false })).token);
    expect(await guest.trpc.auth.me.query()).toBeNull();
    for (const call of [
      () => guest.trpc.team.list.query(),
      () => guest.trpc.room.list.query({ teamSlug }),
      () => guest.trpc.room.connectionDetails.query(room),
      () => guest.trpc.chat.send.mutate({ ...room, body: "hi" }),
      () => guest.trpc.lobby.list.query(room),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: "UNAUTHORIZED" });
    }
    // Leaving ends the pass.
    await guest.trpc.guest.leave.mutate();
    expect(await errorOf(guest.trpc.guest.status.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("while locked, members knock and moderators go in; the lock lifts when the meeting ends", async () => {
    await admin.trpc.room.setLocked.mutate({ ...room, locked: true });
    expect(await owner.trpc.room.get.query(room)).toMatchObject({ locked: true });
    const refused = await errorOf(member.trpc.room.connectionDetails.query(room));
    expect(refused).toMatchObject({
      code: "FORBIDDEN",
      data: expect.objectContaining({ reason: "room-locked" }),
    });
    await admin.trpc.room.connectionDetails.query(room);
    expect(await member.trpc.lobby.myStatus.query(room)).toMatchObject({ status: "timedOut" });
    expect(await owner.trpc.lobby.myStatus.query(room)).toMatchObject({ status: "open" });

    expect(await member.trpc.lobby.knock.mutate(room)).toMatchObject({ status: "waiting" });
    const [knock] = (await owner.trpc.lobby.list.query(room)).filter((r) => r.name === "Mia Member");
    expect(knock).toMatchObject({ isGuest: false });
    await owner.trpc.lobby.admit.mutate({ ...room, requestId: knock!.id });
    expect(await member.trpc.lobby.myStatus.query(room)).toMatchObject({ status: "admitted" });
    await member.trpc.room.connectionDetails.query(room);

    // The meeting ends (LiveKit's room_finished): the next meeting starts unlocked.
    const [row] = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "standup"));
    const lkRoom = { name: row!.livekitRoomName, sid: "RM_locked_meeting" };
    const deliver = async (event: unknown) =>
      handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit));
    await deliver(webhookEvent("room_started", { room: lkRoom }));
    expect((await deliver(webhookEvent("room_finished", { room: lkRoom }))).status).toBe(200);
    expect(await owner.trpc.room.get.query(room)).toMatchObject({ locked: false });
    expect(await member.trpc.lobby.myStatus.query(room)).toMatchObject({ status: "open" });
  });

  it("marks guests in presence, the admin view and the history", async () => {
    const [row] = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "standup"));
    await owner.trpc.room.ensure.mutate(room);
    const lkRoom = { name: row!.livekitRoomName, sid: app.livekit.rooms.get(row!.livekitRoomName)!.sid };
    // A guest the access rule lets in (an admitted pass: a made-up guest identity would be removed).
    const gina = await guestVia((await newLink({ requireKnock: false })).token, "Gina Guest");
    const ginaToken = await gina.trpc.guest.connectionDetails.query();
    const guestIdentity = (decodeJwt(ginaToken.participantToken) as { sub: string }).sub;
    // In LiveKit too, so the admin view's reconciliation keeps them.
    app.livekit.join(lkRoom.name, { identity: guestIdentity, name: "Gina Guest" });
    app.livekit.join(lkRoom.name, { identity: owner.user.id, name: "Olivia" });
    const deliver = async (event: unknown) =>
      handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit));
    await deliver(
      webhookEvent("participant_joined", {
        room: lkRoom,
        participant: { sid: "PA_guest", identity: guestIdentity, name: "Gina Guest" },
      }),
    );
    await deliver(
      webhookEvent("participant_joined", {
        room: lkRoom,
        participant: { sid: "PA_owner", identity: owner.user.id, name: "Olivia" },
      }),
    );
    const listed = (await member.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "standup");
    expect(listed?.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "Gina Guest", isGuest: true }),
        expect.objectContaining({ name: "Olivia", isGuest: false }),
      ]),
    );
    const active = await siteAdmin.trpc.admin.activeRooms.query();
    expect(active.find((r) => r.roomName === lkRoom.name)?.participants).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Gina Guest", isGuest: true })]),
    );
    const meetings = await member.trpc.room.history.query(room);
    expect(meetings.flatMap((m) => m.attendees)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Gina Guest", isGuest: true })]),
    );
  });

  it("rate-limits guest joins and knocks per address and per link", async () => {
    const limited = await startTestApp({
      livekit: app.livekit,
      ratePolicies: {
        guestJoinIp: { limit: 2, windowSeconds: 3600 },
        guestJoinLink: { limit: 3, windowSeconds: 3600 },
      },
    });
    try {
      const host = await limited.signUp("Host");
      const slug = (await host.trpc.team.create.mutate({ name: "Limits" })).slug;
      await host.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "door" });
      const { token } = await host.trpc.room.createGuestLink.mutate({ teamSlug: slug, roomSlug: "door" });
      const sameAddress = () => limited.client("192.0.2.1");
      await sameAddress().trpc.guest.join.mutate({ token, name: "A" });
      await sameAddress().trpc.guest.join.mutate({ token, name: "B" });
      expect(await errorOf(sameAddress().trpc.guest.join.mutate({ token, name: "C" }))).toMatchObject({
        code: "TOO_MANY_REQUESTS",
      });
      await limited.client("192.0.2.2").trpc.guest.join.mutate({ token, name: "D" });
      expect(
        await errorOf(limited.client("192.0.2.3").trpc.guest.join.mutate({ token, name: "E" })),
      ).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringContaining("this link") });
    } finally {
      await limited.close();
    }
  });

  describe("authorization matrix", () => {
    type Who = "guest" | "member" | "admin" | "owner" | "siteAdmin" | "otherTeam" | "signedOut";
    const WHO: Who[] = ["guest", "member", "admin", "owner", "siteAdmin", "otherTeam", "signedOut"];
    let clients: Record<Who, TestClient>;
    let guestLinkToken: string;

    beforeAll(async () => {
      const link = await newLink({ requireKnock: false });
      guestLinkToken = link.token;
      const guest = await guestVia(link.token, "Matrix Guest");
      clients = {
        guest,
        member,
        admin,
        owner,
        siteAdmin,
        otherTeam: outsider,
        signedOut: browser(),
      };
    });

    const outcome = async (call: Promise<unknown>) => {
      try {
        await call;
        return "OK";
      } catch (error) {
        return (await errorOf(Promise.reject(error))).code;
      }
    };

    /** Moderators: team owners and admins, and site admins; plain members are refused. */
    const moderators: Record<Who, string> = {
      guest: "UNAUTHORIZED",
      member: "FORBIDDEN",
      admin: "OK",
      owner: "OK",
      siteAdmin: "OK",
      otherTeam: "NOT_FOUND",
      signedOut: "UNAUTHORIZED",
    };
    const members: Record<Who, string> = {
      ...moderators,
      member: "OK",
      siteAdmin: "NOT_FOUND",
    };
    const guestsOnly: Record<Who, string> = {
      guest: "OK",
      member: "UNAUTHORIZED",
      admin: "UNAUTHORIZED",
      owner: "UNAUTHORIZED",
      siteAdmin: "UNAUTHORIZED",
      otherTeam: "UNAUTHORIZED",
      signedOut: "UNAUTHORIZED",
    };
    const anyone = Object.fromEntries(WHO.map((w) => [w, "OK"])) as Record<Who, string>;

    const cases: [string, Record<Who, string>, (c: TestClient) => Promise<unknown>][] = [
      ["room.createGuestLink", moderators, (c) => c.trpc.room.createGuestLink.mutate(room)],
      ["room.guestLinks", moderators, (c) => c.trpc.room.guestLinks.query(room)],
      [
        "room.revokeGuestLink",
        moderators,
        async (c) => {
          const { id } = await owner.trpc.room.createGuestLink.mutate(room);
          return c.trpc.room.revokeGuestLink.mutate({ ...room, linkId: id });
        },
      ],
      ["room.setLocked", moderators, (c) => c.trpc.room.setLocked.mutate({ ...room, locked: false })],
      ["lobby.list", moderators, (c) => c.trpc.lobby.list.query(room)],
      [
        "lobby.admit",
        moderators,
        async (c) => {
          const knocker = await guestVia((await newLink()).token, "Knocker");
          const [request] = (await owner.trpc.lobby.list.query(room)).filter((r) => r.name === "Knocker");
          const result = await c.trpc.lobby.admit.mutate({ ...room, requestId: request!.id }).catch((e) => {
            void knocker.trpc.guest.leave.mutate();
            throw e;
          });
          return result;
        },
      ],
      [
        "lobby.deny",
        moderators,
        async (c) => {
          const knocker = await guestVia((await newLink()).token, "Knocker");
          const [request] = (await owner.trpc.lobby.list.query(room)).filter((r) => r.name === "Knocker");
          return c.trpc.lobby.deny.mutate({ ...room, requestId: request!.id }).catch(async (e) => {
            await knocker.trpc.guest.leave.mutate();
            throw e;
          });
        },
      ],
      ["lobby.knock", members, (c) => c.trpc.lobby.knock.mutate(room)],
      ["lobby.myStatus", members, (c) => c.trpc.lobby.myStatus.query(room)],
      ["team.guestLinkPolicy", members, (c) => c.trpc.team.guestLinkPolicy.query({ teamSlug })],
      [
        "team.setGuestLinkPolicy",
        { ...moderators, siteAdmin: "NOT_FOUND" },
        (c) => c.trpc.team.setGuestLinkPolicy.mutate({ teamSlug, membersCreateGuestLinks: false }),
      ],
      ["guest.status", guestsOnly, (c) => c.trpc.guest.status.query()],
      ["guest.askAgain", guestsOnly, (c) => c.trpc.guest.askAgain.mutate()],
      ["guest.connectionDetails", guestsOnly, (c) => c.trpc.guest.connectionDetails.query()],
      // Last: joining gives every caller a guest pass of their own.
      ["guest.preview", anyone, (c) => c.trpc.guest.preview.query({ token: guestLinkToken })],
      ["guest.join", anyone, (c) => c.trpc.guest.join.mutate({ token: guestLinkToken, name: "Anyone" })],
    ];

    it.each(cases)("%s", async (_name, expected, call) => {
      const got: Partial<Record<Who, string>> = {};
      for (const who of WHO) {
        got[who] = await outcome(call(clients[who]));
      }
      expect(got).toEqual(expected);
    });

    it("team.setGuestLinkPolicy lets members create guest links", async () => {
      expect(await errorOf(member.trpc.room.createGuestLink.mutate(room))).toMatchObject({
        code: "FORBIDDEN",
      });
      await owner.trpc.team.setGuestLinkPolicy.mutate({ teamSlug, membersCreateGuestLinks: true });
      await member.trpc.room.createGuestLink.mutate(room);
      expect(await errorOf(member.trpc.lobby.list.query(room))).toMatchObject({ code: "FORBIDDEN" });
      await owner.trpc.team.setGuestLinkPolicy.mutate({ teamSlug, membersCreateGuestLinks: false });
    });
  });
});
