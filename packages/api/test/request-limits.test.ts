/**
 * No request buys unbounded work: the tRPC endpoint refuses big bodies, deep nesting and big
 * batches before doing anything, and /api/health does not call LiveKit for every visitor.
 */
import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleHealth, jsonDepthExceeds, LIVEKIT_PROBE_TTL_MS } from "../src/http";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../src/lib/limits";
import { errorOf, GOOD_PASSWORD, startTestApp, uniqueEmail, type TestApp } from "./harness";

const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe(`request limits on ${testDriver()}`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const send = async (path: string, init: RequestInit) => {
    const started = performance.now();
    const response = await app.client().fetch(`http://parlor.test/api/trpc/${path}`, init);
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  };
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    send(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("refuses an 8 MB body of nested arrays with 413 at once, without reading it", async () => {
    const depth = 4_000_000;
    const huge = `{"json":${nested(depth)}}`;
    const result = await postJson("auth.signIn", huge);
    expect(result.status).toBe(413);
    expect(result.text).toContain(`larger than Parlor accepts (${MAX_BODY_BYTES / 1024} kB)`);
    expect(result.text).toContain('"code":"PAYLOAD_TOO_LARGE"');
    // Milliseconds when idle; parsing 4 million nested arrays would take far longer than this bound.
    expect(result.ms).toBeLessThan(10_000);
  });

  it("stops reading a body sent without a length as soon as it passes the limit", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`{"json":"${"x".repeat(16 * 1024)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 8 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const result = await send("auth.signIn", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(result.status).toBe(413);
    expect(sent).toBeLessThan(MAX_BODY_BYTES * 4);
  });

  it("answers a body that breaks off with a 400, not a 500", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"json":{"email":"a'));
        controller.error(new Error("connection lost"));
      },
    });
    const result = await send("auth.signIn", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(result.status).toBe(400);
    expect(result.text).toContain("could not be read");
  });

  it("refuses JSON nested past the limit with a clear 400 before parsing it", async () => {
    const tooDeep = await postJson("auth.signIn", `{"json":{"email":${nested(MAX_JSON_DEPTH)}}}`);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.text).toContain(`nests deeper than Parlor accepts (${MAX_JSON_DEPTH} levels)`);

    // Within the limit, the input is judged as usual: a field error.
    const shallow = await postJson("auth.signIn", `{"json":{"email":${nested(MAX_JSON_DEPTH - 5)}}}`);
    expect(shallow.status).toBe(400);
    expect(shallow.text).toContain("fieldErrors");

    const query = await send(
      `auth.me?batch=1&input=${encodeURIComponent(`{"0":{"json":${nested(MAX_JSON_DEPTH + 1)}}}`)}`,
      { method: "GET" },
    );
    expect(query.status).toBe(400);
    expect(query.text).toContain("nests deeper");
  });

  it("accepts batches up to the limit and refuses bigger ones", async () => {
    const batch = (n: number) =>
      send(`${Array(n).fill("auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`, {
        method: "GET",
      });
    expect((await batch(MAX_BATCH_SIZE)).status).toBe(200);
    const tooBig = await batch(MAX_BATCH_SIZE + 1);
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toContain("Batch call exceeds maximum size");
  });

  it("refuses every auth mutation inside a batch", async () => {
    for (const path of ["auth.signUp", "auth.signOut", "auth.changePassword"]) {
      const result = await postJson(`${path},${path}?batch=1`, "{}");
      expect(result.status).toBe(400);
      expect(result.text).toContain(`${path} cannot be batched`);
    }
  });
});

describe(`cross-site calls on ${testDriver()}`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  // The web app's proxy runs for pages only, so the tRPC handler itself must refuse these.
  it("refuses a mutation from another origin, or with no origin, before it runs", async () => {
    for (const origin of ["https://evil.example", ""]) {
      const email = uniqueEmail("csrf");
      const error = await errorOf(
        app
          .client("203.0.113.77", origin)
          .trpc.auth.signUp.mutate({ email, password: GOOD_PASSWORD, name: "X" }),
      );
      expect(error).toMatchObject({
        code: "FORBIDDEN",
        httpStatus: 403,
        message: "Cross-site request refused.",
      });
      const signIn = app.client("203.0.113.78").trpc.auth.signIn.mutate({ email, password: GOOD_PASSWORD });
      expect((await errorOf(signIn)).code).not.toBeUndefined();
    }
    // Same origin: served.
    const email = uniqueEmail("csrf");
    await app.client("203.0.113.79").trpc.auth.signUp.mutate({ email, password: GOOD_PASSWORD, name: "Y" });
    // Queries need no Origin.
    expect(await app.client("203.0.113.80", "").trpc.auth.me.query()).toBeNull();
  });
});

describe("JSON depth scan", () => {
  it.each([
    ["[]", 1, false],
    ["[[]]", 1, true],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":{"b":[1]}}', 2, true],
    // Brackets inside strings, escaped quotes included, do not count.
    ['["[[[[[", "\\"[[[[["]', 1, false],
    ['["\\\\", [[1]]]', 2, true],
  ])("%s within %d levels: too deep = %s", (text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected);
  });
});

describe(`health on ${testDriver()}`, () => {
  it("asks LiveKit at most once per few seconds, however often it is called", async () => {
    let now = Date.now();
    const app = await startTestApp({ clock: () => new Date(now) });
    try {
      const probes = () => app.livekit.callsTo("ListRooms").length;
      const before = probes();
      const answers = await Promise.all(Array.from({ length: 20 }, () => handleHealth(app.services)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(probes() - before).toBe(1);

      // LiveKit goes down: health says so once the cached probe has expired.
      app.livekit.setMode("fail");
      expect((await handleHealth(app.services)).status).toBe(200);
      now += LIVEKIT_PROBE_TTL_MS + 1;
      const degraded = await handleHealth(app.services);
      expect(degraded.status).toBe(503);
      expect(await degraded.json()).toMatchObject({ status: "degraded", livekit: { ok: false } });
    } finally {
      app.livekit.setMode("ok");
      await app.close();
    }
  });
});
