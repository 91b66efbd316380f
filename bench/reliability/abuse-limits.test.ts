/**
 * The limits an outsider attacked, against the production server with its default client-address
 * setting (TRUSTED_PROXIES=0: the socket's address, X-Forwarded-For ignored): sign-in guesses in
 * a batch and in parallel, spoofed X-Forwarded-For, and a body of millions of nested arrays.
 * Different clients are real different sockets: requests leave from 127.0.0.x source addresses.
 */
import { request } from "node:http";

import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from "@parlor/api/limits";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startStack, type Stack } from "../src/stack";

const METRICS_TOKEN = "reliability-metrics-token-0123456789";
const PASSWORD = "correct horse battery staple";

interface Answer {
  status: number;
  text: string;
  ms: number;
}

describe("abuse limits", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_PROXIES: "0", METRICS_TOKEN } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** One HTTP request from the loopback source address `from`, as a client there would send it. */
  function send(
    from: string,
    path: string,
    options: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const url = new URL(path, stack.app.url);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: options.method ?? "GET",
          localAddress: from,
          headers: {
            accept: "application/json",
            ...(options.body !== undefined
              ? { origin: stack.app.origin, "content-type": "application/json" }
              : {}),
            ...options.headers,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }),
          );
        },
      );
      // A server that answers before reading everything may close while we still write.
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EPIPE" || error.code === "ECONNRESET") return;
        reject(error);
      });
      req.end(options.body);
    });
  }

  const signIn = (from: string, email: string, password: string, headers: Record<string, string> = {}) =>
    send(from, "/api/trpc/auth.signIn", {
      method: "POST",
      body: JSON.stringify({ json: { email, password } }),
      headers,
    });
  const signUp = (from: string, email: string, headers: Record<string, string> = {}) =>
    send(from, "/api/trpc/auth.signUp", {
      method: "POST",
      body: JSON.stringify({ json: { email, password: PASSWORD, name: "Someone" } }),
      headers,
    });

  async function passwordVerifications(): Promise<number> {
    const response = await fetch(`${stack.app.url}/api/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await response.text();
    return [...text.matchAll(/^parlor_password_verifications_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  }

  it("refuses 400 sign-in guesses in one batch without verifying one", async () => {
    const email = `batch-victim-${Date.now()}@bench.parlor.test`;
    expect((await signUp("127.0.0.10", email)).status).toBe(200);
    const before = await passwordVerifications();
    const guesses = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        i,
        { json: { email, password: i === 399 ? PASSWORD : `wrong guess ${i}` } },
      ]),
    );
    const batch = await send("127.0.0.11", `/api/trpc/${Array(400).fill("auth.signIn").join(",")}?batch=1`, {
      method: "POST",
      body: JSON.stringify(guesses),
    });
    expect(batch.status).toBe(400);
    expect(batch.text).not.toContain("auth_session");
    const pair = await send("127.0.0.11", "/api/trpc/auth.signIn,auth.signIn?batch=1", {
      method: "POST",
      body: JSON.stringify({ 0: guesses[0], 1: guesses[399] }),
    });
    expect(pair.status).toBe(400);
    expect(pair.text).toContain("auth.signIn cannot be batched");
    expect(await passwordVerifications()).toBe(before);
  });

  it("verifies at most 5 passwords for 30 parallel guesses with spoofed addresses; the owner still signs in", async () => {
    const email = `parallel-victim-${Date.now()}@bench.parlor.test`;
    expect((await signUp("127.0.0.20", email)).status).toBe(200);
    const before = await passwordVerifications();

    let healthMaxMs = 0;
    let attacking = true;
    const health = (async () => {
      while (attacking) {
        const answer = await send("127.0.0.22", "/api/health");
        expect(answer.status).toBe(200);
        healthMaxMs = Math.max(healthMaxMs, answer.ms);
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        signIn("127.0.0.21", email, i === 15 ? PASSWORD : `wrong guess ${i}`, {
          "x-forwarded-for": `10.9.${i}.${i}`,
        }),
      ),
    );
    attacking = false;
    await health;

    const verified = (await passwordVerifications()) - before;
    const byStatus = answers.reduce<Record<number, number>>(
      (acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }),
      {},
    );
    console.log(
      `[reliability] 30 parallel sign-in guesses: ${verified} passwords verified, answers ${JSON.stringify(byStatus)}, /api/health at most ${Math.round(healthMaxMs)} ms meanwhile`,
    );
    expect(verified).toBeLessThanOrEqual(5);
    expect(byStatus[429]).toBeGreaterThanOrEqual(25);
    expect(healthMaxMs).toBeLessThan(5_000);

    // The guesses were all one address, whatever the header said; the owner's is another.
    const owner = await signIn("127.0.0.23", email, PASSWORD);
    expect(owner.status).toBe(200);
  });

  it("counts sign-ups per socket address, whatever X-Forwarded-For claims", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const answer = await signUp("127.0.0.30", `spoofer-${Date.now()}-${i}@bench.parlor.test`, {
        "x-forwarded-for": `10.8.${i}.1`,
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another socket is another client.
    expect((await signUp("127.0.0.31", `neighbour-${Date.now()}@bench.parlor.test`)).status).toBe(200);
  });

  it("answers a body of 4 million nested arrays with 413 at once, and too-deep JSON with 400", async () => {
    const depth = 4_000_000;
    const huge = `{"json":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const [answer, health] = await Promise.all([
      send("127.0.0.40", "/api/trpc/auth.signIn", { method: "POST", body: huge }),
      send("127.0.0.41", "/api/health"),
    ]);
    console.log(`[reliability] 8 MB of nested arrays: ${answer.status} in ${Math.round(answer.ms)} ms`);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain(`larger than Parlor accepts (${MAX_BODY_BYTES / 1024} kB)`);
    // Milliseconds when idle; reading and parsing the body would take far longer than this bound.
    expect(answer.ms).toBeLessThan(10_000);
    expect(health.status).toBe(200);

    const deep = `{"json":{"email":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}}`;
    const refused = await send("127.0.0.40", "/api/trpc/auth.signIn", { method: "POST", body: deep });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("nests deeper than Parlor accepts");
  });
});
