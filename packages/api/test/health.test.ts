import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { handleLiveKitWebhook } from "../src/http";
import { reconcilePresence } from "../src/presence/reconcile";
import { errorOf, startTestApp, TEST_LIVEKIT_TIMEOUT_MS, type TestApp } from "./harness";
import { webhookEvent, webhookRequest } from "./webhook-sender";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`admin.health on ${testDriver()}`, () => {
  let app: TestApp;
  let siteAdmin: Person;
  let member: Person;

  const levels = async () =>
    Object.fromEntries((await siteAdmin.trpc.admin.health.query()).dependencies.map((d) => [d.key, d.level]));
  const entry = async (key: string) =>
    (await siteAdmin.trpc.admin.health.query()).dependencies.find((d) => d.key === key)!;

  beforeAll(async () => {
    app = await startTestApp();
    siteAdmin = await app.signUp("Site Admin");
    member = await app.signUp("Mia Member");
  });
  afterAll(() => app.close());

  it("is for site admins only", async () => {
    expect((await errorOf(member.trpc.admin.health.query())).code).toBe("FORBIDDEN");
  });

  it("on a fresh instance: database and LiveKit answer, no webhook yet, reconciliation has not run", async () => {
    expect(await levels()).toEqual({
      database: "ok",
      livekit: "ok",
      webhooks: "idle",
      reconciliation: "down",
    });
    expect((await entry("reconciliation")).summary).toBe("Has not run yet");
  });

  it("is all green once reconciliation ran and a webhook arrived", async () => {
    await reconcilePresence(app.services);
    const response = await handleLiveKitWebhook(
      app.services,
      await webhookRequest(
        webhookEvent("room_started", { room: { sid: "RM_h", name: "parlor-health" } }),
        app.livekit,
      ),
    );
    expect(response.status).toBe(200);
    expect(await levels()).toEqual({ database: "ok", livekit: "ok", webhooks: "ok", reconciliation: "ok" });
    expect((await entry("webhooks")).summary).toMatch(/^Last arrived \d+ s ago$/);
  });

  it("is red for LiveKit, with what to check, when it fails or hangs", async () => {
    app.livekit.setMode("fail");
    try {
      const down = await entry("livekit");
      expect(down).toMatchObject({ level: "down", summary: expect.stringMatching(/^Not reachable at http/) });
      expect(down.check).toMatch(/LIVEKIT_URL/);
      app.livekit.setMode("hang");
      const hanging = await entry("livekit");
      expect(hanging).toMatchObject({
        level: "down",
        summary: expect.stringMatching(new RegExp(`within ${TEST_LIVEKIT_TIMEOUT_MS / 1000} s$`)),
      });
      expect(hanging.check).toMatch(/LIVEKIT_TIMEOUT_MS/);
    } finally {
      app.livekit.setMode("ok");
    }
  });

  it("is red for reconciliation once it is older than two runs", async () => {
    const realClock = app.services.clock;
    const later = new Date(Date.now() + 5 * 60_000);
    (app.services as { clock: () => Date }).clock = () => later;
    try {
      const stale = await entry("reconciliation");
      expect(stale).toMatchObject({ level: "down", summary: "Last ran 5 min ago" });
      expect(stale.check).toMatch(/LiveKit/);
    } finally {
      (app.services as { clock: () => Date }).clock = realClock;
    }
  });
});
