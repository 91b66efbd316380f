/**
 * What counts as a meeting and who was in it: a meeting runs from the first join to the last
 * departure (issue 11, point 2), presence converges whatever order LiveKit's webhooks arrive in,
 * and history never credits more than the meeting lasted (issue 10, point 8); the account behind a
 * chosen name is shown, and look-alike names are refused (issue 10, point 10). LiveKit is the
 * test double (./livekit-double.ts); webhooks are signed as LiveKit signs them.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleLiveKitWebhook } from "../src/http";
import { reconcilePresence } from "../src/presence/reconcile";
import { errorOf, startTestApp, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`meetings and presence on ${testDriver()}`, () => {
  let app: TestApp;
  let siteAdmin: Person, owner: Person, member: Person;
  let teamSlug: string;

  const deliver = async (event: unknown) =>
    handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit));

  const presentIn = async (roomSlug: string) =>
    (
      (await member.trpc.room.list.query({ teamSlug })).find((r) => r.slug === roomSlug)?.participants ?? []
    ).map((p) => p.identity);

  /** Opens a room as the pre-join does; returns its LiveKit name and sid. */
  async function opened(roomSlug: string) {
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    return { name: roomName, sid: app.livekit.rooms.get(roomName)!.sid };
  }

  beforeAll(async () => {
    app = await startTestApp({ ratePolicies: { roomCreate: { limit: 10_000, windowSeconds: 3600 } } });
    siteAdmin = await app.signUp("Site Admin");
    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Mia Member");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Acme" })).slug;
    await member.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
  });
  afterAll(() => app.close());

  describe("a meeting starts with the first join and ends with the last departure (11.2)", () => {
    it("opening a room's pre-join is no meeting: not in history, not among active meetings", async () => {
      const room = await opened("just-looking");
      await deliver(webhookEvent("room_started", { room }));
      await reconcilePresence(app.services); // LiveKit lists the room as open
      expect(await member.trpc.room.history.query({ teamSlug, roomSlug: "just-looking" })).toEqual([]);
      expect((await siteAdmin.trpc.admin.activeRooms.query()).map((r) => r.roomSlug)).not.toContain(
        "just-looking",
      );
    });

    it("someone joining starts the meeting; the last one leaving ends it, before LiveKit closes the room", async () => {
      const t = Math.floor(Date.now() / 1000) - 600;
      const room = { ...(await opened("real-meeting")), creationTime: t };
      await deliver(webhookEvent("room_started", { room, createdAt: t }));
      const mia = { sid: "PA_meet_1", identity: member.user.id, name: "Mia", joinedAt: t + 120 };
      await deliver(webhookEvent("participant_joined", { room, participant: mia, createdAt: t + 120 }));

      const active = (await siteAdmin.trpc.admin.activeRooms.query()).find(
        (r) => r.roomSlug === "real-meeting",
      );
      expect(active).toMatchObject({ numParticipants: 1 });
      expect(active?.createdAt.getTime()).toBe((t + 120) * 1000);
      const [ongoing] = await member.trpc.room.history.query({ teamSlug, roomSlug: "real-meeting" });
      expect(ongoing).toMatchObject({ endedAt: null });
      expect(ongoing?.startedAt.getTime()).toBe((t + 120) * 1000);

      await deliver(webhookEvent("participant_left", { room, participant: mia, createdAt: t + 420 }));
      expect((await siteAdmin.trpc.admin.activeRooms.query()).map((r) => r.roomSlug)).not.toContain(
        "real-meeting",
      );
      const [ended] = await member.trpc.room.history.query({ teamSlug, roomSlug: "real-meeting" });
      expect(ended?.endedAt?.getTime()).toBe((t + 420) * 1000);
      expect(ended).toMatchObject({ durationSeconds: 300 });
      // LiveKit closes the room after its departure timeout; the meeting's end stays where it was.
      await deliver(webhookEvent("room_finished", { room, createdAt: t + 450 }));
      const [after] = await member.trpc.room.history.query({ teamSlug, roomSlug: "real-meeting" });
      expect(after).toMatchObject({ durationSeconds: 300 });
    });
  });

  describe("presence converges whatever the order of webhooks (10.8)", () => {
    it("a join arriving after room_finished records no one as present", async () => {
      const t = Math.floor(Date.now() / 1000) - 3600;
      const room = { ...(await opened("late-join")), creationTime: t };
      const ghost = { sid: "PA_ghost", identity: owner.user.id, name: "Olivia", joinedAt: t + 10 };
      await deliver(webhookEvent("room_started", { room, createdAt: t }));
      await deliver(webhookEvent("room_finished", { room, createdAt: t + 60 }));
      await deliver(webhookEvent("participant_joined", { room, participant: ghost, createdAt: t + 10 }));

      expect(await presentIn("late-join")).toEqual([]);
      expect((await siteAdmin.trpc.admin.activeRooms.query()).map((r) => r.roomSlug)).not.toContain(
        "late-join",
      );
      const [meeting] = await member.trpc.room.history.query({ teamSlug, roomSlug: "late-join" });
      expect(meeting?.endedAt?.getTime()).toBe((t + 60) * 1000);
      expect(meeting?.attendees[0]?.secondsPresent).toBeLessThanOrEqual(meeting!.durationSeconds);
    });

    it("reconciliation clears anyone recorded as present in a finished room, whatever is stored", async () => {
      const t = Math.floor(Date.now() / 1000) - 7200;
      const room = { ...(await opened("stored-ghost")), creationTime: t };
      await deliver(webhookEvent("room_started", { room, createdAt: t }));
      await deliver(webhookEvent("room_finished", { room, createdAt: t + 60 }));
      // The state the old code left behind: an open connection inside a finished session.
      const [session] = await app.services.db
        .select()
        .from(schema.roomSessions)
        .where(eq(schema.roomSessions.livekitRoomSid, room.sid));
      await app.services.db.insert(schema.participantSessions).values({
        roomSessionId: session!.id,
        roomId: session!.roomId,
        userId: member.user.id,
        identity: member.user.id,
        name: "Mia",
        participantSid: "PA_stored_ghost",
        joinedAt: new Date((t + 120) * 1000),
      });
      expect(await presentIn("stored-ghost")).toEqual([member.user.id]);
      await reconcilePresence(app.services);
      expect(await presentIn("stored-ghost")).toEqual([]);
      const [meeting] = await member.trpc.room.history.query({ teamSlug, roomSlug: "stored-ghost" });
      for (const person of meeting!.attendees) {
        expect(person.secondsPresent).toBeLessThanOrEqual(meeting!.durationSeconds);
      }
    });

    it("a moderator can remove someone the records show but LiveKit does not have", async () => {
      const room = await opened("phantom");
      await deliver(
        webhookEvent("participant_joined", {
          room,
          participant: { sid: "PA_phantom", identity: owner.user.id, name: "Olivia" },
        }),
      );
      // LiveKit's double never saw them join (as after a webhook for a connection that failed).
      expect(await presentIn("phantom")).toEqual([owner.user.id]);
      await siteAdmin.trpc.admin.removeParticipant.mutate({ roomName: room.name, identity: owner.user.id });
      expect(await presentIn("phantom")).toEqual([]);
    });

    it("history never credits anyone with more than the meeting lasted (two tabs, early clocks)", async () => {
      const t = Math.floor(Date.now() / 1000) - 9000;
      const room = { ...(await opened("two-tabs")), creationTime: t };
      await deliver(webhookEvent("room_started", { room, createdAt: t }));
      const tab = (sid: string, joinedAt: number) => ({
        sid,
        identity: owner.user.id,
        name: "Olivia",
        joinedAt,
      });
      const mia = { sid: "PA_tabs_mia", identity: member.user.id, name: "Mia", joinedAt: t + 100 };
      await deliver(webhookEvent("participant_joined", { room, participant: mia, createdAt: t + 100 }));
      await deliver(
        webhookEvent("participant_joined", {
          room,
          participant: tab("PA_tab_1", t + 100),
          createdAt: t + 100,
        }),
      );
      await deliver(
        webhookEvent("participant_joined", {
          room,
          participant: tab("PA_tab_2", t + 150),
          createdAt: t + 150,
        }),
      );
      await deliver(
        webhookEvent("participant_left", { room, participant: tab("PA_tab_2", t + 150), createdAt: t + 400 }),
      );
      await deliver(
        webhookEvent("participant_left", { room, participant: tab("PA_tab_1", t + 100), createdAt: t + 400 }),
      );
      await deliver(webhookEvent("participant_left", { room, participant: mia, createdAt: t + 400 }));
      await deliver(webhookEvent("room_finished", { room, createdAt: t + 430 }));

      const [meeting] = await member.trpc.room.history.query({ teamSlug, roomSlug: "two-tabs" });
      expect(meeting).toMatchObject({ durationSeconds: 300 });
      const olivia = meeting!.attendees.find((a) => a.identity === owner.user.id);
      expect(olivia?.secondsPresent).toBe(300); // not 300 + 250
    });

    it("an event without the room's creation time (or its own) makes no meeting in 1970", async () => {
      const room = await opened("no-times");
      const now = Math.floor(Date.now() / 1000);
      const event = webhookEvent("participant_joined", {
        room,
        participant: { sid: "PA_no_times", identity: member.user.id, name: "Mia" },
        createdAt: now,
      });
      const withoutTimes = {
        ...event,
        room: { sid: room.sid, name: room.name },
        participant: { ...event.participant!, joinedAt: undefined },
      };
      expect((await deliver(withoutTimes)).status).toBe(200);
      const [session] = await app.services.db
        .select()
        .from(schema.roomSessions)
        .where(eq(schema.roomSessions.livekitRoomSid, room.sid));
      expect(session!.startedAt.getUTCFullYear()).toBeGreaterThan(2000);
      const [meeting] = await member.trpc.room.history.query({ teamSlug, roomSlug: "no-times" });
      expect(meeting?.startedAt.getTime()).toBe(now * 1000);

      const room2 = await opened("no-times-at-all");
      const bare = webhookEvent("room_started", { room: room2 });
      expect(
        (await deliver({ ...bare, createdAt: undefined, room: { sid: room2.sid, name: room2.name } })).status,
      ).toBe(200);
      const [session2] = await app.services.db
        .select()
        .from(schema.roomSessions)
        .where(eq(schema.roomSessions.livekitRoomSid, room2.sid));
      expect(Math.abs(session2!.startedAt.getTime() - Date.now())).toBeLessThan(60_000);
    });
  });

  describe("names (10.10)", () => {
    it("the join token carries the account name, and the room list and history show it beside a chosen name", async () => {
      const details = await member.trpc.room.connectionDetails.query({
        teamSlug,
        roomSlug: "just-looking",
        participantName: "Olivia (Owner)",
      });
      expect(details.participantName).toBe("Olivia (Owner)");
      expect(decodeJwt(details.participantToken)).toMatchObject({
        name: "Olivia (Owner)",
        attributes: { accountName: "Mia Member" },
      });

      const room = await opened("names");
      const t = Math.floor(Date.now() / 1000) - 60;
      const p = { sid: "PA_names", identity: member.user.id, name: "Olivia (Owner)", joinedAt: t };
      await deliver(webhookEvent("participant_joined", { room, participant: p, createdAt: t }));
      const listed = (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "names");
      expect(listed?.participants).toEqual([
        expect.objectContaining({ name: "Olivia (Owner)", accountName: "Mia Member" }),
      ]);
      const [meeting] = await owner.trpc.room.history.query({ teamSlug, roomSlug: "names" });
      expect(meeting?.attendees).toEqual([
        expect.objectContaining({ name: "Olivia (Owner)", accountName: "Mia Member" }),
      ]);
    });

    it.each([
      ["a zero-width space", "Olivia\u200B Owner"],
      ["a zero-width joiner", "Oli\u200Dvia Owner"],
      ["a no-break space", "Olivia\u00A0Owner"],
      ["two spaces", "Olivia  Owner"],
      ["full-width letters", "Ｏｌｉｖｉａ Ｏｗｎｅｒ"],
      ["a Hangul filler", "Olivia Owner\u3164"],
    ])("refuses a name that differs from another member's only by %s", async (_, name) => {
      const refused = await errorOf(
        member.trpc.room.connectionDetails.query({
          teamSlug,
          roomSlug: "just-looking",
          participantName: name,
        }),
      );
      expect(refused.code).toBe("BAD_REQUEST");
      expect(refused.data?.fieldErrors?.participantName?.[0]).toMatch(/looks just like Olivia Owner's/);
    });

    it("refuses a saved display name that imitates another member's, too", async () => {
      await member.trpc.preferences.update.mutate({ displayName: "Ｏｌｉｖｉａ Ｏｗｎｅｒ" });
      try {
        const refused = await errorOf(
          member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "just-looking" }),
        );
        expect(refused.code).toBe("BAD_REQUEST");
        expect(refused.message).toMatch(/looks just like Olivia Owner's/);
      } finally {
        await member.trpc.preferences.update.mutate({ displayName: null });
      }
    });

    it("keeps the free choice of name otherwise, including one's own name written any way", async () => {
      for (const name of ["Olivia Owner", "Mia", "Mia\u200B Member", "Captain Mia"]) {
        const details = await member.trpc.room.connectionDetails.query({
          teamSlug,
          roomSlug: "just-looking",
          participantName: name,
        });
        expect(details.participantToken).toBeTruthy();
      }
    });
  });
});
