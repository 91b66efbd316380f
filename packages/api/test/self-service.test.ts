import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcilePresence } from "../src/presence/reconcile";
import { errorOf, GOOD_PASSWORD, startTestApp, TEST_ORIGIN, type TestApp } from "./harness";
import { linkIn, startSmtpInbox, type SmtpInbox } from "./smtp-inbox";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`teams and accounts, self-service, on ${testDriver()}`, () => {
  let app: TestApp;
  let inbox: SmtpInbox;
  let owner: Person, admin: Person, member: Person;
  let teamSlug: string;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    app = await startTestApp({
      env: { SMTP_URL: inbox.url, MAIL_FROM: "parlor@parlor.test", APP_URL: TEST_ORIGIN },
    });
    await app.signUp("Site Admin");
    owner = await app.signUp("Olga Owner");
    admin = await app.signUp("Arne Admin");
    member = await app.signUp("Mo Member");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Orbit" })).slug;
    await admin.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug, role: "admin" })).token,
    });
    await member.trpc.team.acceptInvite.mutate({
      token: (await owner.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
  });
  afterAll(async () => {
    await app.close();
    await inbox.close();
  });

  describe("invites by email", () => {
    it("send a single-use invite link to an address, made with APP_URL", async () => {
      const sent = await admin.trpc.team.sendInvite.mutate({ teamSlug, email: " New.Person@Example.com " });
      expect(sent).toMatchObject({ email: "new.person@example.com", role: "member" });
      const mail = await inbox.waitFor("new.person@example.com");
      expect(mail.subject).toBe("You're invited to a team on Parlor");
      expect(mail.text).toContain("Arne Admin invited you to join the team “Orbit” on Parlor");
      const { token } = linkIn(mail, TEST_ORIGIN, "/invite/");
      const newcomer = await app.signUp("New Person", "new.person@example.com");
      expect(await newcomer.trpc.team.acceptInvite.mutate({ token })).toMatchObject({ slug: teamSlug });
      const other = await app.signUp("Someone Else");
      expect((await errorOf(other.trpc.team.acceptInvite.mutate({ token }))).message).toMatch(
        /used as many times/,
      );
    });

    /* Issue 19, row 10: a fresh account per sender got around a limit per sender. */
    it("are limited to a few a day per address, whoever sends them", async () => {
      const target = "flooded@example.com";
      const senders = [await app.signUp("Sender One"), await app.signUp("Sender Two")];
      const teams = await Promise.all(
        senders.map((s, i) => s.trpc.team.create.mutate({ name: `Flood ${i}` })),
      );
      await senders[0]!.trpc.team.sendInvite.mutate({ teamSlug: teams[0]!.slug, email: target });
      await senders[1]!.trpc.team.sendInvite.mutate({ teamSlug: teams[1]!.slug, email: target });
      await senders[0]!.trpc.team.sendInvite.mutate({
        teamSlug: teams[0]!.slug,
        email: "Flooded@Example.com",
      });
      const refused = await errorOf(
        senders[1]!.trpc.team.sendInvite.mutate({ teamSlug: teams[1]!.slug, email: target }),
      );
      expect(refused.code).toBe("TOO_MANY_REQUESTS");
      expect(refused.message).toMatch(
        /as many invitations as Parlor sends to one address in a day. Create an invite link and share it with them yourself. Please try again in 24 hours/,
      );
      expect(refused.data?.retryAfterSeconds).toBeGreaterThan(23 * 3600);
      await inbox.waitFor(target, 3);
      expect(inbox.to(target)).toHaveLength(3);
      // Other addresses are not held back.
      await senders[1]!.trpc.team.sendInvite.mutate({
        teamSlug: teams[1]!.slug,
        email: "welcome@example.com",
      });
      await inbox.waitFor("welcome@example.com");
    });

    it("have a fixed subject, and names people typed only in the body, as text no client makes a link of", async () => {
      const sender = await app.signUp("Alerts at www.evil.example");
      const team = await sender.trpc.team.create.mutate({
        name: "Security Team: verify account at http://evil.example/login",
      });
      await sender.trpc.team.sendInvite.mutate({ teamSlug: team.slug, email: "phished@example.com" });
      const mail = await inbox.waitFor("phished@example.com");
      expect(mail.subject).toBe("You're invited to a team on Parlor");
      expect(mail.html).toBeNull();
      expect(mail.text).toContain(
        "Alerts at www[.]evil[.]example invited you to join the team “Security Team: verify account at http[:]//evil[.]example/login” on Parlor",
      );
      expect(mail.text).not.toMatch(/evil\.example|http:\/\/evil/);
      // The one link in the email is Parlor's invite link.
      expect(mail.text.match(/https?:\/\/\S+/g)).toEqual([linkIn(mail, TEST_ORIGIN, "/invite/").url]);
    });

    it("take their links from APP_URL, never from the request's Host", async () => {
      const appUrl = "https://meet.example.org";
      const configured = await startTestApp({
        database: app.database,
        livekit: app.livekit,
        env: { SMTP_URL: inbox.url, MAIL_FROM: "parlor@parlor.test", APP_URL: appUrl },
      });
      // The harness sends Host: parlor.test; the links must still name APP_URL.
      const browser = configured.client("203.0.113.10", appUrl);
      await browser.trpc.auth.signIn.mutate({ email: admin.email, password: GOOD_PASSWORD });
      await browser.trpc.team.sendInvite.mutate({ teamSlug, email: "host@example.com" });
      const invite = await inbox.waitFor("host@example.com");
      expect(invite.text).toContain(`${appUrl}/invite/`);
      await browser.trpc.auth.requestPasswordReset.mutate({ email: admin.email });
      const reset = await inbox.waitFor(admin.email);
      expect(reset.text).toContain(`${appUrl}/reset-password/`);
      for (const mail of [invite, reset]) expect(mail.text).not.toContain("parlor.test");
    });

    it("withdraw the link when the email cannot be sent, and say so", async () => {
      const broken = await startTestApp({
        database: app.database,
        livekit: app.livekit,
        env: { SMTP_URL: "smtp://127.0.0.1:1", MAIL_FROM: "parlor@parlor.test", APP_URL: TEST_ORIGIN },
      });
      const browser = broken.client();
      await browser.trpc.auth.signIn.mutate({ email: admin.email, password: GOOD_PASSWORD });
      const before = (await admin.trpc.team.invites.query({ teamSlug })).length;
      const error = await errorOf(
        browser.trpc.team.sendInvite.mutate({ teamSlug, email: "lost@example.com" }),
      );
      expect(error.code).toBe("SERVICE_UNAVAILABLE");
      expect(error.message).toMatch(/could not send the email/);
      expect((await admin.trpc.team.invites.query({ teamSlug })).length).toBe(before);
    });

    it("are refused with a way forward when the instance sends no email", async () => {
      const plain = await startTestApp({ database: app.database, livekit: app.livekit });
      const browser = plain.client();
      await browser.trpc.auth.signIn.mutate({ email: owner.email, password: GOOD_PASSWORD });
      const error = await errorOf(browser.trpc.team.sendInvite.mutate({ teamSlug, email: "x@example.com" }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/Create an invite link and share it yourself/);
    });
  });

  describe("renaming a team", () => {
    it("changes its name and keeps its address", async () => {
      expect(await owner.trpc.team.rename.mutate({ teamSlug, name: "  Orbit   Labs " })).toMatchObject({
        slug: teamSlug,
        name: "Orbit Labs",
      });
      expect(await member.trpc.team.get.query({ teamSlug })).toMatchObject({ name: "Orbit Labs" });
      const empty = await errorOf(owner.trpc.team.rename.mutate({ teamSlug, name: "   " }));
      expect(empty.data?.fieldErrors?.name?.[0]).toMatch(/Enter a team name/);
    });
  });

  describe("deleting a team", () => {
    it("needs its name typed, and closes its live rooms", async () => {
      const team = await owner.trpc.team.create.mutate({ name: "Short Lived" });
      const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug: team.slug, roomSlug: "call" });
      const wrong = await errorOf(
        owner.trpc.team.delete.mutate({ teamSlug: team.slug, confirmName: "short lived" }),
      );
      expect(wrong.data?.fieldErrors?.confirmName?.[0]).toMatch(/Short Lived/);
      expect(
        await owner.trpc.team.delete.mutate({ teamSlug: team.slug, confirmName: "Short Lived" }),
      ).toEqual({
        ok: true,
        closedRooms: 1,
      });
      expect(app.livekit.rooms.has(roomName)).toBe(false);
      expect((await owner.trpc.team.list.query()).some((t) => t.slug === team.slug)).toBe(false);
    });
  });

  describe("deleting your own account", () => {
    it("needs the password, and a sole owner must hand over or delete the team first", async () => {
      const wrong = await errorOf(owner.trpc.auth.deleteAccount.mutate({ password: "not my password" }));
      expect(wrong.data?.fieldErrors?.password?.[0]).toMatch(/not your password/);
      const sole = await errorOf(owner.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD }));
      expect(sole.code).toBe("BAD_REQUEST");
      expect(sole.message).toMatch(
        /only owner of Orbit Labs. Make someone else an owner, or delete the team/,
      );
      expect(await owner.trpc.auth.me.query()).not.toBeNull();
    });

    it("ends every session, takes them out of calls, and history keeps their name as a former member", async () => {
      const { roomName } = await member.trpc.room.ensure.mutate({ teamSlug, roomSlug: "daily" });
      app.livekit.join(roomName, { identity: member.user.id, name: "Mo in the call" });
      await reconcilePresence(app.services);
      const elsewhere = app.client("198.51.100.20");
      await elsewhere.trpc.auth.signIn.mutate({ email: member.email, password: GOOD_PASSWORD });

      expect(await member.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD })).toEqual({ ok: true });
      expect(member.cookies.size).toBe(0);
      expect(await elsewhere.trpc.auth.me.query()).toBeNull();
      expect(app.livekit.rooms.get(roomName)!.participants.has(member.user.id)).toBe(false);
      expect(
        (
          await errorOf(
            app.client().trpc.auth.signIn.mutate({ email: member.email, password: GOOD_PASSWORD }),
          )
        ).code,
      ).toBe("UNAUTHORIZED");
      expect(
        (await owner.trpc.team.members.query({ teamSlug })).some((m) => m.userId === member.user.id),
      ).toBe(false);

      const [meeting] = await owner.trpc.room.history.query({ teamSlug, roomSlug: "daily" });
      expect(meeting!.attendees).toEqual([
        expect.objectContaining({ identity: member.user.id, name: "Mo in the call", formerMember: true }),
      ]);
      const rows = await app.services.db
        .select()
        .from(schema.users)
        .where(eq(schema.users.id, member.user.id));
      expect(rows).toEqual([]);
    });

    it("works for an owner once someone else owns the team too", async () => {
      await owner.trpc.team.changeRole.mutate({ teamSlug, userId: admin.user.id, role: "owner" });
      await owner.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD });
      expect(await admin.trpc.team.get.query({ teamSlug })).toMatchObject({ role: "owner" });
    });

    it("the only site admin must make someone else one first", async () => {
      const solo = await startTestApp();
      try {
        const first = await solo.signUp("Only Admin");
        const error = await errorOf(first.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD }));
        expect(error.message).toMatch(/only site admin/);
      } finally {
        await solo.close();
      }
    });
  });
});
