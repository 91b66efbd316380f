/**
 * Hostile input against the production server: property-based tests (fast-check) over every
 * tRPC procedure's input, signed out and signed in as a site admin who owns a team (so that
 * inputs can name real teams, rooms and people and reach the database), over raw malformed
 * requests, and over the LiveKit webhook route (unsigned, and signed with the real secret).
 * Whatever is sent: never a 500, and never a stack trace, SQL text or secret in the response.
 */
import { MAX_BATCH_SIZE, MAX_BODY_BYTES, UNBATCHED_PATHS } from "@parlor/api/limits";
import { appRouter } from "@parlor/api/server";
import fc from "fast-check";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { signWebhook } from "../src/livekit";
import { createParlorClient } from "../src/parlor-client";
import { seedJoinFixture, type Fixture } from "../src/seed";
import { startStack, type Stack } from "../src/stack";
import { leakIn, type Secrets } from "./checks";

const CASES = Number(process.env.RELIABILITY_FUZZ_CASES ?? 2000);
const CONCURRENCY = 16;

interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  keys: string[];
}

const procedures: ProcedureInfo[] = Object.entries(
  (
    appRouter as unknown as {
      _def: {
        procedures: Record<string, { _def: { type: ProcedureInfo["type"]; inputs: { shape?: object }[] } }>;
      };
    }
  )._def.procedures,
).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
  keys: Object.keys(procedure._def.inputs[0]?.shape ?? {}),
}));

/** Lone surrogates replaced, so the string can go in a URL. */
const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

/** Strings that have broken servers before. */
const NASTY = [
  "",
  " ",
  "' OR 1=1 --",
  "'; drop table users; --",
  '"; select pg_sleep(10); --',
  "\u0000",
  "\u0000'\"\\",
  "../../../../etc/passwd",
  "%00%27",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "prototype",
  "${7*7}{{7*7}}",
  "\uD800",
  "\uFEFF\u200B\u202E",
  "🦄".repeat(100),
  "null",
  "NaN",
  "-0",
  "1e400",
  "9".repeat(400),
  "a".repeat(5000),
  "A-Z_a-z",
  "Ω≈ç√∫",
];

