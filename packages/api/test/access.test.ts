/**
 * Access that outlives its grant (issue 10, points 4, 5, 6 and 11, and the stream caps of 3):
 * removal keeps people out, ends their live calls and live updates; role rules hold for any
 * sequence of steps; emails are for owners and admins. LiveKit is the test double
 * (./livekit-double.ts), which keeps who is in which room and refuses calls without the grants
 * LiveKit requires.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { decodeJwt } from "jose";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { LIVE_STREAM_POLICY } from "../src/lib/live-streams";
import { handleLiveKitWebhook, handleTRPCRequest } from "../src/http";
import { reconcilePresence } from "../src/presence/reconcile";
import { errorOf, GOOD_PASSWORD, startTestApp, TEST_ORIGIN, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;
type Browser = Pick<Person, "cookies">;

describe(`access that outlives its grant on ${testDriver()}`, () => {
  let app: TestApp;
  let owner: Person, admin: Person, otherAdmin: Person, member: Person;
  let teamSlug: string;
  let teamCounter = 0;

  const join = async (person: Person, slug: string, role: "admin" | "member" = "member") =>
    person.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug: slug, role })).token,
    });

  /** A fresh team owned by `owner`, with the given people in it. */
  async function freshTeam(people: [Person, "admin" | "member"][]) {
    const slug = (await owner.trpc.team.create.mutate({ name: `Crew ${++teamCounter}` })).slug;
    for (const [person, role] of people) await join(person, slug, role);
    return slug;
  }

  /** Puts a person in a room's live call, as LiveKit would after they joined. */
  async function inCall(person: Person, slug: string, roomSlug: string) {
    const { roomName } = await person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug });
    // With the attributes the join token gives them.
    const details = await person.trpc.room.connectionDetails.query({ teamSlug: slug, roomSlug });
    const { attributes } = decodeJwt(details.participantToken) as { attributes: Record<string, string> };
    app.livekit.join(roomName, { identity: person.user.id, name: person.user.name, attributes });
    return roomName;
  }

  beforeAll(async () => {
    const plenty = { limit: 10_000, windowSeconds: 3600 };
    app = await startTestApp({
      ratePolicies: {
        teamCreate: plenty,
        roomCreate: plenty,
        inviteCreate: plenty,
        inviteAccept: plenty,
        signUpIp: plenty,
      },
    });
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    otherAdmin = await app.signUp("Ada Admin");
    member = await app.signUp("Mia Member");
    teamSlug = await freshTeam([
      [admin, "admin"],
      [otherAdmin, "admin"],
      [member, "member"],
    ]);
  });
  afterAll(() => app.close());

  describe("invites after a removal (10.4)", () => {
    it("an invite made before someone was removed does not let them back in; a new one does", async () => {
      const slug = await freshTeam([[admin, "admin"]]);
      const person = await app.signUp("Rita Removed");
      const ownerLink = await owner.trpc.team.createInvite.mutate({ teamSlug: slug });
      const adminLink = await admin.trpc.team.createInvite.mutate({ teamSlug: slug });
      await person.trpc.team.acceptInvite.mutate({ token: ownerLink.token });

      await admin.trpc.team.removeMember.mutate({ teamSlug: slug, userId: person.user.id });
      for (const link of [ownerLink, adminLink]) {
        const refused = await errorOf(person.trpc.team.acceptInvite.mutate({ token: link.token }));
        expect(refused.code).toBe("FORBIDDEN");
        expect(refused.message).toMatch(/removed from this team after this invite was made.*new invite/);
      }
      expect((await person.trpc.team.list.query()).some((t) => t.slug === slug)).toBe(false);
      // The links still work for everyone else.
      const newcomer = await app.signUp("Nina Newcomer");
      await newcomer.trpc.team.acceptInvite.mutate({ token: ownerLink.token });

      // A deliberate new invite lets them back.
      const again = await owner.trpc.team.createInvite.mutate({ teamSlug: slug });
      expect(await person.trpc.team.acceptInvite.mutate({ token: again.token })).toMatchObject({
        slug,
        role: "member",
      });
    });

    it("someone who left on their own may use a link that is still valid", async () => {
      const slug = await freshTeam([]);
      const person = await app.signUp("Liam Leaver");
      const link = await owner.trpc.team.createInvite.mutate({ teamSlug: slug });
      await person.trpc.team.acceptInvite.mutate({ token: link.token });
      await person.trpc.team.leave.mutate({ teamSlug: slug });
      await person.trpc.team.acceptInvite.mutate({ token: link.token });
    });
  });

  describe("role rules hold for any sequence (10.6)", () => {
    it("an admin can neither demote nor remove another admin, so demote-then-remove fails at its first step", async () => {
      const slug = await freshTeam([
        [admin, "admin"],
        [otherAdmin, "admin"],
      ]);
      const demote = await errorOf(
        admin.trpc.team.changeRole.mutate({ teamSlug: slug, userId: otherAdmin.user.id, role: "member" }),
      );
      expect(demote.code).toBe("FORBIDDEN");
      const remove = await errorOf(
        admin.trpc.team.removeMember.mutate({ teamSlug: slug, userId: otherAdmin.user.id }),
      );
      expect(remove.code).toBe("FORBIDDEN");
      const members = await owner.trpc.team.members.query({ teamSlug: slug });
      expect(members.find((m) => m.userId === otherAdmin.user.id)?.role).toBe("admin");
    });

    it("an admin can make a member an admin but not take it back; owners can; anyone may lower their own role", async () => {
      const newcomer = await app.signUp("Pat Promoted");
      const slug = await freshTeam([
        [admin, "admin"],
        [newcomer, "member"],
      ]);
      await admin.trpc.team.changeRole.mutate({ teamSlug: slug, userId: newcomer.user.id, role: "admin" });
      expect(
        (
          await errorOf(
            admin.trpc.team.changeRole.mutate({ teamSlug: slug, userId: newcomer.user.id, role: "member" }),
          )
        ).code,
      ).toBe("FORBIDDEN");
      await owner.trpc.team.changeRole.mutate({ teamSlug: slug, userId: newcomer.user.id, role: "member" });
      // Demoted by an owner, they are a member like any other: an admin may remove them.
      await admin.trpc.team.removeMember.mutate({ teamSlug: slug, userId: newcomer.user.id });
      await admin.trpc.team.changeRole.mutate({ teamSlug: slug, userId: admin.user.id, role: "member" });
      expect((await admin.trpc.team.get.query({ teamSlug: slug })).role).toBe("member");
    });

    it("every two-step sequence of an admin's actions on an admin is refused at some step", async () => {
      type Step = "demote" | "remove" | "promote";
      const steps: Step[] = ["demote", "remove", "promote"];
      for (const first of steps) {
        for (const second of steps) {
          const target = await app.signUp("Tess Target");
          const slug = await freshTeam([
            [admin, "admin"],
            [target, "admin"],
          ]);
          const act = (step: Step) =>
            step === "remove"
              ? admin.trpc.team.removeMember.mutate({ teamSlug: slug, userId: target.user.id })
              : admin.trpc.team.changeRole.mutate({
                  teamSlug: slug,
                  userId: target.user.id,
                  role: step === "demote" ? "member" : "admin",
                });
          await act(first).catch(() => undefined);
          await act(second).catch(() => undefined);
          const after = (await owner.trpc.team.members.query({ teamSlug: slug })).find(
            (m) => m.userId === target.user.id,
          );
          expect(after?.role, `${first} then ${second}`).toBe("admin");
        }
      }
    });
  });

  describe("emails (10.11)", () => {
    it("members see names and roles; owners and admins also see emails", async () => {
      const asMember = await member.trpc.team.members.query({ teamSlug });
      expect(asMember.find((m) => m.userId === owner.user.id)).toMatchObject({
        name: "Olivia Owner",
        role: "owner",
        email: null,
      });
      expect(JSON.stringify(asMember)).not.toContain(owner.email);
      expect(JSON.stringify(asMember)).not.toContain(admin.email);
      // Their own email is theirs to see.
      expect(asMember.find((m) => m.userId === member.user.id)?.email).toBe(member.email);
      for (const manager of [owner, admin]) {
        const seen = await manager.trpc.team.members.query({ teamSlug });
        expect(seen.find((m) => m.userId === member.user.id)?.email).toBe(member.email);
      }
    });
  });

  describe("live calls end with the membership (10.5)", () => {
    it("removing a member disconnects them from every live room of the team, and from nothing else", async () => {
      const person = await app.signUp("Riley Removed");
      const slug = await freshTeam([
        [person, "member"],
        [member, "member"],
      ]);
      const rooms = [await inCall(person, slug, "standup"), await inCall(person, slug, "design")];
      await inCall(member, slug, "standup");
      const elsewhere = await inCall(person, await freshTeam([[person, "member"]]), "other");

      await owner.trpc.team.removeMember.mutate({ teamSlug: slug, userId: person.user.id });
      for (const room of rooms) {
        expect(app.livekit.rooms.get(room)!.participants.has(person.user.id), room).toBe(false);
      }
      expect(app.livekit.rooms.get(rooms[0]!)!.participants.has(member.user.id)).toBe(true);
      expect(app.livekit.rooms.get(elsewhere)!.participants.has(person.user.id)).toBe(true);
      expect(
        (await errorOf(person.trpc.room.connectionDetails.query({ teamSlug: slug, roomSlug: "standup" })))
          .code,
      ).toBe("NOT_FOUND");
    });

    it("a removed member reconnecting with a token minted before the removal is put out as soon as LiveKit reports the join", async () => {
      const person = await app.signUp("Rory Returning");
      const slug = await freshTeam([[person, "member"]]);
      const roomName = await inCall(person, slug, "standup");
      await owner.trpc.team.removeMember.mutate({ teamSlug: slug, userId: person.user.id });
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(false);

      // LiveKit accepts their old token (still within its lifetime) and reports the join.
      const back = app.livekit.join(roomName, { identity: person.user.id, name: "Rory" });
      const room = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
      const response = await handleLiveKitWebhook(
        app.services,
        await webhookRequest(
          webhookEvent("participant_joined", {
            room,
            participant: { sid: back.sid, identity: person.user.id },
          }),
          app.livekit,
        ),
      );
      expect(response.status).toBe(200);
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(false);
    });

    it("demoting an admin disconnects their admin connection; their new token has no roomAdmin", async () => {
      const demoted = await app.signUp("Dana Demoted");
      const slug = await freshTeam([[demoted, "admin"]]);
      const roomName = await inCall(demoted, slug, "standup");
      const before = await demoted.trpc.room.connectionDetails.query({ teamSlug: slug, roomSlug: "standup" });
      expect((decodeJwt(before.participantToken).video as { roomAdmin?: boolean }).roomAdmin).toBe(true);

      await owner.trpc.team.changeRole.mutate({ teamSlug: slug, userId: demoted.user.id, role: "member" });
      expect(app.livekit.rooms.get(roomName)!.participants.has(demoted.user.id)).toBe(false);
      expect(app.livekit.callsTo("RemoveParticipant").at(-1)?.body).toMatchObject({
        room: roomName,
        identity: demoted.user.id,
      });
      // They may come straight back, as a member.
      const after = await demoted.trpc.room.connectionDetails.query({ teamSlug: slug, roomSlug: "standup" });
      expect((decodeJwt(after.participantToken).video as { roomAdmin?: boolean }).roomAdmin).toBe(false);
    });

    it("when LiveKit cannot be reached a demotion stands, and reconciliation ends the admin connection later", async () => {
      const demoted = await app.signUp("Drew Demoted");
      const stays = await app.signUp("Ari Admin");
      const slug = await freshTeam([
        [demoted, "admin"],
        [stays, "admin"],
      ]);
      const roomName = await inCall(demoted, slug, "standup");
      await inCall(stays, slug, "standup");
      app.livekit.setMode("fail");
      try {
        await owner.trpc.team.changeRole.mutate({ teamSlug: slug, userId: demoted.user.id, role: "member" });
      } finally {
        app.livekit.setMode("ok");
      }
      expect(app.livekit.rooms.get(roomName)!.participants.has(demoted.user.id)).toBe(true);
      await reconcilePresence(app.services);
      expect(app.livekit.rooms.get(roomName)!.participants.has(demoted.user.id)).toBe(false);
      expect(app.livekit.rooms.get(roomName)!.participants.has(stays.user.id)).toBe(true);
      // Rejoined as a member (no roomAdmin), they stay.
      await inCall(demoted, slug, "standup");
      await reconcilePresence(app.services);
      expect(app.livekit.rooms.get(roomName)!.participants.has(demoted.user.id)).toBe(true);
    });

    it("when LiveKit cannot be reached the removal stands, and reconciliation disconnects them later", async () => {
      const person = await app.signUp("Lee Lingering");
      const slug = await freshTeam([[person, "member"]]);
      const roomName = await inCall(person, slug, "standup");
      app.livekit.setMode("fail");
      try {
        await owner.trpc.team.removeMember.mutate({ teamSlug: slug, userId: person.user.id });
      } finally {
        app.livekit.setMode("ok");
      }
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(true);
      await reconcilePresence(app.services);
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(false);
    });

    it("a moderator's removal that LiveKit cannot carry out keeps them out all the same, and can be tried again", async () => {
      const person = await app.signUp("Rex Removed");
      const slug = await freshTeam([[person, "member"]]);
      const roomName = await inCall(person, slug, "standup");
      const room = { teamSlug: slug, roomSlug: "standup" };
      app.livekit.setMode("fail");
      try {
        const refused = await errorOf(
          owner.trpc.room.removeParticipant.mutate({ ...room, identity: person.user.id }),
        );
        expect(refused.code).toBe("SERVICE_UNAVAILABLE");
      } finally {
        app.livekit.setMode("ok");
      }
      // The ban holds although LiveKit still has them: no new token, and reconciliation acts on it.
      expect(await errorOf(person.trpc.room.connectionDetails.query(room))).toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("removed from this room"),
      });
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(true);
      await owner.trpc.room.removeParticipant.mutate({ ...room, identity: person.user.id });
      expect(app.livekit.rooms.get(roomName)!.participants.has(person.user.id)).toBe(false);
    });
  });

  describe("live updates end with the access (10.5) and are capped (10.3)", () => {
    /** Opens `room.presenceChanges` (or `admin.changes`) over HTTP as the browser does, and collects what it sends. */
    async function openStream(browser: Browser, path: string, input?: unknown, on: TestApp = app) {
      const controller = new AbortController();
      const query =
        input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
      const response = await handleTRPCRequest(
        on.services,
        new Request(`${TEST_ORIGIN}/api/trpc/${path}${query}`, {
          headers: {
            cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
            host: new URL(TEST_ORIGIN).host,
          },
          signal: controller.signal,
        }),
      );
      let text = "";
      let closed = false;
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const done = (async () => {
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            text += decoder.decode(chunk.value);
          }
        } catch {
          // aborted by the test
        }
        closed = true;
      })();
      const stream = {
        get text() {
          return text;
        },
        get closed() {
          return closed;
        },
        /** The tRPC error code the stream closed with, if any. */
        get errorCode(): string | undefined {
          const match = /event: serialized-error\ndata: (.*)\n/.exec(text);
          return match
            ? (JSON.parse(match[1]!) as { json: { data: { code: string } } }).json.data.code
            : undefined;
        },
        async until(condition: () => boolean, ms = 3_000) {
          const deadline = Date.now() + ms;
          while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          return condition();
        },
        close: async () => {
          controller.abort();
          await reader.cancel().catch(() => undefined);
          await done;
        },
      };
      await stream.until(() => text.includes("event: connected") || closed);
      // Let the stream's first access check run before the test acts.
      await new Promise((r) => setTimeout(r, 50));
      return stream;
    }
    type Stream = Awaited<ReturnType<typeof openStream>>;
    const open: Stream[] = [];
    const track = (s: Stream) => (open.push(s), s);
    afterAll(async () => {
      for (const s of open) await s.close();
    });

    it("a removed member's presence stream closes with FORBIDDEN; the others' stay open", async () => {
      const person = await app.signUp("Sam Streamer");
      const slug = await freshTeam([
        [person, "member"],
        [member, "member"],
      ]);
      const theirs = track(await openStream(person, "room.presenceChanges", { teamSlug: slug }));
      const stays = track(await openStream(member, "room.presenceChanges", { teamSlug: slug }));
      expect(theirs.closed).toBe(false);

      await owner.trpc.team.removeMember.mutate({ teamSlug: slug, userId: person.user.id });
      expect(await theirs.until(() => theirs.closed), "stream still open after removal").toBe(true);
      expect(theirs.errorCode).toBe("FORBIDDEN");
      expect(stays.closed).toBe(false);
    });

    it("signing out ends that session's streams only; a password change ends the other sessions' streams", async () => {
      const email = `streams-${Date.now()}@example.com`;
      const person = await app.signUp("Sid Sessions", email);
      const slug = await freshTeam([[person, "member"]]);
      const second = app.client();
      await second.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
      const third = app.client();
      await third.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });

      const first = track(await openStream(person, "room.presenceChanges", { teamSlug: slug }));
      const ofSecond = track(await openStream(second, "room.presenceChanges", { teamSlug: slug }));
      const ofThird = track(await openStream(third, "room.presenceChanges", { teamSlug: slug }));

      await person.trpc.auth.signOut.mutate();
      expect(await first.until(() => first.closed), "signed-out session's stream still open").toBe(true);
      expect(first.errorCode).toBe("UNAUTHORIZED");
      expect(ofSecond.closed || ofThird.closed).toBe(false);

      await second.trpc.auth.changePassword.mutate({
        currentPassword: GOOD_PASSWORD,
        newPassword: "a different battery staple horse",
      });
      expect(await ofThird.until(() => ofThird.closed), "other session's stream still open").toBe(true);
      expect(ofThird.errorCode).toBe("UNAUTHORIZED");
      expect(ofSecond.closed).toBe(false);
    });

    it("a site admin's admin.changes stream closes when they sign out", async () => {
      const [siteAdmin] = await Promise.all([app.client()]);
      // The first account of this app is Olivia; she is the site admin.
      await siteAdmin.trpc.auth.signIn.mutate({ email: owner.email, password: GOOD_PASSWORD });
      const stream = track(await openStream(siteAdmin, "admin.changes"));
      expect(stream.closed).toBe(false);
      await siteAdmin.trpc.auth.signOut.mutate();
      expect(await stream.until(() => stream.closed)).toBe(true);
      expect(stream.errorCode).toBe("UNAUTHORIZED");
    });

    it("a stream whose session expires closes at its next periodic check, without any announcement", async () => {
      const quick = await startTestApp({ liveStreamPolicy: { recheckMs: 100 } });
      try {
        const person = await quick.signUp("Ezra Expiring");
        const { slug } = await person.trpc.team.create.mutate({ name: "Solo" });
        const stream = track(await openStream(person, "room.presenceChanges", { teamSlug: slug }, quick));
        expect(stream.closed).toBe(false);
        // Expired in place: no sign-out, no NOTIFY.
        await quick.services.db.update(schema.sessions).set({ expiresAt: new Date(Date.now() - 1000) });
        expect(await stream.until(() => stream.closed), "stream outlived its session").toBe(true);
        expect(stream.errorCode).toBe("UNAUTHORIZED");
      } finally {
        await quick.close();
      }
    });

    it(`caps streams at ${LIVE_STREAM_POLICY.perSession} per session and ${LIVE_STREAM_POLICY.perUser} per user, with a clear error`, async () => {
      const email = `capped-${Date.now()}@example.com`;
      const person = await app.signUp("Cap Tain", email);
      const slug = await freshTeam([[person, "member"]]);
      const input = { teamSlug: slug };
      const sessions: Browser[] = [person];
      while (sessions.length * LIVE_STREAM_POLICY.perSession <= LIVE_STREAM_POLICY.perUser) {
        const browser = app.client();
        await browser.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
        sessions.push(browser);
      }

      const firsts: Stream[] = [];
      for (let i = 0; i < LIVE_STREAM_POLICY.perSession; i++) {
        firsts.push(track(await openStream(person, "room.presenceChanges", input)));
      }
      expect(firsts.every((s) => !s.closed)).toBe(true);
      const over = track(await openStream(person, "room.presenceChanges", input));
      expect(await over.until(() => over.closed)).toBe(true);
      expect(over.errorCode).toBe("TOO_MANY_REQUESTS");
      expect(over.text).toMatch(/Too many live updates open in this browser/);

      // Closing one frees its place.
      await firsts[0]!.close();
      await new Promise((r) => setTimeout(r, 50));
      const replacement = track(await openStream(person, "room.presenceChanges", input));
      expect(replacement.closed).toBe(false);

      // Across sessions, the user's cap.
      let opened = LIVE_STREAM_POLICY.perSession;
      for (const browser of sessions.slice(1)) {
        for (
          let i = 0;
          i < LIVE_STREAM_POLICY.perSession && opened < LIVE_STREAM_POLICY.perUser;
          i++, opened++
        ) {
          const s = track(await openStream(browser, "room.presenceChanges", input));
          expect(s.closed).toBe(false);
        }
      }
      const userOver = track(await openStream(sessions.at(-1)!, "room.presenceChanges", input));
      expect(await userOver.until(() => userOver.closed)).toBe(true);
      expect(userOver.errorCode).toBe("TOO_MANY_REQUESTS");
      expect(userOver.text).toMatch(/for your account/);
    });
  });
});
