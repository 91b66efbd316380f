import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorOf, startTestApp, type TestApp } from "./harness";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`teams and invites on ${testDriver()}`, () => {
  let app: TestApp;
  let now = Date.now();
  let owner: Person, admin: Person, member: Person, newcomer: Person;
  let teamSlug: string;

  beforeAll(async () => {
    app = await startTestApp({ clock: () => new Date(now) });
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    newcomer = await app.signUp("Nina Newcomer");
    const team = await owner.trpc.team.create.mutate({ name: "  Acme   Rockets " });
    teamSlug = team.slug;
    expect(team).toMatchObject({ name: "Acme Rockets", slug: "acme-rockets" });
    await admin.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug, role: "admin" })).token,
    });
    await member.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
  });
  afterAll(() => app.close());

  it("derives unique readable team slugs", async () => {
    const again = await member.trpc.team.create.mutate({ name: "Acme Rockets" });
    expect(again.slug).toBe("acme-rockets-2");
    expect(await member.trpc.team.list.query()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slug: "acme-rockets", role: "member" }),
        expect.objectContaining({ slug: "acme-rockets-2", role: "owner" }),
      ]),
    );
  });

  it("lists members with their roles, owners first", async () => {
    const members = await member.trpc.team.members.query({ teamSlug });
    expect(members.map((m) => [m.name, m.role])).toEqual([
      ["Olivia Owner", "owner"],
      ["Adam Admin", "admin"],
      ["Mia Member", "member"],
    ]);
    expect(members[0]).toMatchObject({ userId: owner.user.id });
    const asOwner = await owner.trpc.team.members.query({ teamSlug });
    expect(asOwner[2]).toMatchObject({ userId: member.user.id, email: member.email });
  });

  describe("invites", () => {
    it("give a link to /invite/<token>, store only the token's hash, and expire in 7 days by default", async () => {
      const invite = await admin.trpc.team.createInvite.mutate({ teamSlug });
      expect(invite.url).toBe(`http://parlor.test/invite/${invite.token}`);
      expect(invite.expiresAt.getTime() - now).toBe(7 * 86_400_000);
      const rows = await app.services.db.select().from(schema.invites);
      expect(rows.some((r) => r.tokenHash === invite.token)).toBe(false);
      expect(JSON.stringify(rows)).not.toContain(invite.token);
    });

    it("let the invited person preview and join; accepting twice is harmless", async () => {
      const invite = await owner.trpc.team.createInvite.mutate({ teamSlug, maxUses: 2 });
      expect(await app.client().trpc.team.previewInvite.query({ token: invite.token })).toMatchObject({
        teamName: "Acme Rockets",
        teamSlug,
        role: "member",
        invitedBy: owner.user.name,
      });
      const joined = await newcomer.trpc.team.acceptInvite.mutate({ token: invite.token });
      expect(joined).toMatchObject({ slug: teamSlug, role: "member" });
      expect(await newcomer.trpc.team.acceptInvite.mutate({ token: invite.token })).toMatchObject({
        slug: teamSlug,
        role: "member",
      });
      const [row] = await app.services.db
        .select()
        .from(schema.invites)
        .where(eq(schema.invites.id, invite.id));
      expect(row?.uses).toBe(1);
      await owner.trpc.team.removeMember.mutate({ teamSlug, userId: newcomer.user.id });
    });

    it("refuse unknown, revoked, expired and used-up links", async () => {
      const unknown = await errorOf(newcomer.trpc.team.acceptInvite.mutate({ token: "x".repeat(32) }));
      expect(unknown.code).toBe("NOT_FOUND");

      const revoked = await owner.trpc.team.createInvite.mutate({ teamSlug });
      await owner.trpc.team.revokeInvite.mutate({ teamSlug, inviteId: revoked.id });
      expect(
        (await errorOf(newcomer.trpc.team.acceptInvite.mutate({ token: revoked.token }))).message,
      ).toMatch(/withdrawn/);

      const expiring = await owner.trpc.team.createInvite.mutate({ teamSlug, expiresInDays: 1 });
      now += 86_400_000 + 1;
      expect(
        (await errorOf(newcomer.trpc.team.acceptInvite.mutate({ token: expiring.token }))).message,
      ).toMatch(/expired/);
      expect(
        (await errorOf(app.client().trpc.team.previewInvite.query({ token: expiring.token }))).code,
      ).toBe("FORBIDDEN");

      const once = await owner.trpc.team.createInvite.mutate({ teamSlug, maxUses: 1 });
      const first = await app.signUp("One");
      await first.trpc.team.acceptInvite.mutate({ token: once.token });
      expect((await errorOf(newcomer.trpc.team.acceptInvite.mutate({ token: once.token }))).message).toMatch(
        /used as many times/,
      );

      expect((await newcomer.trpc.team.list.query()).some((t) => t.slug === teamSlug)).toBe(false);
    });

    it("are never more than their limit, even when accepted at once", async () => {
      const invite = await owner.trpc.team.createInvite.mutate({ teamSlug, maxUses: 3 });
      const people = await Promise.all(Array.from({ length: 8 }, (_, i) => app.signUp(`Racer ${i}`)));
      const results = await Promise.allSettled(
        people.map((p) => p.trpc.team.acceptInvite.mutate({ token: invite.token })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    });

    it("can only be made by owners and admins, and a member cannot make an admin invite", async () => {
      expect((await errorOf(member.trpc.team.createInvite.mutate({ teamSlug, role: "admin" }))).code).toBe(
        "FORBIDDEN",
      );
      expect((await errorOf(member.trpc.team.createInvite.mutate({ teamSlug }))).code).toBe("FORBIDDEN");
      const error = await errorOf(
        owner.trpc.team.createInvite.mutate({ teamSlug, role: "owner" as "admin" }),
      );
      expect(error.code).toBe("BAD_REQUEST");
    });

    it("list only the usable ones", async () => {
      const invites = await owner.trpc.team.invites.query({ teamSlug });
      expect(invites.every((i) => i.expiresAt.getTime() > now)).toBe(true);
      expect(invites.every((i) => i.maxUses === null || i.uses < i.maxUses)).toBe(true);
    });
  });

  describe("roles", () => {
    it("admins make members admins (only owners demote admins), but cannot touch owners", async () => {
      expect(
        await admin.trpc.team.changeRole.mutate({ teamSlug, userId: member.user.id, role: "admin" }),
      ).toEqual({ userId: member.user.id, role: "admin" });
      expect(
        (
          await errorOf(
            admin.trpc.team.changeRole.mutate({ teamSlug, userId: member.user.id, role: "member" }),
          )
        ).code,
      ).toBe("FORBIDDEN");
      await owner.trpc.team.changeRole.mutate({ teamSlug, userId: member.user.id, role: "member" });
      expect(
        (
          await errorOf(
            admin.trpc.team.changeRole.mutate({ teamSlug, userId: member.user.id, role: "owner" }),
          )
        ).code,
      ).toBe("FORBIDDEN");
      expect(
        (
          await errorOf(
            admin.trpc.team.changeRole.mutate({ teamSlug, userId: owner.user.id, role: "member" }),
          )
        ).code,
      ).toBe("FORBIDDEN");
      expect(
        (
          await errorOf(
            member.trpc.team.changeRole.mutate({ teamSlug, userId: admin.user.id, role: "member" }),
          )
        ).code,
      ).toBe("FORBIDDEN");
    });

    it("the last owner can neither be demoted nor leave until someone else owns the team", async () => {
      const demote = await errorOf(
        owner.trpc.team.changeRole.mutate({ teamSlug, userId: owner.user.id, role: "admin" }),
      );
      expect(demote.code).toBe("BAD_REQUEST");
      const leave = await errorOf(owner.trpc.team.leave.mutate({ teamSlug }));
      expect(leave.message).toMatch(/only owner/);

      await owner.trpc.team.changeRole.mutate({ teamSlug, userId: admin.user.id, role: "owner" });
      await owner.trpc.team.leave.mutate({ teamSlug });
      expect((await errorOf(owner.trpc.team.get.query({ teamSlug }))).code).toBe("NOT_FOUND");
      // Back in, for the tests after this one.
      const invite = await admin.trpc.team.createInvite.mutate({ teamSlug, role: "admin" });
      await owner.trpc.team.acceptInvite.mutate({ token: invite.token });
    });

    it("removing: admins remove members, only owners remove admins", async () => {
      const extra = await app.signUp("Extra");
      await extra.trpc.team.acceptInvite.mutate({
        token: (await admin.trpc.team.createInvite.mutate({ teamSlug })).token,
      });
      await owner.trpc.team.changeRole
        .mutate({ teamSlug, userId: extra.user.id, role: "admin" })
        .catch(() => undefined);
      const refused = await errorOf(owner.trpc.team.removeMember.mutate({ teamSlug, userId: extra.user.id }));
      // `owner` is an admin now (handed over above): admins cannot remove admins.
      expect(refused.code).toBe("FORBIDDEN");
      await admin.trpc.team.removeMember.mutate({ teamSlug, userId: extra.user.id });
      expect((await errorOf(extra.trpc.team.get.query({ teamSlug }))).code).toBe("NOT_FOUND");
    });
  });

  it("limits creating things per user with TOO_MANY_REQUESTS and a retry time", async () => {
    const limited = await startTestApp({
      ratePolicies: {
        teamCreate: { limit: 2, windowSeconds: 3600 },
        roomCreate: { limit: 2, windowSeconds: 3600 },
      },
    });
    try {
      const person = await limited.signUp();
      const { slug } = await person.trpc.team.create.mutate({ name: "One" });
      await person.trpc.team.create.mutate({ name: "Two" });
      const error = await errorOf(person.trpc.team.create.mutate({ name: "Three" }));
      expect(error.code).toBe("TOO_MANY_REQUESTS");
      expect(error.data?.retryAfterSeconds).toBeGreaterThan(3000);

      await person.trpc.room.create.mutate({ teamSlug: slug, name: "A" });
      // An ensure that creates a room counts as a room.create…
      await person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "b" });
      expect((await errorOf(person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "c" }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      // …but joining existing rooms is never limited.
      for (let i = 0; i < 10; i++) await person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "b" });
      // Another user has their own budget.
      const other = await limited.signUp();
      await other.trpc.team.create.mutate({ name: "Mine" });
    } finally {
      await limited.close();
    }
  });
});
