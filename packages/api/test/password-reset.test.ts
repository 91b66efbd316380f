import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sha256Hex } from "../src/lib/crypto";
import { errorOf, GOOD_PASSWORD, startTestApp, TEST_ORIGIN, uniqueEmail, type TestApp } from "./harness";
import { linkIn, startSmtpInbox, type SmtpInbox } from "./smtp-inbox";

const NEW_PASSWORD = "a brand new passphrase 42";

describe(`password reset by email, through a real SMTP exchange, on ${testDriver()}`, () => {
  let app: TestApp;
  let inbox: SmtpInbox;
  let now = Date.now();

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    app = await startTestApp({
      clock: () => new Date(now),
      env: { SMTP_URL: inbox.url, MAIL_FROM: "Parlor <parlor@parlor.test>", APP_URL: TEST_ORIGIN },
      ratePolicies: {
        passwordResetEmail: { limit: 3, windowSeconds: 3600 },
        passwordResetIp: { limit: 1000, windowSeconds: 3600 },
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await inbox.close();
  });

  it("the sign-in page can offer it: email is configured", async () => {
    expect(await app.client().trpc.auth.capabilities.query()).toEqual({ email: true });
  });

  it("emails a single-use link that sets a new password and ends every session", async () => {
    const person = await app.signUp("Rita Reset");
    const elsewhere = app.client("198.51.100.7");
    await elsewhere.trpc.auth.signIn.mutate({ email: person.email, password: GOOD_PASSWORD });

    const visitor = app.client("198.51.100.8");
    expect(
      await visitor.trpc.auth.requestPasswordReset.mutate({ email: person.email.toUpperCase() }),
    ).toEqual({ ok: true });
    const mail = await inbox.waitFor(person.email);
    expect(mail.from).toBe('"Parlor" <parlor@parlor.test>');
    expect(mail.mailFrom).toBe("parlor@parlor.test");
    expect(mail.authenticatedAs).toBe("parlor");
    expect(mail.subject).toBe("Reset your Parlor password");
    expect(mail.text).toContain("Hello Rita Reset");
    const { token } = linkIn(mail, TEST_ORIGIN, "/reset-password/");

    // Only the token's hash is kept.
    const stored = await app.services.db
      .select()
      .from(schema.passwordResets)
      .where(eq(schema.passwordResets.tokenHash, sha256Hex(token)));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.expiresAt.getTime() - now).toBe(60 * 60 * 1000);
    expect(JSON.stringify(await app.services.db.select().from(schema.passwordResets))).not.toContain(token);

    expect(await visitor.trpc.auth.checkPasswordReset.query({ token })).toMatchObject({
      email: person.email,
    });

    // The shared password rules apply.
    const short = await errorOf(visitor.trpc.auth.resetPassword.mutate({ token, password: "short" }));
    expect(short.code).toBe("BAD_REQUEST");
    expect(short.data?.fieldErrors?.password?.[0]).toMatch(/at least 8/);
    const common = await errorOf(visitor.trpc.auth.resetPassword.mutate({ token, password: "password123" }));
    expect(common.data?.fieldErrors?.password?.[0]).toMatch(/too common/);

    expect(await visitor.trpc.auth.resetPassword.mutate({ token, password: NEW_PASSWORD })).toMatchObject({
      ok: true,
      email: person.email,
    });
    // Every session ended: the person's own and the one elsewhere.
    expect(await person.trpc.auth.me.query()).toBeNull();
    expect(await elsewhere.trpc.auth.me.query()).toBeNull();
    expect(
      (await errorOf(visitor.trpc.auth.signIn.mutate({ email: person.email, password: GOOD_PASSWORD }))).code,
    ).toBe("UNAUTHORIZED");
    await visitor.trpc.auth.signIn.mutate({ email: person.email, password: NEW_PASSWORD });
    expect((await visitor.trpc.auth.me.query())?.email).toBe(person.email);

    // Single use.
    const again = await errorOf(
      app.client().trpc.auth.resetPassword.mutate({ token, password: "another one 12345" }),
    );
    expect(again.code).toBe("NOT_FOUND");
    expect(again.message).toMatch(/Ask for a new link/);
    expect((await errorOf(app.client().trpc.auth.checkPasswordReset.query({ token }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("lifts the sign-in throttle of the account, so the new password works at once", async () => {
    const person = await app.signUp("Locked Out Lou");
    const browser = app.client("198.51.100.30");
    for (let i = 0; i < 5; i++) {
      await errorOf(browser.trpc.auth.signIn.mutate({ email: person.email, password: `guess number ${i}` }));
    }
    const blocked = await errorOf(
      browser.trpc.auth.signIn.mutate({ email: person.email, password: GOOD_PASSWORD }),
    );
    expect(blocked.code).toBe("TOO_MANY_REQUESTS");

    await browser.trpc.auth.requestPasswordReset.mutate({ email: person.email });
    const { token } = linkIn(await inbox.waitFor(person.email), TEST_ORIGIN, "/reset-password/");
    await browser.trpc.auth.resetPassword.mutate({ token, password: NEW_PASSWORD });
    await browser.trpc.auth.signIn.mutate({ email: person.email, password: NEW_PASSWORD });
  });

  it("answers the same whether or not the address has an account, and emails only an account", async () => {
    const person = await app.signUp("Known Person");
    const unknown = uniqueEmail("nobody");
    const known = await app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email });
    const stranger = await app.client().trpc.auth.requestPasswordReset.mutate({ email: unknown });
    expect(stranger).toEqual(known);
    await app.services.mailer.idle();
    expect(inbox.to(person.email)).toHaveLength(1);
    expect(inbox.to(unknown)).toHaveLength(0);
  });

  it("links expire after an hour; a newer link voids older ones", async () => {
    const person = await app.signUp("Late Larry");
    await app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email });
    const first = linkIn(await inbox.waitFor(person.email, 1), TEST_ORIGIN, "/reset-password/");
    await app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email });
    const second = linkIn(await inbox.waitFor(person.email, 2), TEST_ORIGIN, "/reset-password/");
    expect(
      (
        await errorOf(
          app.client().trpc.auth.resetPassword.mutate({ token: first.token, password: NEW_PASSWORD }),
        )
      ).code,
    ).toBe("NOT_FOUND");

    now += 60 * 60 * 1000 + 1;
    expect(
      (
        await errorOf(
          app.client().trpc.auth.resetPassword.mutate({ token: second.token, password: NEW_PASSWORD }),
        )
      ).code,
    ).toBe("NOT_FOUND");
    now -= 30 * 60 * 1000;
    await app.client().trpc.auth.resetPassword.mutate({ token: second.token, password: NEW_PASSWORD });
  });

  it("is throttled per address asked for, for unknown addresses just the same", async () => {
    for (const email of [(await app.signUp("Throttled")).email, uniqueEmail("ghost")]) {
      const browser = app.client();
      for (let i = 0; i < 3; i++) await browser.trpc.auth.requestPasswordReset.mutate({ email });
      const error = await errorOf(browser.trpc.auth.requestPasswordReset.mutate({ email }));
      expect(error.code).toBe("TOO_MANY_REQUESTS");
      expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
    }
    await app.services.mailer.idle();
  });

  it("is throttled per client address across many addresses", async () => {
    const limited = await startTestApp({
      database: app.database,
      livekit: app.livekit,
      env: { SMTP_URL: inbox.url, MAIL_FROM: "parlor@parlor.test", APP_URL: TEST_ORIGIN },
      ratePolicies: { passwordResetIp: { limit: 2, windowSeconds: 3600 } },
    });
    const browser = limited.client("192.0.2.99");
    await browser.trpc.auth.requestPasswordReset.mutate({ email: uniqueEmail() });
    await browser.trpc.auth.requestPasswordReset.mutate({ email: uniqueEmail() });
    expect(
      (await errorOf(browser.trpc.auth.requestPasswordReset.mutate({ email: uniqueEmail() }))).code,
    ).toBe("TOO_MANY_REQUESTS");
    // Another address is not held back.
    await limited.client("192.0.2.100").trpc.auth.requestPasswordReset.mutate({ email: uniqueEmail() });
    await limited.services.mailer.idle();
  });

  it("answers the same when the mail server is down, and logs the failure", async () => {
    const warnings: string[] = [];
    const { createLogger } = await import("../src/lib/logger");
    const logger = createLogger("warn");
    logger.warn = ((...args: unknown[]) => {
      warnings.push(String(args.at(-1)));
    }) as typeof logger.warn;
    const down = await startTestApp({
      database: app.database,
      livekit: app.livekit,
      logger,
      env: { SMTP_URL: "smtp://127.0.0.1:1", MAIL_FROM: "parlor@parlor.test", APP_URL: TEST_ORIGIN },
    });
    const person = await app.signUp("Offline Olly");
    expect(await down.client().trpc.auth.requestPasswordReset.mutate({ email: person.email })).toEqual({
      ok: true,
    });
    await down.services.mailer.idle();
    expect(warnings).toContain("sending email failed");
  });

  it("sends nothing for a disabled account", async () => {
    const person = await app.signUp("Disabled Dora");
    await app.services.db
      .update(schema.users)
      .set({ disabledAt: new Date(now) })
      .where(eq(schema.users.id, person.user.id));
    await app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email });
    await app.services.mailer.idle();
    expect(inbox.to(person.email)).toHaveLength(0);
  });

  it("uses a link once even when it is submitted many times at once", async () => {
    const person = await app.signUp("Racing Rose");
    await app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email });
    const { token } = linkIn(await inbox.waitFor(person.email), TEST_ORIGIN, "/reset-password/");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        app
          .client(`192.0.2.${i + 1}`)
          .trpc.auth.resetPassword.mutate({ token, password: `${NEW_PASSWORD} ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});

describe(`password reset without SMTP on ${testDriver()}`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("says to ask the site admin, who makes a link that works the same way", async () => {
    const admin = await app.signUp("Site Admin");
    const person = await app.signUp("Forgetful Fred");
    expect(await app.client().trpc.auth.capabilities.query()).toEqual({ email: false });
    const refused = await errorOf(
      app.client().trpc.auth.requestPasswordReset.mutate({ email: person.email }),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toMatch(/Ask your site administrator/);

    const link = await admin.trpc.admin.createPasswordResetLink.mutate({ userId: person.user.id });
    expect(link.url).toMatch(new RegExp(`^${TEST_ORIGIN}/reset-password/[A-Za-z0-9_-]{40,}$`));
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    const token = link.url.split("/").at(-1)!;
    await app.client().trpc.auth.resetPassword.mutate({ token, password: NEW_PASSWORD });
    expect(await person.trpc.auth.me.query()).toBeNull();
    await app.client().trpc.auth.signIn.mutate({ email: person.email, password: NEW_PASSWORD });
  });
});

/** Issue 19, row 9: a link dies with any change that makes it moot, and stays dead. */
describe(`a password reset link made by a site admin is void, on ${testDriver()}`, () => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp["signUp"]>>;
  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.signUp("Site Admin");
  });
  afterAll(() => app.close());

  const makeLink = async (userId: string) =>
    (await admin.trpc.admin.createPasswordResetLink.mutate({ userId })).url.split("/").at(-1)!;

  async function expectVoid(token: string) {
    const browser = app.client();
    const check = await errorOf(browser.trpc.auth.checkPasswordReset.query({ token }));
    expect(check.code).toBe("NOT_FOUND");
    expect(check.message).toMatch(/Ask for a new link/);
    const reset = await errorOf(browser.trpc.auth.resetPassword.mutate({ token, password: NEW_PASSWORD }));
    expect(reset.code).toBe("NOT_FOUND");
  }

  it("once the person changes their own password", async () => {
    const person = await app.signUp("Changing Chris");
    const token = await makeLink(person.user.id);
    await person.trpc.auth.changePassword.mutate({
      currentPassword: GOOD_PASSWORD,
      newPassword: "my own new passphrase 7",
    });
    await expectVoid(token);
    await app.client().trpc.auth.signIn.mutate({ email: person.email, password: "my own new passphrase 7" });
  });

  it("once the account is disabled, and enabling it again does not bring it back", async () => {
    const person = await app.signUp("Disabled Dan");
    const token = await makeLink(person.user.id);
    await admin.trpc.admin.setDisabled.mutate({ userId: person.user.id, disabled: true });
    await admin.trpc.admin.setDisabled.mutate({ userId: person.user.id, disabled: false });
    await expectVoid(token);
    // A link made after enabling works.
    await app
      .client()
      .trpc.auth.resetPassword.mutate({ token: await makeLink(person.user.id), password: NEW_PASSWORD });
  });

  it("once a newer link is made", async () => {
    const person = await app.signUp("Twice Tess");
    const older = await makeLink(person.user.id);
    const newer = await makeLink(person.user.id);
    await expectVoid(older);
    await app.client().trpc.auth.resetPassword.mutate({ token: newer, password: NEW_PASSWORD });
  });

  it("once another link reset the password", async () => {
    const person = await app.signUp("Other Olive");
    const first = await makeLink(person.user.id);
    const viaSecond = await makeLink(person.user.id);
    await app.client().trpc.auth.resetPassword.mutate({ token: viaSecond, password: NEW_PASSWORD });
    await expectVoid(first);
  });
});
