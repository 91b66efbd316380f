import { createHash } from "node:crypto";

import { createDatabase, schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { count, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleHealth, handleLiveKitWebhook } from "../src/http";
import { backgroundReconciliation, lastReconciledAt, reconcilePresence } from "../src/presence/reconcile";
import { announcePresenceChanged, PRESENCE_ANNOUNCE_COOLDOWN_MS } from "../src/presence/records";
import { errorOf, startTestApp, type TestApp } from "./harness";
import { signWebhook, webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`webhooks and presence on ${testDriver()}`, () => {
  let app: TestApp;
  let siteAdmin: Person, owner: Person, admin: Person, member: Person, outsider: Person;
  let teamSlug: string;
  let room: { sid: string; name: string };

  const deliver = async (event: unknown, options?: Parameters<typeof webhookRequest>[2]) =>
    handleLiveKitWebhook(app.services, await webhookRequest(event, app.livekit, options));

  const presentIn = async (roomSlug: string, as: Person = member) =>
    ((await as.trpc.room.list.query({ teamSlug })).find((r) => r.slug === roomSlug)?.participants ?? [])
      .map((p) => p.identity)
      .sort();

  beforeAll(async () => {
    // This suite creates more rooms than one person may in an hour.
    app = await startTestApp({ ratePolicies: { roomCreate: { limit: 10_000, windowSeconds: 3600 } } });
    siteAdmin = await app.signUp("Site Admin");
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Acme" })).slug;
    await outsider.trpc.team.create.mutate({ name: "Other" });
    await admin.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug, role: "admin" })).token,
    });
    await member.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
    room = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
  });
  afterAll(() => app.close());

  describe("refuses unsigned or tampered webhooks with 401 and changes nothing", () => {
    const event = () =>
      webhookEvent("participant_joined", { room, participant: { sid: "PA_evil", identity: "intruder" } });
    const cases: [string, () => Promise<Request>][] = [
      ["a missing header", async () => webhookRequest(event(), app.livekit, { authorization: null })],
      [
        "a forged signature",
        async () => webhookRequest(event(), { apiKey: app.livekit.apiKey, apiSecret: "not-the-secret" }),
      ],
      [
        "a wrong API key",
        async () => webhookRequest(event(), { apiKey: "otherkey", apiSecret: app.livekit.apiSecret }),
      ],
      ["an expired token", async () => webhookRequest(event(), app.livekit, { ttl: -120 })],
      [
        "a token without an expiry",
        async () => {
          const body = JSON.stringify(event());
          const authorization = await new SignJWT({
            sha256: createHash("sha256").update(body).digest("base64"),
          })
            .setProtectedHeader({ alg: "HS256" })
            .setIssuer(app.livekit.apiKey)
            .sign(new TextEncoder().encode(app.livekit.apiSecret));
          return webhookRequest(body, app.livekit, { authorization });
        },
      ],
      [
        "another algorithm than LiveKit's HS256",
        async () => {
          const body = JSON.stringify(event());
          const authorization = await new SignJWT({
            sha256: createHash("sha256").update(body).digest("base64"),
          })
            .setProtectedHeader({ alg: "HS512" })
            .setIssuer(app.livekit.apiKey)
            .setExpirationTime("1m")
            .sign(new TextEncoder().encode(app.livekit.apiSecret));
          return webhookRequest(body, app.livekit, { authorization });
        },
      ],
      [
        "an altered body",
        async () => {
          const original = JSON.stringify(event());
          const authorization = await signWebhook(original, app.livekit.apiKey, app.livekit.apiSecret);
          return webhookRequest(original.replace("intruder", "impostor"), app.livekit, { authorization });
        },
      ],
      ["garbage", async () => webhookRequest("{not json", app.livekit, { authorization: "Bearer nonsense" })],
    ];
    for (const [name, build] of cases) {
      it(name, async () => {
        const before = await app.services.db.select({ n: count() }).from(schema.webhookEvents);
        const response = await handleLiveKitWebhook(app.services, await build());
        expect(response.status).toBe(401);
        expect(await response.text()).not.toMatch(/secret|stack/i);
        const after = await app.services.db.select({ n: count() }).from(schema.webhookEvents);
        expect(after[0]!.n).toBe(before[0]!.n);
        expect(await presentIn("standup")).not.toContain("intruder");
      });
    }
  });

  it("answers 400 to a signed event whose values can never be stored, and changes nothing", async () => {
    const event = webhookEvent("participant_joined", { room, participant: { sid: "PA_far", identity: "x" } });
    const response = await deliver({ ...event, createdAt: "99999999999999" });
    expect(response.status).toBe(400);
    expect(await presentIn("standup")).not.toContain("x");
  });

  it("applies the same event delivered twice once", async () => {
    const event = webhookEvent("participant_joined", {
      room,
      participant: { sid: "PA_twice", identity: owner.user.id, name: "Olivia" },
    });
    const first = await deliver(event);
    const second = await deliver(event);
    expect(await first.json()).toEqual({ ok: true, applied: true });
    expect(await second.json()).toEqual({ ok: true, applied: false });
    const rows = await app.services.db
      .select()
      .from(schema.participantSessions)
      .where(eq(schema.participantSessions.participantSid, "PA_twice"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: owner.user.id, name: "Olivia", leftAt: null });
    expect(await presentIn("standup")).toContain(owner.user.id);
    await deliver(
      webhookEvent("participant_left", { room, participant: { sid: "PA_twice", identity: owner.user.id } }),
    );
    expect(await presentIn("standup")).not.toContain(owner.user.id);
  });

  it("gets the final state right when participant_left arrives before participant_joined", async () => {
    const t = Math.floor(Date.now() / 1000);
    const participant = { sid: "PA_ooo", identity: admin.user.id, name: "Adam", joinedAt: t - 60 };
    await deliver(webhookEvent("participant_left", { room, participant, createdAt: t }));
    await deliver(webhookEvent("participant_joined", { room, participant, createdAt: t - 60 }));
    expect(await presentIn("standup")).not.toContain(admin.user.id);
    const [row] = await app.services.db
      .select()
      .from(schema.participantSessions)
      .where(eq(schema.participantSessions.participantSid, "PA_ooo"));
    expect(row?.leftAt?.getTime()).toBe(t * 1000);
  });

  it("fixes a dropped room_finished by reconciliation", async () => {
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "dropped" });
    const live = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
    await deliver(webhookEvent("room_started", { room: live }));
    await deliver(
      webhookEvent("participant_joined", {
        room: live,
        participant: { sid: "PA_dropped", identity: member.user.id },
      }),
    );
    expect(await presentIn("dropped")).toEqual([member.user.id]);

    app.livekit.rooms.delete(roomName); // LiveKit closed it; its room_finished never arrived
    expect(await presentIn("dropped")).toEqual([member.user.id]);
    await reconcilePresence(app.services);
    expect(await presentIn("dropped")).toEqual([]);
    const [session] = await app.services.db
      .select()
      .from(schema.roomSessions)
      .where(eq(schema.roomSessions.livekitRoomSid, live.sid));
    expect(session?.endedAt).not.toBeNull();
  });

  it("reconciliation adds people whose joins were never delivered", async () => {
    const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "missed" });
    app.livekit.join(roomName, { identity: member.user.id, name: "Mia" });
    expect(await presentIn("missed")).toEqual([]);
    await reconcilePresence(app.services);
    expect(await presentIn("missed")).toEqual([member.user.id]);
    app.livekit.rooms.get(roomName)!.participants.clear();
    await reconcilePresence(app.services);
    expect(await presentIn("missed")).toEqual([]);
  });

  it("ends with presence equal to LiveKit's truth after 1,000 events for 100 rooms in random order", async () => {
    const rooms = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: `load-${i}` });
        return { slug: `load-${i}`, sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
      }),
    );
    const t0 = Math.floor(Date.now() / 1000) - 3600;
    const events: unknown[] = [];
    const truth = new Map<string, string[]>();
    let n = 0;
    for (const [i, r] of rooms.entries()) {
      events.push(webhookEvent("room_started", { room: r, createdAt: t0 }));
      const inside: string[] = [];
      // 4 or 5 connections per room: joined, and every other one left again.
      const connections = 4 + (i % 2);
      for (let c = 0; c < connections; c++) {
        // Identities Parlor does not hand out (agents, say): bookkeeping only, the access rule leaves them be.
        const identity = `agent-${i}-${c}`;
        const participant = { sid: `PA_load_${++n}`, identity, joinedAt: t0 + c };
        events.push(webhookEvent("participant_joined", { room: r, participant, createdAt: t0 + c }));
        if (c % 2 === 1)
          events.push(webhookEvent("participant_left", { room: r, participant, createdAt: t0 + 100 + c }));
        else {
          inside.push(identity);
          app.livekit.join(r.name, { identity });
        }
      }
      truth.set(r.slug, inside.sort());
    }
    // Pad to 1,000 with redeliveries of random events.
    while (events.length < 1000) events.push(events[Math.floor(Math.random() * events.length)]);
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [events[i], events[j]] = [events[j], events[i]];
    }
    expect(events).toHaveLength(1000);
    for (const event of events) expect((await deliver(event)).status).toBe(200);

    const listed = await member.trpc.room.list.query({ teamSlug });
    for (const r of rooms) {
      const present = listed
        .find((x) => x.slug === r.slug)!
        .participants.map((p) => p.identity)
        .sort();
      const doubleTruth = [...app.livekit.rooms.get(r.name)!.participants.keys()].sort();
      expect(present).toEqual(truth.get(r.slug));
      expect(present).toEqual(doubleTruth);
    }
  });

  it("reaches a subscriber on another web instance through the bus, not by a later reconciliation", async () => {
    const secondDatabase =
      app.database.driver === "postgres"
        ? createDatabase({ url: (app.database as { url?: string }).url })
        : app.database;
    const instanceB = await startTestApp({ database: secondDatabase, livekit: app.livekit });
    const controller = new AbortController();
    try {
      const [teamRow] = await app.services.db
        .select()
        .from(schema.teams)
        .where(eq(schema.teams.slug, teamSlug));
      await instanceB.services.presenceBus.ready();
      const received = (async () => {
        for await (const teamId of instanceB.services.presenceBus.changes(controller.signal)) {
          if (teamId === teamRow!.id) return performance.now();
        }
        return null;
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sent = performance.now();
      // Instance A sees the join.
      await deliver(
        webhookEvent("participant_joined", {
          room,
          participant: { sid: "PA_fanout", identity: member.user.id },
        }),
      );
      // A second on an idle machine; the bound is generous for a busy one (a lost notice would
      // never arrive: nothing else tells instance B).
      const at = await Promise.race([
        received,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
      ]);
      expect(at, "no notification within 15 s").not.toBeNull();
      expect(at! - sent).toBeLessThan(15_000);
    } finally {
      controller.abort();
      await instanceB.close();
      if (secondDatabase !== app.database) await secondDatabase.close();
    }
  });

  it("announces a burst of one team's changes twice (at once and after the cooldown), not once per change", async () => {
    const [teamRow] = await app.services.db
      .select()
      .from(schema.teams)
      .where(eq(schema.teams.slug, teamSlug));
    const controller = new AbortController();
    const heard: number[] = [];
    await app.services.presenceBus.ready();
    const listening = (async () => {
      for await (const teamId of app.services.presenceBus.changes(controller.signal))
        if (teamId === teamRow!.id) heard.push(performance.now());
    })();
    try {
      const heardAtLeast = async (n: number) => {
        for (const deadline = Date.now() + 15_000; heard.length < n && Date.now() < deadline;)
          await new Promise((resolve) => setTimeout(resolve, 10));
        // Then nothing more comes.
        await new Promise((resolve) => setTimeout(resolve, PRESENCE_ANNOUNCE_COOLDOWN_MS * 4));
      };
      // Start quiet: the previous test's webhook may still be within its cooldown.
      await new Promise((resolve) => setTimeout(resolve, PRESENCE_ANNOUNCE_COOLDOWN_MS * 4));
      heard.length = 0;
      for (let i = 0; i < 100; i++) announcePresenceChanged(app.services, teamRow!.id);
      await heardAtLeast(2);
      expect(heard).toHaveLength(2);
      expect(heard[1]! - heard[0]!).toBeGreaterThanOrEqual(PRESENCE_ANNOUNCE_COOLDOWN_MS - 5);
      // Quiet again: the next change is announced, once.
      announcePresenceChanged(app.services, teamRow!.id);
      await heardAtLeast(3);
      expect(heard).toHaveLength(3);
    } finally {
      controller.abort();
      await listening;
    }
  });

  describe("moderation", () => {
    const everyone = () => ({ member, admin, owner, siteAdmin, outsider });
    const allowed = ["admin", "owner", "siteAdmin"];

    it.each(["muteParticipant", "removeParticipant", "end"] as const)(
      "%s: allowed for team admins, owners and site admins only",
      async (action) => {
        for (const [role, person] of Object.entries(everyone())) {
          const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "moderated" });
          if (!app.livekit.rooms.get(roomName)!.participants.has("target")) {
            app.livekit.join(roomName, {
              identity: "target",
              tracks: [{ type: "AUDIO", source: "MICROPHONE", muted: false }],
            });
          }
          const input = { teamSlug, roomSlug: "moderated", identity: "target" };
          const attempt =
            action === "muteParticipant"
              ? person.trpc.room.muteParticipant.mutate({ ...input, kind: "audio" })
              : action === "removeParticipant"
                ? person.trpc.room.removeParticipant.mutate(input)
                : person.trpc.room.end.mutate({ teamSlug, roomSlug: "moderated" });
          if (allowed.includes(role)) {
            await expect(attempt, role).resolves.toBeDefined();
          } else {
            const error = await errorOf(attempt);
            expect(role === "outsider" ? "NOT_FOUND" : "FORBIDDEN", `${role} got ${error.code}`).toBe(
              error.code,
            );
          }
        }
      },
    );

    it("mutes the microphone through LiveKit", async () => {
      const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "mute-me" });
      app.livekit.join(roomName, {
        identity: member.user.id,
        tracks: [
          { type: "AUDIO", source: "MICROPHONE", muted: false },
          { type: "VIDEO", source: "CAMERA", muted: false },
        ],
      });
      expect(
        await admin.trpc.room.muteParticipant.mutate({
          teamSlug,
          roomSlug: "mute-me",
          identity: member.user.id,
          kind: "audio",
        }),
      ).toEqual({ muted: 1 });
      const tracks = app.livekit.rooms.get(roomName)!.participants.get(member.user.id)!.tracks;
      expect(tracks.map((t) => t.muted)).toEqual([true, false]);
    });

    it("keeps a removed participant from getting a new token during the cooling-off period", async () => {
      const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "cooling" });
      app.livekit.join(roomName, { identity: member.user.id });
      const { blockedUntil } = await admin.trpc.room.removeParticipant.mutate({
        teamSlug,
        roomSlug: "cooling",
        identity: member.user.id,
      });
      expect(app.livekit.rooms.get(roomName)!.participants.has(member.user.id)).toBe(false);
      expect(blockedUntil.getTime()).toBeGreaterThan(Date.now() + 60_000);
      const refused = await errorOf(
        member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "cooling" }),
      );
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toMatch(/rejoin in \d+ minutes/);
      // Reconnecting with the token they held before is put out as soon as LiveKit reports it.
      const back = app.livekit.join(roomName, { identity: member.user.id });
      const live = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
      await deliver(
        webhookEvent("participant_joined", {
          room: live,
          participant: { sid: back.sid, identity: member.user.id },
        }),
      );
      expect(app.livekit.rooms.get(roomName)!.participants.has(member.user.id)).toBe(false);
      // Other rooms are unaffected, and the ban ends.
      await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "standup" });
      await app.services.db.update(schema.roomBans).set({ until: new Date(Date.now() - 1000) });
      await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: "cooling" });
    });

    it("ending a room closes it in LiveKit and in the records", async () => {
      const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "ending" });
      const live = { sid: app.livekit.rooms.get(roomName)!.sid, name: roomName };
      await deliver(
        webhookEvent("participant_joined", {
          room: live,
          participant: { sid: "PA_end", identity: member.user.id },
        }),
      );
      expect(await presentIn("ending")).toEqual([member.user.id]);
      await owner.trpc.room.end.mutate({ teamSlug, roomSlug: "ending" });
      expect(app.livekit.rooms.has(roomName)).toBe(false);
      expect(await presentIn("ending")).toEqual([]);
    });
  });

  describe("admin", () => {
    it("refuses non-admins with FORBIDDEN", async () => {
      for (const person of [owner, member, outsider]) {
        expect((await errorOf(person.trpc.admin.activeRooms.query())).code).toBe("FORBIDDEN");
        expect((await errorOf(person.trpc.admin.endRoom.mutate({ roomName: room.name }))).code).toBe(
          "FORBIDDEN",
        );
      }
      expect((await errorOf(app.client().trpc.admin.activeRooms.query())).code).toBe("UNAUTHORIZED");
    });

    it("lists every active room across teams with its people, exact after reconciliation", async () => {
      const otherTeam = (await outsider.trpc.team.list.query())[0]!.slug;
      const { roomName } = await outsider.trpc.room.ensure.mutate({
        teamSlug: otherTeam,
        roomSlug: "secret-plans",
      });
      app.livekit.join(roomName, { identity: outsider.user.id, name: "Otto" });
      await reconcilePresence(app.services);
      const active = await siteAdmin.trpc.admin.activeRooms.query();
      const entry = active.find((r) => r.roomName === roomName);
      expect(entry).toMatchObject({ teamSlug: otherTeam, roomSlug: "secret-plans", numParticipants: 1 });
      expect(entry?.participants.map((p) => p.name)).toEqual(["Otto"]);
      expect(entry?.createdAt).toBeInstanceOf(Date);
      // Every room in the answer is live in LiveKit, with the same people.
      for (const r of active) {
        const truth = app.livekit.rooms.get(r.roomName);
        expect(truth, r.roomName).toBeDefined();
        expect(r.participants.map((p) => p.identity).sort()).toEqual([...truth!.participants.keys()].sort());
      }
      await siteAdmin.trpc.admin.removeParticipant.mutate({ roomName, identity: outsider.user.id });
      await siteAdmin.trpc.admin.endRoom.mutate({ roomName });
      expect((await siteAdmin.trpc.admin.activeRooms.query()).some((r) => r.roomName === roomName)).toBe(
        false,
      );
    });
  });

  it("answers admin.activeRooms at once when presence is stale, reconciling in the background", async () => {
    const stale = new Date("2000-01-01T00:00:00.000Z");
    await app.services.db
      .insert(schema.appState)
      .values({ key: "presence.reconciled_at", value: stale.toISOString(), updatedAt: stale })
      .onConflictDoUpdate({ target: schema.appState.key, set: { value: stale.toISOString() } });
    app.livekit.setMode("hang"); // LiveKit would take its whole timeout to fail
    try {
      const started = performance.now();
      await siteAdmin.trpc.admin.activeRooms.query();
      // Well before LiveKit's timeout (generous for a busy machine): it did not wait for LiveKit.
      expect(performance.now() - started).toBeLessThan(app.config.livekit.timeoutMs / 2);
      // The reconciliation it started is still waiting for LiveKit; the recorded age is untouched.
      expect(backgroundReconciliation(app.services)).toBeDefined();
      expect((await lastReconciledAt(app.services))?.getTime()).toBe(stale.getTime());
    } finally {
      app.livekit.setMode("ok");
    }
    // LiveKit answers again: that reconciliation (retried) or the next view's makes the age fresh.
    await backgroundReconciliation(app.services);
    await siteAdmin.trpc.admin.activeRooms.query();
    await backgroundReconciliation(app.services);
    expect(Date.now() - (await lastReconciledAt(app.services))!.getTime()).toBeLessThan(5_000);
  });

  it("keeps meeting history: sessions with start, duration and attendees", async () => {
    const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "history" });
    const t = Math.floor(Date.now() / 1000) - 7200;
    const r1 = { sid: "RM_hist_1", name: roomName, creationTime: t };
    await deliver(webhookEvent("room_started", { room: r1, createdAt: t }));
    await deliver(
      webhookEvent("participant_joined", {
        room: r1,
        participant: { sid: "PA_h1", identity: owner.user.id, name: "Olivia", joinedAt: t + 10 },
        createdAt: t + 10,
      }),
    );
    await deliver(
      webhookEvent("participant_joined", {
        room: r1,
        participant: { sid: "PA_h2", identity: member.user.id, name: "Mia", joinedAt: t + 20 },
        createdAt: t + 20,
      }),
    );
    await deliver(
      webhookEvent("participant_left", {
        room: r1,
        participant: { sid: "PA_h2", identity: member.user.id, name: "Mia", joinedAt: t + 20 },
        createdAt: t + 620,
      }),
    );
    await deliver(webhookEvent("room_finished", { room: r1, createdAt: t + 1800 }));

    const history = await member.trpc.room.history.query({ teamSlug, roomSlug: "history" });
    // The meeting starts with its first person (t + 10), not when the room opened (t), and ends
    // when its last person left: when LiveKit finished the room, here.
    const session = history.find((s) => s.startedAt.getTime() === (t + 10) * 1000);
    expect(session).toMatchObject({ durationSeconds: 1790 });
    expect(session?.attendees).toEqual([
      expect.objectContaining({ name: "Olivia", secondsPresent: 1790 }),
      expect.objectContaining({ name: "Mia", secondsPresent: 600 }),
    ]);
    expect((await errorOf(outsider.trpc.room.history.query({ teamSlug, roomSlug: "history" }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("reports health: database, LiveKit and the age of the last reconciliation", async () => {
    await reconcilePresence(app.services);
    const ok = await handleHealth(app.services);
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, livekit: { ok: true } });
    expect(body.reconciliation.ageSeconds).toBeLessThan(5);
    app.livekit.setMode("fail");
    try {
      // A fresh services instance: the first one's LiveKit probe is cached for a few seconds.
      const degraded = await handleHealth({ ...app.services });
      expect(degraded.status).toBe(503);
      expect(await degraded.json()).toMatchObject({ status: "degraded", livekit: { ok: false } });
    } finally {
      app.livekit.setMode("ok");
    }
    const down = await handleHealth(() => Promise.reject(new Error("database down")));
    expect(down.status).toBe(503);
  });
});
