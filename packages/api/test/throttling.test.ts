/**
 * Password guessing cannot get past the throttles: not by batching, not by parallel requests
 * (on Postgres these are really concurrent); and nobody else's failures lock an account's owner
 * out.
 */
import { testDriver } from "@parlor/db/testing";
import { describe, expect, it } from "vitest";

import { ratePolicies } from "../src/lib/rate-limit";
import { errorOf, GOOD_PASSWORD, startTestApp, uniqueEmail, type TestApp, type TestClient } from "./harness";

/** Passwords verified (argon2) so far by the app, whatever the purpose. */
async function verifications(app: TestApp): Promise<number> {
  const metric = await app.services.metrics.passwordVerifications.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

const backoff = { baseSeconds: 30, maxSeconds: 60 };

/** POSTs one tRPC call (or a batch, with several paths) as raw JSON, with extra headers. */
async function post(browser: TestClient, paths: string, body: unknown, headers: Record<string, string> = {}) {
  const batch = paths.includes(",") || headers["x-batch"] === "1";
  const response = await browser.fetch(`http://parlor.test/api/trpc/${paths}${batch ? "?batch=1" : ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** The message with its numbers blanked, to compare answers given a second apart. */
const shape = (message: string | undefined) => message?.replace(/\d+/g, "N");

describe(`sign-in throttling under batching and concurrency on ${testDriver()}`, () => {
  it("refuses sign-in in a batch, verifying no password at all", async () => {
    const app = await startTestApp();
    try {
      const { email } = await app.signUp();
      const guesses = Array.from({ length: 400 }, (_, i) => ({
        json: { email, password: i === 399 ? GOOD_PASSWORD : `wrong guess ${i}` },
      }));
      const before = await verifications(app);
      const browser = app.client("192.0.2.40");
      const big = await post(browser, Array(400).fill("auth.signIn").join(","), { ...guesses });
      expect(big.status).toBe(400);
      const pair = await post(browser, "auth.signIn,auth.signIn", { 0: guesses[0], 1: guesses[399] });
      expect(pair.status).toBe(400);
      expect(pair.text).toContain("auth.signIn cannot be batched");
      expect(pair.text).not.toContain("auth_session");
      expect(await verifications(app)).toBe(before);

      // A "batch" of one is one call, as the web client may send it: it works.
      const single = await post(browser, "auth.signIn", { 0: guesses[399] }, { "x-batch": "1" });
      expect(single.status).toBe(200);
      expect(await verifications(app)).toBe(before + 1);
    } finally {
      await app.close();
    }
  });

  it("verifies at most `limit` passwords when guesses arrive in parallel, and answers alike when throttled", async () => {
    const limit = 3;
    const app = await startTestApp({
      ratePolicies: { signInPair: { limit, windowSeconds: 3600, backoff } },
    });
    try {
      const { email } = await app.signUp();
      const before = await verifications(app);
      const attempts = Array.from({ length: 20 }, (_, i) =>
        app
          .client("192.0.2.41")
          .trpc.auth.signIn.mutate({ email, password: `wrong guess ${i}` })
          .then(() => ({ code: "OK", message: "" }))
          .catch(async (error: unknown) => errorOf(Promise.reject(error))),
      );
      const results = await Promise.all(attempts);
      const verified = (await verifications(app)) - before;
      expect(verified).toBeLessThanOrEqual(limit);
      expect(verified).toBeGreaterThan(0);
      const throttled = results.filter((r) => r.code === "TOO_MANY_REQUESTS");
      expect(throttled.length).toBeGreaterThanOrEqual(20 - limit);
      expect(results.filter((r) => r.code !== "TOO_MANY_REQUESTS").length).toBeLessThanOrEqual(limit);
      expect(new Set(throttled.map((r) => shape(r.message))).size).toBe(1);

      // Now throttled: the right password gets the very answer a wrong one gets, unverified.
      const verifiedBefore = await verifications(app);

      const right = await errorOf(
        app.client("192.0.2.41").trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD }),
      );
      const wrong = await errorOf(
        app.client("192.0.2.41").trpc.auth.signIn.mutate({ email, password: "wrong again" }),
      );
      expect(right.code).toBe("TOO_MANY_REQUESTS");
      expect(shape(right.message)).toBe(shape(wrong.message));
      expect(right.httpStatus).toBe(wrong.httpStatus);
      expect(await verifications(app)).toBe(verifiedBefore);
    } finally {
      await app.close();
    }
  });

  it("throttles guesses at the current password when changing it, in parallel too", async () => {
    const limit = 3;
    const app = await startTestApp({
      ratePolicies: { signInPair: { limit, windowSeconds: 3600, backoff } },
    });
    try {
      const browser = await app.signUp();
      const before = await verifications(app);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          errorOf(
            browser.trpc.auth.changePassword.mutate({
              currentPassword: `wrong guess ${i}`,
              newPassword: "another good passphrase",
            }),
          ),
        ),
      );
      expect((await verifications(app)) - before).toBeLessThanOrEqual(limit);
      expect(results.filter((r) => r.code === "TOO_MANY_REQUESTS").length).toBeGreaterThanOrEqual(12 - limit);

      const right = await errorOf(
        browser.trpc.auth.changePassword.mutate({
          currentPassword: GOOD_PASSWORD,
          newPassword: "another good passphrase",
        }),
      );
      expect(right.code).toBe("TOO_MANY_REQUESTS");
      expect(right.data?.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

describe(`who gets throttled on ${testDriver()}`, () => {
  it("does not lock the owner out when others fail on their account", async () => {
    const app = await startTestApp();
    try {
      const { email } = await app.signUp();
      const attacker = app.client("192.0.2.66");
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 8; i++) {
        codes.push((await errorOf(attacker.trpc.auth.signIn.mutate({ email, password: `guess ${i}` }))).code);
      }
      expect(codes.slice(-3)).toEqual(["TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS"]);
      // The attacker is held back, even with the right password…
      expect((await errorOf(attacker.trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      // …while the owner, from their own address, signs in.
      const { user } = await app
        .client("203.0.113.77")
        .trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
      expect(user.email).toBe(email);
    } finally {
      await app.close();
    }
  });

  it("still slows a guessing campaign spread over many addresses, at a much higher threshold", async () => {
    expect(ratePolicies.signInAccount.limit).toBeGreaterThanOrEqual(5 * ratePolicies.signInPair.limit);
    const app = await startTestApp({
      ratePolicies: { signInAccount: { limit: 4, windowSeconds: 3600, backoff } },
    });
    try {
      const { email } = await app.signUp();
      for (let i = 0; i < 3; i++) {
        const error = await errorOf(
          app.client(`198.51.100.${i + 1}`).trpc.auth.signIn.mutate({ email, password: "guess" }),
        );
        expect(error.code).toBe("UNAUTHORIZED");
      }
      expect(
        (await errorOf(app.client("198.51.100.4").trpc.auth.signIn.mutate({ email, password: "guess" })))
          .code,
      ).toBe("TOO_MANY_REQUESTS");
      expect(
        (await errorOf(app.client("198.51.100.5").trpc.auth.signIn.mutate({ email, password: "guess" })))
          .code,
      ).toBe("TOO_MANY_REQUESTS");
    } finally {
      await app.close();
    }
  });

  it("makes sign-up's 'this email exists' cost a failed sign-in from that address", async () => {
    const app = await startTestApp({
      ratePolicies: { signInIp: { limit: 3, windowSeconds: 3600, backoff } },
    });
    try {
      const { email } = await app.signUp("Owner", uniqueEmail(), "203.0.113.5");
      const prober = app.client("192.0.2.77");
      const probe = () =>
        errorOf(prober.trpc.auth.signUp.mutate({ email, password: GOOD_PASSWORD, name: "Probe" }));
      expect((await probe()).code).toBe("CONFLICT");
      expect((await probe()).code).toBe("CONFLICT");
      expect((await probe()).code).toBe("CONFLICT");
      expect((await probe()).code).toBe("TOO_MANY_REQUESTS");
      // The same budget as sign-in's: that address cannot go on guessing there either.
      expect((await errorOf(prober.trpc.auth.signIn.mutate({ email, password: "guess" }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );

      // Accounts actually created give their slot back.
      for (let i = 0; i < 5; i++) await app.signUp(`New ${i}`, uniqueEmail(), "192.0.2.78");
      await app.client("192.0.2.78").trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
    } finally {
      await app.close();
    }
  });
});
