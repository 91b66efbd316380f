import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcilePresence } from "../src/presence/reconcile";
import { errorOf, GOOD_PASSWORD, startTestApp, type TestApp } from "./harness";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`instance administration on ${testDriver()}`, () => {
  let app: TestApp;
  let root: Person, ada: Person, bob: Person;
  let teamSlug: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_EMAILS: "config-admin@example.com" } });
    root = await app.signUp("Root Admin"); // the first account: site admin
    ada = await app.signUp("Ada Lovelace", "ada@example.com");
    bob = await app.signUp("Bob Builder", "bob@example.com");
    teamSlug = (await ada.trpc.team.create.mutate({ name: "Engines" })).slug;
    await bob.trpc.team.acceptInvite.mutate({
      token: (await ada.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
  });
  afterAll(() => app.close());

  describe("users", () => {
    it("lists users with their teams, last sign-in and site admin status", async () => {
      const { users, total } = await root.trpc.admin.users.query({});
      expect(total).toBe(3);
      const byName = Object.fromEntries(users.map((u) => [u.name, u]));
      expect(byName["Root Admin"]).toMatchObject({ isAdmin: true, adminByConfig: false, disabled: false });
      expect(byName["Ada Lovelace"]).toMatchObject({
        email: "ada@example.com",
        isAdmin: false,
        teams: [{ slug: teamSlug, name: "Engines", role: "owner" }],
      });
      expect(byName["Bob Builder"]!.teams).toEqual([{ slug: teamSlug, name: "Engines", role: "member" }]);
      expect(byName["Bob Builder"]!.lastSignInAt).toBeInstanceOf(Date);
    });

    it("records each sign-in", async () => {
      const before = (await root.trpc.admin.users.query({ query: "bob@" })).users[0]!.lastSignInAt!;
      await new Promise((r) => setTimeout(r, 5));
      await app.client().trpc.auth.signIn.mutate({ email: bob.email, password: GOOD_PASSWORD });
      const after = (await root.trpc.admin.users.query({ query: "bob@" })).users[0]!.lastSignInAt!;
      expect(after.getTime()).toBeGreaterThan(before.getTime());
    });

    it("searches by name or email, ignoring case; LIKE wildcards are literal", async () => {
      expect((await root.trpc.admin.users.query({ query: "LOVELACE" })).users.map((u) => u.name)).toEqual([
        "Ada Lovelace",
      ]);
      expect((await root.trpc.admin.users.query({ query: "bob@example" })).users.map((u) => u.name)).toEqual([
        "Bob Builder",
      ]);
      expect((await root.trpc.admin.users.query({ query: "%" })).total).toBe(0);
      expect((await root.trpc.admin.users.query({ query: "_" })).total).toBe(0);
      const paged = await root.trpc.admin.users.query({ limit: 1, offset: 1 });
      expect(paged.users).toHaveLength(1);
      expect(paged.total).toBe(3);
    });

    it("makes and revokes site admins, never the last one", async () => {
      await root.trpc.admin.setSiteAdmin.mutate({ userId: ada.user.id, isAdmin: true });
      expect((await ada.trpc.auth.me.query())?.isAdmin).toBe(true);
      await ada.trpc.admin.setSiteAdmin.mutate({ userId: root.user.id, isAdmin: false });
      expect((await root.trpc.auth.me.query())?.isAdmin).toBe(false);
      const last = await errorOf(ada.trpc.admin.setSiteAdmin.mutate({ userId: ada.user.id, isAdmin: false }));
      expect(last.code).toBe("BAD_REQUEST");
      expect(last.message).toMatch(/only site admin/);
      await ada.trpc.admin.setSiteAdmin.mutate({ userId: root.user.id, isAdmin: true });
      await root.trpc.admin.setSiteAdmin.mutate({ userId: ada.user.id, isAdmin: false });
    });

    it("cannot revoke a site admin named by ADMIN_EMAILS", async () => {
      const configured = await app.signUp("Configured", "config-admin@example.com");
      expect(configured.user.isAdmin).toBe(true);
      const refused = await errorOf(
        root.trpc.admin.setSiteAdmin.mutate({ userId: configured.user.id, isAdmin: false }),
      );
      expect(refused.message).toMatch(/ADMIN_EMAILS/);
      await app.services.db.delete(schema.users).where(eq(schema.users.id, configured.user.id));
    });

    it("makes a password reset link for a user", async () => {
      const link = await root.trpc.admin.createPasswordResetLink.mutate({ userId: bob.user.id });
      expect(link.url).toMatch(/^http:\/\/parlor\.test\/reset-password\//);
      expect(
        await app.client().trpc.auth.checkPasswordReset.query({ token: link.url.split("/").at(-1)! }),
      ).toMatchObject({ email: bob.email });
    });
  });

  describe("disabling an account", () => {
    it("ends its sessions, refuses sign-in clearly and removes it from live calls", async () => {
      const { roomName } = await bob.trpc.room.ensure.mutate({ teamSlug, roomSlug: "workshop" });
      app.livekit.join(roomName, { identity: bob.user.id, name: "Bob" });
      app.livekit.join(roomName, { identity: ada.user.id, name: "Ada" });
      await reconcilePresence(app.services);
      const inRoom = async () =>
        (await ada.trpc.room.list.query({ teamSlug }))
          .find((r) => r.slug === "workshop")!
          .participants.map((p) => p.name);
      expect(await inRoom()).toEqual(expect.arrayContaining(["Bob", "Ada"]));

      const result = await root.trpc.admin.setDisabled.mutate({ userId: bob.user.id, disabled: true });
      expect(result).toMatchObject({ disabled: true, removedFromRooms: 1 });
      const removal = app.livekit.callsTo("RemoveParticipant").at(-1);
      expect(removal?.body).toMatchObject({ room: roomName, identity: bob.user.id });
      expect(app.livekit.rooms.get(roomName)!.participants.has(bob.user.id)).toBe(false);
      expect(await inRoom()).toEqual(["Ada"]);

      expect(await bob.trpc.auth.me.query()).toBeNull();
      const signIn = await errorOf(
        app.client().trpc.auth.signIn.mutate({ email: bob.email, password: GOOD_PASSWORD }),
      );
      expect(signIn.code).toBe("FORBIDDEN");
      expect(signIn.message).toMatch(/disabled by a site administrator/);
      // A wrong password still says only that the password is wrong.
      expect(
        (await errorOf(app.client().trpc.auth.signIn.mutate({ email: bob.email, password: "wrong wrong 1" })))
          .code,
      ).toBe("UNAUTHORIZED");
      expect((await root.trpc.admin.users.query({ query: "bob@" })).users[0]).toMatchObject({
        disabled: true,
      });

      await root.trpc.admin.setDisabled.mutate({ userId: bob.user.id, disabled: false });
      await bob.trpc.auth.signIn.mutate({ email: bob.email, password: GOOD_PASSWORD });
      expect((await bob.trpc.auth.me.query())?.id).toBe(bob.user.id);
    });

    it("refuses a session that outlived the disabling (a race with sign-in)", async () => {
      const carol = await app.signUp("Carol");
      await app.services.db
        .update(schema.users)
        .set({ disabledAt: new Date() })
        .where(eq(schema.users.id, carol.user.id));
      expect(await carol.trpc.auth.me.query()).toBeNull();
      expect((await errorOf(carol.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
    });

    it("when LiveKit is down: disables anyway, says so, and a retry removes them", async () => {
      const dave = await app.signUp("Dave");
      await dave.trpc.team.acceptInvite.mutate({
        token: (await ada.trpc.team.createInvite.mutate({ teamSlug })).token,
      });
      const { roomName } = await dave.trpc.room.ensure.mutate({ teamSlug, roomSlug: "workshop" });
      app.livekit.join(roomName, { identity: dave.user.id, name: "Dave" });
      await reconcilePresence(app.services);

      app.livekit.setMode("fail");
      const failed = await errorOf(
        root.trpc.admin.setDisabled.mutate({ userId: dave.user.id, disabled: true }),
      );
      app.livekit.setMode("ok");
      expect(failed.code).toBe("SERVICE_UNAVAILABLE");
      expect(failed.message).toMatch(/disabled and signed out everywhere.*Try again/);
      expect(await dave.trpc.auth.me.query()).toBeNull();

      expect(
        await root.trpc.admin.setDisabled.mutate({ userId: dave.user.id, disabled: true }),
      ).toMatchObject({
        removedFromRooms: 1,
      });
      expect(app.livekit.rooms.get(roomName)!.participants.has(dave.user.id)).toBe(false);
    });

    it("never disables yourself or the last site admin", async () => {
      const self = await errorOf(
        root.trpc.admin.setDisabled.mutate({ userId: root.user.id, disabled: true }),
      );
      expect(self.message).toMatch(/your own account/);
    });
  });

  describe("teams", () => {
    it("lists teams with member and room counts, and owners", async () => {
      const { teams } = await root.trpc.admin.teams.query({ query: "engi" });
      expect(teams).toEqual([
        expect.objectContaining({
          slug: teamSlug,
          name: "Engines",
          members: 3,
          rooms: 1,
          owners: [{ name: "Ada Lovelace", email: "ada@example.com" }],
        }),
      ]);
    });

    it("deletes a team after its name is typed, closing its live LiveKit rooms", async () => {
      const doomed = await ada.trpc.team.create.mutate({ name: "Doomed Co" });
      const live = await ada.trpc.room.ensure.mutate({ teamSlug: doomed.slug, roomSlug: "live" });
      const idle = await ada.trpc.room.ensure.mutate({ teamSlug: doomed.slug, roomSlug: "idle" });
      app.livekit.rooms.delete(idle.roomName); // LiveKit closed this one already
      const wrong = await errorOf(
        root.trpc.admin.deleteTeam.mutate({ teamSlug: doomed.slug, confirmName: "Doomed" }),
      );
      expect(wrong.code).toBe("BAD_REQUEST");
      expect(wrong.data?.fieldErrors?.confirmName?.[0]).toMatch(/Doomed Co/);

      const before = app.livekit.callsTo("DeleteRoom").length;
      expect(
        await root.trpc.admin.deleteTeam.mutate({ teamSlug: doomed.slug, confirmName: " Doomed  Co " }),
      ).toEqual({ ok: true, closedRooms: 1 });
      const deletes = app.livekit.callsTo("DeleteRoom").slice(before);
      expect(deletes.map((c) => c.body.room)).toEqual([live.roomName]);
      expect(app.livekit.rooms.has(live.roomName)).toBe(false);
      expect((await errorOf(ada.trpc.team.get.query({ teamSlug: doomed.slug }))).code).toBe("NOT_FOUND");
      const rooms = await app.services.db.select().from(schema.rooms).where(eq(schema.rooms.name, "Live"));
      expect(rooms).toEqual([]);
    });

    it("keeps the team when LiveKit cannot close its rooms", async () => {
      const kept = await ada.trpc.team.create.mutate({ name: "Kept" });
      await ada.trpc.room.ensure.mutate({ teamSlug: kept.slug, roomSlug: "r" });
      app.livekit.setMode("fail");
      const error = await errorOf(
        root.trpc.admin.deleteTeam.mutate({ teamSlug: kept.slug, confirmName: "Kept" }),
      );
      app.livekit.setMode("ok");
      expect(error.code).toBe("SERVICE_UNAVAILABLE");
      expect(await ada.trpc.team.get.query({ teamSlug: kept.slug })).toMatchObject({ name: "Kept" });
    });
  });
});

describe(`the last site admin under concurrent requests on ${testDriver()}`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("two admins revoking each other at once leave one site admin, every time", async () => {
    let survivor = await app.signUp("First"); // the first account: site admin
    for (let round = 0; round < 8; round++) {
      const a = await app.signUp(`A${round}`);
      const b = await app.signUp(`B${round}`);
      await survivor.trpc.admin.setSiteAdmin.mutate({ userId: a.user.id, isAdmin: true });
      await survivor.trpc.admin.setSiteAdmin.mutate({ userId: b.user.id, isAdmin: true });
      await a.trpc.admin.setSiteAdmin.mutate({ userId: survivor.user.id, isAdmin: false });
      // a and b are the only two site admins now, and each revokes the other at the same moment.
      const [revokeB, revokeA] = await Promise.allSettled([
        a.trpc.admin.setSiteAdmin.mutate({ userId: b.user.id, isAdmin: false }),
        b.trpc.admin.setSiteAdmin.mutate({ userId: a.user.id, isAdmin: false }),
      ]);
      const admins = await app.services.db
        .select({ id: schema.users.id })
        .from(schema.users)
        .where(eq(schema.users.isAdmin, true));
      expect(admins).toHaveLength(1);
      expect([revokeA.status, revokeB.status].sort()).toEqual(["fulfilled", "rejected"]);
      survivor = admins[0]!.id === a.user.id ? a : b;
    }
  });
});
