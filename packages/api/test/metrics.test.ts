import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleMetrics } from "../src/http";
import { startTestApp, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";
import { handleLiveKitWebhook } from "../src/http";

describe(`metrics on ${testDriver()}`, () => {
  let app: TestApp;
  const token = "a-long-scrape-token-0123456789";
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(() => app.close());

  const scrape = (authorization?: string) =>
    handleMetrics(
      async () => app.services,
      new Request("http://parlor.test/api/metrics", { headers: authorization ? { authorization } : {} }),
    );

  it("is refused without the token, and off when no token is configured", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong")).status).toBe(401);
    const off = await startTestApp();
    try {
      const response = await handleMetrics(
        async () => off.services,
        new Request("http://parlor.test/api/metrics", { headers: { authorization: `Bearer ${token}` } }),
      );
      expect(response.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it("counts procedure calls, joins, webhook events and dependency errors", async () => {
    const person = await app.signUp();
    const { slug } = await person.trpc.team.create.mutate({ name: "Metrics" });
    await person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "m" });
    await person.trpc.room.connectionDetails.query({ teamSlug: slug, roomSlug: "m" });
    await handleLiveKitWebhook(
      app.services,
      await webhookRequest(
        webhookEvent("room_started", { room: { sid: "RM_x", name: "unknown" } }),
        app.livekit,
        { authorization: "Bearer forged" },
      ),
    );
    app.livekit.setMode("fail");
    await person.trpc.room.ensure.mutate({ teamSlug: slug, roomSlug: "m" }).catch(() => undefined);
    app.livekit.setMode("ok");

    const response = await scrape(`Bearer ${token}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(
      /parlor_procedure_calls_total\{path="room.connectionDetails",type="query",code="OK"\} 1/,
    );
    expect(text).toMatch(
      /parlor_procedure_duration_seconds_bucket\{le="[^"]+",path="room.ensure",type="mutation"\}/,
    );
    expect(text).toMatch(/parlor_joins_total 1/);
    expect(text).toMatch(/parlor_webhook_events_total\{result="rejected"\} 1/);
    expect(text).toMatch(/parlor_dependency_errors_total\{dependency="livekit"\} 1/);
    expect(text).toMatch(/parlor_active_rooms \d+/);
    expect(text).toMatch(/parlor_active_participants \d+/);
    expect(text).not.toContain(token);
  });
});
