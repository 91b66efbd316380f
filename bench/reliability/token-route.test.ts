/**
 * The join token beside Next (apps/web/src/token-route.ts): a single `room.connectionDetails` or
 * `guest.connectionDetails` call is answered by the tRPC handler straight from Node's HTTP server.
 * Each answer must be the one Next's `/api/trpc` route gives for the same call (sent here as a
 * batch of two, which Next still serves): the same status, the same result or error, the same
 * security and cache headers — for a member, someone signed out, a member of another team, bad input
 * and input that is not JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { seedJoinFixture, type Fixture } from "../src/seed";
import { startStack, type Stack } from "../src/stack";

/** The headers every API answer carries (next.config.ts) and the tRPC handler's own. */
const SAME_HEADERS = [
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "permissions-policy",
  "cache-control",
  "content-type",
];

type Envelope = {
  result?: { data: { json: Record<string, unknown> } };
  error?: { json: { data: Record<string, unknown> } & Record<string, unknown> };
};

/** What must be equal: a token's claims without its times, an error without its request id. */
function comparable(envelope: Envelope) {
  if (envelope.error) {
    const { requestId: _requestId, ...data } = envelope.error.json.data;
    return { error: { ...envelope.error.json, data } };
  }
  const { participantToken, expiresAt: _expiresAt, ...rest } = envelope.result!.data.json;
  const claims = JSON.parse(
    Buffer.from(String(participantToken).split(".")[1]!, "base64url").toString(),
  ) as Record<string, unknown>;
  const { exp: _exp, nbf: _nbf, iat: _iat, jti: _jti, ...lasting } = claims;
  return { result: rest, claims: lasting };
}

describe("the join token route beside Next", () => {
  let stack: Stack;
  let fixture: Fixture;

  beforeAll(async () => {
    stack = await startStack();
    fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 2, perTeam: 2, roomsPerTeam: 1 });
  });
  afterAll(() => stack?.stop());

  async function both(procedure: string, rawInput: string, cookie: string) {
    const get = (path: string) =>
      fetch(`${stack.app.url}${path}`, { headers: { cookie, accept: "application/json" } });
    const alone = await get(`/api/trpc/${procedure}?batch=1&input=${encodeURIComponent(rawInput)}`);
    let batchInput = rawInput;
    try {
      const parsed = JSON.parse(rawInput) as Record<string, unknown>;
      batchInput = JSON.stringify({ 0: parsed[0], 1: parsed[0] });
    } catch {
      // Not JSON: sent as it is, both ways.
    }
    const viaNext = await get(
      `/api/trpc/${procedure},${procedure}?batch=1&input=${encodeURIComponent(batchInput)}`,
    );
    return {
      alone: { response: alone, body: (await alone.json()) as Envelope[] | Envelope },
      viaNext: { response: viaNext, body: (await viaNext.json()) as Envelope[] | Envelope },
    };
  }

  function expectSameAnswer(answers: Awaited<ReturnType<typeof both>>, status: number) {
    const { alone, viaNext } = answers;
    expect(alone.response.status).toBe(status);
    expect(viaNext.response.status).toBe(status);
    for (const name of SAME_HEADERS)
      expect(alone.response.headers.get(name), name).toBe(viaNext.response.headers.get(name));
    expect(alone.response.headers.get("content-security-policy")).toContain("default-src 'none'");
    // Next adds its router's request headers to Vary; the answer beside it has the handler's alone.
    expect(alone.response.headers.get("vary")).toBe("trpc-accept, accept, cookie");
    const first = (body: Envelope[] | Envelope) => (Array.isArray(body) ? body[0]! : body);
    expect(comparable(first(alone.body))).toEqual(comparable(first(viaNext.body)));
  }

  const input = (value: unknown) => JSON.stringify({ 0: { json: value } });

  it("gives a member the token Next's route gives", async () => {
    const joiner = fixture.joiners[1]!;
    const answers = await both(
      "room.connectionDetails",
      input({ teamSlug: joiner.teamSlug, roomSlug: joiner.roomSlug }),
      joiner.session.cookie,
    );
    expectSameAnswer(answers, 200);
    expect(String((answers.alone.body as Envelope[])[0]!.result!.data.json.participantToken)).toMatch(/^eyJ/);
  });

  it("refuses someone signed out, a member of another team and bad input as Next's route does", async () => {
    const [ours, theirs] = [
      fixture.joiners[0]!,
      fixture.joiners.find((j) => j.teamSlug !== fixture.joiners[0]!.teamSlug)!,
    ];
    const room = { teamSlug: theirs.teamSlug, roomSlug: theirs.roomSlug };
    expectSameAnswer(await both("room.connectionDetails", input(room), ""), 401);
    expectSameAnswer(await both("room.connectionDetails", input(room), ours.session.cookie), 404);
    expectSameAnswer(await both("room.connectionDetails", input({ teamSlug: 42 }), ours.session.cookie), 400);
    expectSameAnswer(await both("guest.connectionDetails", input(undefined), ""), 401);
  });

  it("answers input that is not JSON with tRPC's parse error, not a 500", async () => {
    const { alone } = await both("room.connectionDetails", "{not json", fixture.joiners[0]!.session.cookie);
    expect(alone.response.status).toBe(400);
    expect(JSON.stringify(alone.body)).not.toMatch(/at \w+ \(|node_modules|stack/);
  });
});
