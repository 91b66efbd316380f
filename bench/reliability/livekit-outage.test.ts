/**
 * LiveKit down or hanging: calls that need it answer SERVICE_UNAVAILABLE within the configured
 * timeout (never a 500, never a hang), calls that do not need it keep working, and everything
 * works again as soon as LiveKit is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createParlorClient, TRPCCallError, type ParlorClient } from "../src/parlor-client";
import { seedJoinFixture, type Fixture } from "../src/seed";
import { startStack, type Stack } from "../src/stack";

const TIMEOUT_MS = 1500;

describe("LiveKit outage", () => {
  let stack: Stack;
  let fixture: Fixture;
  let client: ParlorClient;
  let counter = 0;

  beforeAll(async () => {
    stack = await startStack({ env: { LIVEKIT_TIMEOUT_MS: String(TIMEOUT_MS) } });
    fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 1, perTeam: 2, roomsPerTeam: 1 });
    client = createParlorClient(stack.app.url);
  });
  afterAll(() => stack?.stop());

  const someone = () => fixture.joiners[0]!;
  /** A room LiveKit must be asked to create (nothing says it is open). */
  const ensureNewRoom = () =>
    client.mutate(
      "room.ensure",
      { teamSlug: someone().teamSlug, roomSlug: `outage-${++counter}` },
      someone().session,
    );

  async function failure(call: () => Promise<unknown>) {
    const started = performance.now();
    try {
      await call();
    } catch (error) {
      return { error: error as TRPCCallError, ms: performance.now() - started };
    }
    throw new Error("expected the call to fail while LiveKit is out");
  }

  for (const mode of ["fail", "hang"] as const) {
    it(`answers SERVICE_UNAVAILABLE within the timeout when LiveKit ${mode === "fail" ? "fails" : "does not answer"}, and recovers`, async () => {
      stack.livekit.setMode(mode);
      try {
        const results = await Promise.all(Array.from({ length: 8 }, () => failure(ensureNewRoom)));
        for (const { error, ms } of results) {
          expect(error).toBeInstanceOf(TRPCCallError);
          expect(error.status).toBe(503);
          expect(error.code).toBe("SERVICE_UNAVAILABLE");
          expect(error.message).toMatch(/video service/i);
          expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
        }
        // /api/health reuses its LiveKit probe for 5 s (a documented cache against probe floods).
        let health = await fetch(`${stack.app.url}/api/health`);
        for (let i = 0; i < 30 && health.status !== 503; i++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          health = await fetch(`${stack.app.url}/api/health`);
        }
        expect(health.status).toBe(503);
        expect((await health.json()).livekit.ok).toBe(false);

        // What does not need LiveKit still works: the rooms list, a token for a room that is open.
        await client.query("room.list", { teamSlug: someone().teamSlug }, someone().session);
        const details = await client.query<{ participantToken: string }>(
          "room.connectionDetails",
          { teamSlug: someone().teamSlug, roomSlug: someone().roomSlug },
          someone().session,
        );
        expect(details.participantToken).toBeTruthy();
      } finally {
        stack.livekit.setMode("ok");
      }
      const back = await ensureNewRoom();
      expect(back).toMatchObject({ created: true });
      let healthy = await fetch(`${stack.app.url}/api/health`);
      for (let i = 0; i < 30 && healthy.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        healthy = await fetch(`${stack.app.url}/api/health`);
      }
      expect(healthy.status).toBe(200);
    });
  }
});