describe("hostile input", () => {
  let stack: Stack;
  let fixture: Fixture;
  let secrets: Secrets;
  let liveRoom: { roomName: string; sid: string };
  const served: Record<string, number> = {};
  const unavailable: Record<string, number> = {};

  beforeAll(async () => {
    stack = await startStack({ env: { LIVEKIT_TIMEOUT_MS: "1500" } });
    fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 1, perTeam: 3, roomsPerTeam: 1 });
    secrets = { livekitApiSecret: stack.livekit.apiSecret, databaseUrl: stack.databaseUrl };
    const roomName = fixture.joiners[0]!.roomName;
    liveRoom = { roomName, sid: stack.livekit.rooms.get(roomName)!.sid };
  });
  afterAll(async () => {
    console.log(
      `[reliability] hostile input: responses by status ${JSON.stringify(served)}; SERVICE_UNAVAILABLE by path ${JSON.stringify(unavailable)}`,
    );
    await stack?.stop();
  });

  /** Runs `count` generated cases of `arbitrary` through `send`, `CONCURRENCY` at a time. */
  function fuzz<T>(
    arbitrary: fc.Arbitrary<T>,
    count: number,
    send: (value: T) => Promise<Response>,
    seed: number,
  ) {
    return sendAll(fc.sample(arbitrary, { numRuns: count, seed }), send, `seed ${seed}`);
  }

  /** Sends every value, `CONCURRENCY` at a time, and checks every answer. */
  async function sendAll<T>(values: T[], send: (value: T) => Promise<Response>, label: string) {
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < values.length && failures.length < 5; i = next++) {
          const value = values[i]!;
          let response: Response;
          try {
            response = await send(value);
          } catch (error) {
            failures.push(
              `request failed (${(error as Error).message}: ${String((error as Error).cause)}) for ${preview(value)}`,
            );
            continue;
          }
          const text = await response.text();
          served[response.status] = (served[response.status] ?? 0) + 1;
          if (response.status === 500 || response.status > 503)
            failures.push(`HTTP ${response.status} for ${preview(value)}: ${text.slice(0, 300)}`);
          for (const path of unavailablePaths(text)) unavailable[path] = (unavailable[path] ?? 0) + 1;
          for (const status of batchStatuses(text))
            if (status === 500)
              failures.push(`a call answered 500 for ${preview(value)}: ${text.slice(0, 300)}`);
          const leak = leakIn(text, secrets);
          if (leak) failures.push(`leaked ${leak} for ${preview(value)}`);
        }
      }),
    );
    expect(failures, label).toEqual([]);
  }

  const preview = (value: unknown) => {
    try {
      return String(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).slice(
        0,
        200,
      );
    } catch {
      return Object.prototype.toString.call(value);
    }
  };

  /** The procedures that answered SERVICE_UNAVAILABLE in a tRPC response (or "webhook"). */
  function unavailablePaths(text: string): string[] {
    if (text.includes("it will be retried")) return ["webhook"];
    return [...text.matchAll(/"SERVICE_UNAVAILABLE","httpStatus":503,"path":"([^"]+)"/g)].map((m) => m[1]!);
  }

  /** The httpStatus of each call in a tRPC batch response. */
  function batchStatuses(text: string): number[] {
    try {
      const parsed = JSON.parse(text) as unknown;
      const items = Array.isArray(parsed) ? parsed : [parsed];
      return items.flatMap((item) => {
        const status = (item as { error?: { json?: { data?: { httpStatus?: number } } } })?.error?.json?.data
          ?.httpStatus;
        return typeof status === "number" ? [status] : [];
      });
    } catch {
      return [];
    }
  }

  /** Values drawn from hostile strings, real names from the fixture, and every JSON and superjson type. */
  function valueArbitrary(): fc.Arbitrary<unknown> {
    const team = fixture.teams[0]!;
    const real = fc.constantFrom<unknown>(
      team.slug,
      team.rooms[0]!,
      fixture.joiners[1]!.session.user.id,
      fixture.joiners[1]!.roomName,
      fixture.admin.user.email,
      "member",
      "admin",
      "owner",
      "audio",
      "video",
    );
    const text = fc.oneof(
      { weight: 3, arbitrary: fc.string({ maxLength: 80 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
      { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 3, arbitrary: real },
    );
    const scalar = fc.oneof(
      { weight: 6, arbitrary: text },
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.uuid(),
      fc.date({ noInvalidDate: false }),
      fc.bigInt(),
      fc.emailAddress(),
    );
    return fc.oneof(
      { weight: 8, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 5 }) },
      { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 4 }) },
    );
  }

  function inputArbitrary(procedure: ProcedureInfo): fc.Arbitrary<unknown> {
    const value = valueArbitrary();
    const shaped = procedure.keys.length
      ? fc.record(Object.fromEntries(procedure.keys.map((key) => [key, value])), { requiredKeys: [] })
      : fc.constant(undefined);
    return fc.oneof(
      { weight: 4, arbitrary: shaped },
      {
        weight: 1,
        arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true }),
      },
    );
  }

  /** One call's input as the web client encodes it; what superjson refuses (a `__proto__` key) goes raw. */
  function serializeInput(input: unknown): string {
    const raw = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
    try {
      return raw(superjson.serialize(input));
    } catch {
      return raw({ json: input });
    }
  }

  /**
   * Calls `procedure` once per input in tRPC batches, as the web client's batch link does:
   * mutations 25 to a POST, queries as many as fit in an 8 kB URL (a bigger one goes alone).
   * Subscriptions cannot be batched: one request each.
   */
  function batches(procedure: ProcedureInfo, inputs: unknown[]): unknown[][] {
    if (procedure.type === "subscription") return inputs.map((input) => [input]);
    // Within the endpoint's limits, so that every input reaches its procedure: batches of at most
    // MAX_BATCH_SIZE calls (auth mutations alone), bodies well under MAX_BODY_BYTES.
    const perBatch = UNBATCHED_PATHS.has(procedure.path) ? 1 : MAX_BATCH_SIZE;
    const groups: unknown[][] = [];
    let current: unknown[] = [];
    let size = 0;
    for (const input of inputs) {
      const serialized = serializeInput(input);
      const length = procedure.type === "query" ? encodeURIComponent(serialized).length : serialized.length;
      const budget = procedure.type === "query" ? 8000 : MAX_BODY_BYTES / 2;
      if (current.length && (current.length >= perBatch || size + length > budget)) {
        groups.push(current);
        current = [];
        size = 0;
      }
      current.push(input);
      size += length;
    }
    if (current.length) groups.push(current);
    return groups;
  }

  function callRequest(
    procedure: ProcedureInfo,
    inputs: unknown[],
    cookie: string | null,
  ): Promise<Response> {
    const body = `{${inputs.map((input, i) => `"${i}":${serializeInput(input)}`).join(",")}}`;
    const paths = inputs.map(() => procedure.path).join(",");
    const headers: Record<string, string> = { accept: "application/json" };
    if (cookie) headers.cookie = cookie;
    const signal = AbortSignal.timeout(30_000);
    if (procedure.type === "mutation") {
      return fetch(`${stack.app.url}/api/trpc/${paths}?batch=1`, {
        method: "POST",
        headers: { ...headers, origin: stack.app.origin, "content-type": "application/json" },
        body,
        signal,
      });
    }
    const url = `${stack.app.url}/api/trpc/${paths}?batch=1&input=${encodeURIComponent(body)}`;
    if (procedure.type === "query") return fetch(url, { headers, signal });
    // A subscription that is allowed streams for ever: take its status and headers, then hang up.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    return fetch(url, {
      headers: { ...headers, accept: "text/event-stream" },
      signal: controller.signal,
    }).then((response) => {
      clearTimeout(timer);
      if (response.headers.get("content-type")?.includes("text/event-stream")) {
        controller.abort();
        return new Response("", { status: response.status });
      }
      return response;
    });
  }

  it("covers every procedure", () => {
    expect(procedures.length).toBeGreaterThan(30);
    expect(procedures.map((p) => p.path)).toEqual(
      expect.arrayContaining(["room.ensure", "room.connectionDetails", "admin.activeRooms", "auth.signUp"]),
    );
  });

  it(`never answers 500 or leaks, for ${CASES} hostile inputs to each procedure`, async () => {
    const admin = fixture.admin;
    // Signing out ends the session the other cases use: it gets a session of its own.
    const client = createParlorClient(stack.app.url);
    const spare = await client.signUp(
      `spare-${Date.now()}@bench.parlor.test`,
      "correct horse battery staple",
      "Spare",
      "198.51.100.250",
    );
    let seed = 1;
    for (const procedure of procedures) {
      const cookie = procedure.path === "auth.signOut" ? spare.cookie : admin.cookie;
      // Auth mutations cannot be batched, so each case is a request of its own: a quarter as many.
      const cases = UNBATCHED_PATHS.has(procedure.path) ? Math.ceil(CASES / 4) : CASES;
      const signedIn = Math.ceil(cases * 0.75);
      for (const [count, as] of [
        [signedIn, cookie],
        [cases - signedIn, null],
      ] as const) {
        const inputs = fc.sample(inputArbitrary(procedure), { numRuns: count, seed: ++seed });
        await sendAll(
          batches(procedure, inputs),
          (batch) => callRequest(procedure, batch, as),
          `${procedure.path} seed ${seed}`,
        );
      }
    }
    // Batches hold at most MAX_BATCH_SIZE calls now: several times the requests of before.
  }, 600_000);

  it(`never answers 500 or leaks, for ${CASES} malformed requests to the API`, async () => {
    const paths = procedures.map((p) => p.path);
    const raw = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
      path: fc.oneof(
        fc.constantFrom(...paths),
        fc.string({ maxLength: 40 }),
        fc.constantFrom(...NASTY.slice(0, 20)),
        fc.constant(paths.slice(0, 5).join(",")),
      ),
      query: fc.oneof(
        fc.constant("batch=1"),
        fc.constant(""),
        fc.string({ maxLength: 200 }).map((s) => `batch=1&input=${encodeURIComponent(s)}`),
        fc.json().map((j) => `batch=1&input=${encodeURIComponent(j)}`),
        fc.json().map((j) => `input=${encodeURIComponent(j)}`),
        fc.constant(
          `batch=1&input=${encodeURIComponent('{"0":{"json":{},"meta":{"values":{"__proto__":["map"]}}}}')}`,
        ),
      ),
      body: fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.json(),
        fc.constant('{"0":{"json":{"teamSlug":"x"},"meta":{"values":{"teamSlug":["bigint"]}}}}'),
        fc.constant(undefined),
      ),
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
      ),
      signedIn: fc.boolean(),
    });
    await fuzz(
      raw,
      CASES,
      (r) => {
        const headers: Record<string, string> = { "content-type": r.contentType, origin: stack.app.origin };
        if (r.signedIn) headers.cookie = fixture.admin.cookie;
        return fetch(
          `${stack.app.url}/api/trpc/${encodeURIComponent(wellFormed(r.path)).replace(/%2C/g, ",")}?${r.query}`,
          {
            method: r.method,
            headers,
            body: r.method === "GET" || r.method === "OPTIONS" ? undefined : r.body,
            signal: AbortSignal.timeout(15_000),
          },
        );
      },
      9001,
    );
  });

  it(`never answers 500 or leaks, for ${CASES} webhook deliveries, unsigned or signed with the real secret`, async () => {
    const { roomName, sid: roomSid } = liveRoom;
    const value = valueArbitrary();
    const timestamp = fc.oneof(
      fc.integer(),
      fc.constantFrom(0, -1, 2 ** 53, 1e12, 253402300800),
      fc.string({ maxLength: 20 }),
      value,
    );
    const event = fc.record(
      {
        event: fc.oneof(
          fc.constantFrom(
            "room_started",
            "room_finished",
            "participant_joined",
            "participant_left",
            "participant_connection_aborted",
            "track_published",
          ),
          fc.string(),
        ),
        id: fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }), value),
        createdAt: timestamp,
        room: fc.oneof(
          fc.record(
            {
              sid: fc.oneof(fc.constant(roomSid), fc.string({ maxLength: 30 })),
              name: fc.oneof(fc.constant(roomName), fc.string({ maxLength: 40 })),
              creationTime: timestamp,
            },
            { requiredKeys: [] },
          ),
          value,
        ),
        participant: fc.oneof(
          fc.record(
            {
              sid: fc.string({ maxLength: 30 }),
              identity: fc.oneof(
                fc.uuid(),
                fc.string({ maxLength: 60 }),
                fc.constant(fixture.joiners[1]!.session.user.id),
              ),
              name: value,
              joinedAt: timestamp,
            },
            { requiredKeys: [] },
          ),
          value,
        ),
      },
      { requiredKeys: [] },
    );
    const delivery = fc.record({
      body: fc.oneof(
        {
          weight: 4,
          arbitrary: event.map(
            (e) => JSON.stringify(e, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "",
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
      ),
      signing: fc.constantFrom("valid", "valid", "valid", "none", "garbage", "wrong-secret", "expired"),
    });
    await fuzz(
      delivery,
      CASES,
      async ({ body, signing }) => {
        const headers: Record<string, string> = { "content-type": "application/webhook+json" };
        if (signing === "valid")
          headers.authorization = await signWebhook(body, stack.livekit.apiKey, stack.livekit.apiSecret);
        if (signing === "garbage") headers.authorization = "Bearer not.a.jwt";
        if (signing === "wrong-secret")
          headers.authorization = await signWebhook(body, stack.livekit.apiKey, "not-the-secret-at-all");
        if (signing === "expired")
          headers.authorization = await signWebhook(
            body,
            stack.livekit.apiKey,
            stack.livekit.apiSecret,
            -120,
          );
        return fetch(`${stack.app.url}/api/livekit/webhook`, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(15_000),
        });
      },
      4242,
    );
  });
});
