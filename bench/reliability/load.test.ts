/**
 * A minute of the join path at 50 connections against the production build: every join must
 * succeed (no error, no 5xx, no timeout). Throughput and latency are printed, not asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runLoad } from "../src/load";
import { joinPath } from "../src/scenarios";
import { seedJoinFixture, type Fixture } from "../src/seed";
import { startStack, type Stack } from "../src/stack";

describe("load: the join path, 60 s at 50 connections", () => {
  let stack: Stack;
  let fixture: Fixture;

  beforeAll(async () => {
    stack = await startStack();
    fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 2, perTeam: 5, roomsPerTeam: 2 });
  });
  afterAll(() => stack?.stop());

  it("serves no benchmark reference route outside `pnpm bench`", async () => {
    const response = await fetch(`${stack.app.url}/api/bench/reference-token?roomName=x&participantName=y`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/eyJ/);
  });

  it("answers every join, with no error and no 5xx", async () => {
    const stopWatching = stack.app.watchMemory(250);
    const result = await runLoad({
      name: "join path",
      baseUrl: stack.app.url,
      connections: 50,
      durationSeconds: Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60),
      sequenceFor: (i) => joinPath(fixture.joiners[i % fixture.joiners.length]!, stack.app.origin),
      timeoutSeconds: 10,
    });
    const memory = stopWatching();
    console.log(
      `[reliability] join path, 50 connections, ${result.durationSeconds} s: ${result.sequences} joins (${result.perSecond}/s), ` +
        `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statuses)}, ` +
        `errors ${result.errors}, peak server RSS ${(memory.peakBytes / 1048576).toFixed(0)} MB`,
    );
    expect(result.sequences).toBeGreaterThan(0);
    expect(result.statuses).toEqual({ 200: result.requests });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
  });
});
