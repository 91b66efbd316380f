import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { TimeSpan } from "lucia";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorOf, GOOD_PASSWORD, startTestApp, uniqueEmail, type TestApp } from "./harness";

describe(`auth on ${testDriver()}`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_EMAILS: "boss@example.com, Chief@Example.com" } });
  });
  afterAll(() => app.close());

  it("signs up, knows the user, signs out, and signs in again", async () => {
    const email = uniqueEmail();
    const browser = app.client();
    const { user } = await browser.trpc.auth.signUp.mutate({
      email: `  ${email.toUpperCase()} `,
      password: GOOD_PASSWORD,
      name: " Ada  Lovelace ",
    });
    expect(user).toMatchObject({ email, name: "Ada Lovelace" });
    expect(browser.cookies.get("auth_session")).toMatch(/^[A-Za-z0-9_-]{27,}$/);

    expect(await browser.trpc.auth.me.query()).toEqual(user);
    expect(await browser.trpc.auth.signOut.mutate()).toEqual({ ok: true });
    expect(browser.cookies.has("auth_session")).toBe(false);
    expect(await browser.trpc.auth.me.query()).toBeNull();

    const again = await browser.trpc.auth.signIn.mutate({
      email: email.toUpperCase(),
      password: GOOD_PASSWORD,
    });
    expect(again.user.id).toBe(user.id);
    expect((await browser.trpc.auth.me.query())?.id).toBe(user.id);
  });

  it("refuses a duplicate email written in another case", async () => {
    const email = uniqueEmail();
    await app.client().trpc.auth.signUp.mutate({ email, password: GOOD_PASSWORD, name: "First" });
    const error = await errorOf(
      app
        .client()
        .trpc.auth.signUp.mutate({ email: email.toUpperCase(), password: GOOD_PASSWORD, name: "Second" }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.data?.fieldErrors?.email?.[0]).toMatch(/already exists/);
  });

  it.each([
    [{ email: "", password: GOOD_PASSWORD, name: "A" }, "email"],
    [{ email: "not-an-email", password: GOOD_PASSWORD, name: "A" }, "email"],
    [{ email: "a@example.com", password: "short", name: "A" }, "password"],
    [{ email: "a@example.com", password: "x".repeat(257), name: "A" }, "password"],
    [{ email: "a@example.com", password: GOOD_PASSWORD, name: "   " }, "name"],
    [{ email: "a@example.com", password: GOOD_PASSWORD, name: "n".repeat(65) }, "name"],
    [{ email: `${"a".repeat(300)}@example.com`, password: GOOD_PASSWORD, name: "A" }, "email"],
    [{ email: "a@example.com", password: "password123", name: "A" }, "password"],
  ])("refuses bad sign-up input %j with a field error on %s", async (input, field) => {
    const error = await errorOf(app.client().trpc.auth.signUp.mutate(input));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.httpStatus).toBe(400);
    expect(Object.keys(error.data?.fieldErrors ?? {})).toContain(field);
    expect(error.message).not.toMatch(/select|insert|stack|at \w+ \(/i);
  });

  it("refuses malformed input types with field errors, never a 500", async () => {
    const browser = app.client();
    const response = await browser.fetch("http://parlor.test/api/trpc/auth.signIn", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email: 42, password: ["x"] } }),
    });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain("fieldErrors");
    expect(body).not.toMatch(/"stack"|node_modules/);
  });

  it("hashes passwords with argon2id at OWASP's parameters or stronger", async () => {
    const { email } = await app.signUp();
    const [row] = await app.services.db.select().from(schema.users).where(eq(schema.users.email, email));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("stores only the SHA-256 of session tokens", async () => {
    const browser = await app.signUp();
    const token = browser.cookies.get("auth_session")!;
    const rows = await app.services.db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, browser.user.id));
    expect(rows).toHaveLength(1);
    const { createHash } = await import("node:crypto");
    expect(rows[0]!.id).toBe(createHash("sha256").update(token).digest("hex"));
    const all = await app.services.db.select({ id: schema.sessions.id }).from(schema.sessions);
    expect(all.some((s) => s.id === token)).toBe(false);
    // ≥ 128 bits of randomness: 20 bytes in base64url.
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(16);
  });

  it("starts a new session at every sign-in", async () => {
    const { email, user } = await app.signUp();
    const a = app.client();
    const b = app.client();
    await a.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
    await b.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
    expect(a.cookies.get("auth_session")).not.toBe(b.cookies.get("auth_session"));
    const rows = await app.services.db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, user.id));
    expect(rows).toHaveLength(3);
  });

  describe("refuses protected procedures without a valid session", () => {
    it("with no cookie", async () => {
      expect((await errorOf(app.client().trpc.team.list.query())).code).toBe("UNAUTHORIZED");
    });

    it("with a forged cookie", async () => {
      const browser = app.client();
      browser.cookies.set("auth_session", "forged-token-forged-token-forged");
      expect((await errorOf(browser.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
      expect(await browser.trpc.auth.me.query()).toBeNull();
    });

    it("with the cookie of a signed-out session", async () => {
      const browser = await app.signUp();
      const stolen = browser.cookies.get("auth_session")!;
      await browser.trpc.auth.signOut.mutate();
      const attacker = app.client();
      attacker.cookies.set("auth_session", stolen);
      expect((await errorOf(attacker.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
    });

    it("with an expired session", async () => {
      const browser = await app.signUp();
      await app.services.db
        .update(schema.sessions)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(schema.sessions.userId, browser.user.id));
      expect((await errorOf(browser.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
    });

    it("past the absolute lifetime, however recently used", async () => {
      const browser = await app.signUp();
      await app.services.db
        .update(schema.sessions)
        .set({ absoluteExpiresAt: new Date(Date.now() - 1000) })
        .where(eq(schema.sessions.userId, browser.user.id));
      expect((await errorOf(browser.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
      const left = await app.services.db
        .select()
        .from(schema.sessions)
        .where(eq(schema.sessions.userId, browser.user.id));
      expect(left).toHaveLength(0);
    });

    it("when the session's user was deleted", async () => {
      const browser = await app.signUp();
      await app.services.db.delete(schema.users).where(eq(schema.users.id, browser.user.id));
      expect((await errorOf(browser.trpc.team.list.query())).code).toBe("UNAUTHORIZED");
    });
  });

  it("slides the idle expiry forward while a session is used", async () => {
    const browser = await app.signUp();
    const soon = new Date(Date.now() + 60_000);
    await app.services.db
      .update(schema.sessions)
      .set({ expiresAt: soon })
      .where(eq(schema.sessions.userId, browser.user.id));
    await browser.trpc.team.list.query();
    const [row] = await app.services.db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, browser.user.id));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(soon.getTime() + 86_400_000);
  });

  it("ends the user's other sessions when the password changes", async () => {
    const { email, ...current } = await app.signUp();
    const other = app.client();
    await other.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });

    const wrong = await errorOf(
      current.trpc.auth.changePassword.mutate({
        currentPassword: "nope-nope",
        newPassword: "another good passphrase",
      }),
    );
    expect(wrong.data?.fieldErrors?.currentPassword).toBeDefined();

    await current.trpc.auth.changePassword.mutate({
      currentPassword: GOOD_PASSWORD,
      newPassword: "another good passphrase",
    });
    expect((await current.trpc.auth.me.query())?.email).toBe(email);
    expect(await other.trpc.auth.me.query()).toBeNull();
    await app.client().trpc.auth.signIn.mutate({ email, password: "another good passphrase" });
  });

  it("gives a wrong email and a wrong password the same answer", async () => {
    const { email } = await app.signUp();
    const wrongPassword = await errorOf(
      app.client("198.51.100.1").trpc.auth.signIn.mutate({ email, password: "not the password" }),
    );
    const wrongEmail = await errorOf(
      app
        .client("198.51.100.2")
        .trpc.auth.signIn.mutate({ email: uniqueEmail("nobody"), password: "not the password" }),
    );
    expect(wrongPassword.code).toBe("UNAUTHORIZED");
    expect(wrongEmail.code).toBe(wrongPassword.code);
    expect(wrongEmail.message).toBe(wrongPassword.message);
  });

  it("makes ADMIN_EMAILS site admins, whatever their case", async () => {
    const boss = await app.signUp("Boss", "boss@example.com");
    expect(boss.user.isAdmin).toBe(true);
    const chief = await app.signUp("Chief", "chief@example.com");
    expect(chief.user.isAdmin).toBe(true);
  });
});

describe(`site admin on ${testDriver()}`, () => {
  it("is the first account on an instance, and only the first", async () => {
    const app = await startTestApp();
    try {
      // A fresh instance says so, for its first visitor to be sent to sign up.
      expect(await app.client().trpc.auth.firstRun.query()).toEqual({ firstRun: true });
      const first = await app.signUp("First");
      expect(await app.client().trpc.auth.firstRun.query()).toEqual({ firstRun: false });
      const second = await app.signUp("Second");
      expect(first.user.isAdmin).toBe(true);
      expect(second.user.isAdmin).toBe(false);
    } finally {
      await app.close();
    }
  });

  it("is exactly one account when the first sign-ups race", async () => {
    const app = await startTestApp();
    try {
      const users = await Promise.all(Array.from({ length: 5 }, (_, i) => app.signUp(`Racer ${i}`)));
      expect(users.filter((u) => u.user.isAdmin)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe(`sign-in throttling on ${testDriver()}`, () => {
  const fast = {
    signInAccount: { limit: 3, windowSeconds: 3600, backoff: { baseSeconds: 1, maxSeconds: 4 } },
    signInIp: { limit: 10, windowSeconds: 3600, backoff: { baseSeconds: 1, maxSeconds: 4 } },
  };

  it("refuses even the right password after too many wrong ones, until the back-off passes", async () => {
    const app = await startTestApp({ ratePolicies: fast });
    try {
      const { email } = await app.signUp();
      const browser = app.client("192.0.2.50");
      for (let i = 0; i < 2; i++) {
        expect(
          (await errorOf(browser.trpc.auth.signIn.mutate({ email, password: "wrong password" }))).code,
        ).toBe("UNAUTHORIZED");
      }
      const third = await errorOf(browser.trpc.auth.signIn.mutate({ email, password: "wrong password" }));
      expect(third.code).toBe("TOO_MANY_REQUESTS");
      expect(third.data?.retryAfterSeconds).toBeGreaterThanOrEqual(1);

      const right = await errorOf(browser.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD }));
      expect(right.code).toBe("TOO_MANY_REQUESTS");
      expect(right.httpStatus).toBe(429);
      expect(right.message).toMatch(/try again in \d+ seconds/);

      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const { user } = await browser.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
      expect(user.email).toBe(email);
    } finally {
      await app.close();
    }
  });

  it("backs off exponentially", async () => {
    const app = await startTestApp({
      ratePolicies: {
        signInAccount: { limit: 2, windowSeconds: 3600, backoff: { baseSeconds: 10, maxSeconds: 1000 } },
      },
    });
    try {
      const { email } = await app.signUp();
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        await app.services.db.update(schema.rateLimits).set({ blockedUntil: null });
        const error = await errorOf(
          app.client().trpc.auth.signIn.mutate({ email, password: "wrong password" }),
        );
        waits.push(error.data?.retryAfterSeconds ?? 0);
      }
      expect(waits).toEqual([0, 10, 20, 40, 80]);
    } finally {
      await app.close();
    }
  });

  it("throttles per client address across accounts", async () => {
    const app = await startTestApp({
      ratePolicies: {
        signInIp: { limit: 3, windowSeconds: 3600, backoff: { baseSeconds: 30, maxSeconds: 60 } },
      },
    });
    try {
      const attacker = app.client("192.0.2.99");
      for (let i = 0; i < 2; i++) {
        await errorOf(attacker.trpc.auth.signIn.mutate({ email: uniqueEmail(), password: "guess" }));
      }
      expect(
        (await errorOf(attacker.trpc.auth.signIn.mutate({ email: uniqueEmail(), password: "guess" }))).code,
      ).toBe("TOO_MANY_REQUESTS");
      // Someone else, elsewhere, is not affected.
      const { email } = await app.signUp();
      await app.client("192.0.2.100").trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
    } finally {
      await app.close();
    }
  });

  it("shares the count between two app instances on one database", async () => {
    const first = await startTestApp({ ratePolicies: fast });
    const secondDatabase =
      first.database.driver === "postgres" && "url" in first.database
        ? (await import("@parlor/db")).createDatabase({ url: (first.database as { url: string }).url })
        : first.database;
    const second = await startTestApp({
      ratePolicies: fast,
      database: secondDatabase,
      livekit: first.livekit,
    });
    try {
      const { email } = await first.signUp();
      const attempt = (app: TestApp, ip: string, password: string) =>
        errorOf(app.client(ip).trpc.auth.signIn.mutate({ email, password }));
      expect((await attempt(first, "192.0.2.7", "wrong password")).code).toBe("UNAUTHORIZED");
      expect((await attempt(second, "192.0.2.8", "wrong password")).code).toBe("UNAUTHORIZED");
      // The third failure crosses the limit of 3 only because both instances count in one place.
      expect((await attempt(first, "192.0.2.9", "wrong password")).code).toBe("TOO_MANY_REQUESTS");
      expect((await attempt(second, "192.0.2.10", GOOD_PASSWORD)).code).toBe("TOO_MANY_REQUESTS");
    } finally {
      if (secondDatabase !== first.database) await secondDatabase.close();
      await second.close();
      await first.close();
    }
  });
});

describe("session policy", () => {
  it("expires sessions that sit idle", async () => {
    const app = await startTestApp({
      sessionPolicy: { idleTimeout: new TimeSpan(1, "s"), absoluteLifetime: new TimeSpan(1, "h") },
    });
    try {
      const browser = await app.signUp();
      expect(await browser.trpc.auth.me.query()).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await browser.trpc.auth.me.query()).toBeNull();
    } finally {
      await app.close();
    }
  });
});
