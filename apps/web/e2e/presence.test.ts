/**
 * Live presence as a person sees it: user A's team page shows user B appearing in a room without a
 * reload (B's join reaches Parlor as a signed LiveKit webhook, as from a real LiveKit server); the
 * admin page lists the room; a non-admin asking for the admin page gets 404. (The pictures of
 * these pages in docs/features.md come from real calls: real-call.test.ts.)
 */
import { startLiveKitDouble, type LiveKitDouble } from "@parlor/api/testing/livekit-double";
import { webhookEvent, webhookRequest } from "@parlor/api/testing/webhook-sender";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

import { launchBrowser, newContext, startApp, watchProblems, type RunningApp } from "./harness";

let livekit: LiveKitDouble;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  livekit = await startLiveKitDouble();
  [app, browser] = await Promise.all([
    startApp({
      LIVEKIT_URL: livekit.wsUrl,
      LIVEKIT_API_KEY: livekit.apiKey,
      LIVEKIT_API_SECRET: livekit.apiSecret,
    }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await livekit?.close();
});

/** A tRPC call over HTTP as a browser would make it; returns the output and the session cookie. */
async function call<T>(path: string, input: unknown, cookie = "", kind: "query" | "mutation" = "mutation") {
  const url = new URL(`/api/trpc/${path}`, app.url);
  const init: RequestInit = { headers: { origin: app.url, cookie, "content-type": "application/json" } };
  if (kind === "query") url.searchParams.set("input", JSON.stringify({ json: input }));
  else Object.assign(init, { method: "POST", body: JSON.stringify({ json: input }) });
  const response = await fetch(url, init);
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!response.ok || !body.result)
    throw new Error(`${path} failed: ${response.status} ${JSON.stringify(body.error)}`);
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("auth_session="));
  return { data: body.result.data.json, cookie: setCookie ? setCookie.split(";")[0]! : cookie };
}

async function signUp(name: string) {
  const email = `${name.toLowerCase()}-${Date.now().toString(36)}@example.com`;
  const { data, cookie } = await call<{ user: { id: string } }>("auth.signUp", {
    email,
    password: "correct horse battery staple",
    name,
  });
  return { id: data.user.id, cookie };
}

async function browserFor(cookie: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, app.url);
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name: name!, value: value!, url: app.url }]);
  return { context, page: await context.newPage() };
}

async function deliver(event: unknown) {
  const request = await webhookRequest(event, livekit);
  const response = await fetch(new URL("/api/livekit/webhook", app.url), {
    method: "POST",
    headers: request.headers,
    body: await request.text(),
  });
  expect(response.status).toBe(200);
}

test("a join appears on the team page without a reload, and on the admin page", async () => {
  const ada = await signUp("Ada"); // the first account: site admin
  const bea = await signUp("Bea");
  const { data: team } = await call<{ slug: string }>("team.create", { name: "Acme Rockets" }, ada.cookie);
  const { data: invite } = await call<{ token: string }>(
    "team.createInvite",
    { teamSlug: team.slug },
    ada.cookie,
  );
  await call("team.acceptInvite", { token: invite.token }, bea.cookie);
  await call("room.create", { teamSlug: team.slug, name: "Design review" }, ada.cookie);
  const { data: standup } = await call<{ roomName: string }>(
    "room.ensure",
    { teamSlug: team.slug, roomSlug: "standup" },
    ada.cookie,
  );
  const live = { sid: livekit.rooms.get(standup.roomName)!.sid, name: standup.roomName };

  // A past meeting, for the room's history.
  const t = Math.floor(Date.now() / 1000) - 26 * 3600;
  const past = { sid: "RM_yesterday", name: standup.roomName, creationTime: t };
  await deliver(webhookEvent("room_started", { room: past, createdAt: t }));
  await deliver(
    webhookEvent("participant_joined", {
      room: past,
      participant: { sid: "PA_y1", identity: ada.id, name: "Ada", joinedAt: t + 5 },
      createdAt: t + 5,
    }),
  );
  await deliver(
    webhookEvent("participant_joined", {
      room: past,
      participant: { sid: "PA_y2", identity: bea.id, name: "Bea", joinedAt: t + 40 },
      createdAt: t + 40,
    }),
  );
  await deliver(
    webhookEvent("participant_left", {
      room: past,
      participant: { sid: "PA_y2", identity: bea.id, name: "Bea", joinedAt: t + 40 },
      createdAt: t + 1500,
    }),
  );
  await deliver(webhookEvent("room_finished", { room: past, createdAt: t + 1820 }));

  const { context, page } = await browserFor(ada.cookie);
  const problems = watchProblems(page);
  try {
    await page.goto(`/t/${team.slug}`);
    const card = page.getByRole("article", { name: "Standup" });
    await card.getByText("Nobody here yet").waitFor();
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    // Bea joins through LiveKit: the double holds her, and LiveKit's webhook reaches Parlor.
    // The webhook names the connection LiveKit holds (its sid), as LiveKit's own would: with
    // another sid, reconciliation (whenever it runs) rightly sees two connections.
    const beaInCall = livekit.join(standup.roomName, { identity: bea.id, name: "Bea" });
    await deliver(
      webhookEvent("participant_joined", {
        room: live,
        participant: { sid: beaInCall.sid, identity: bea.id, name: "Bea" },
      }),
    );

    await card.getByText("Bea is here").waitFor({ timeout: 45_000 });
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

    await card.getByRole("button", { name: "History" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Bea").first().waitFor();
    await dialog.getByText("Happening now").waitFor();
    await page.keyboard.press("Escape");

    // The admin view lists the room, with Bea in it.
    await page.goto("/admin");
    const entry = page.getByRole("article", { name: "Acme Rockets / Standup" });
    await entry.getByText("Bea").waitFor();
    await page.getByText("Live", { exact: true }).waitFor();
    // The services at the top: answering.
    for (const key of ["database", "livekit"]) {
      await expect
        .poll(() => page.getByTestId(`health-${key}`).getAttribute("data-level"), { timeout: 45_000 })
        .toBe("ok");
    }

    // She leaves: both views follow without a reload.
    livekit.rooms.get(standup.roomName)!.participants.delete(bea.id);
    await deliver(
      webhookEvent("participant_left", {
        room: live,
        participant: { sid: beaInCall.sid, identity: bea.id, name: "Bea" },
      }),
    );
    // With nobody left, the meeting is over: the room is no longer among the active ones.
    await entry.waitFor({ state: "detached", timeout: 45_000 });
    expect(problems.list).toEqual([]);
  } finally {
    await context.close();
  }

  // Bea is no site admin: the admin page does not exist for her.
  const response = await fetch(new URL("/admin", app.url), { headers: { cookie: bea.cookie } });
  expect(response.status).toBe(404);
  const asBea = await browserFor(bea.cookie);
  try {
    await asBea.page.goto("/admin");
    await asBea.page.getByRole("heading", { name: "This page doesn't exist" }).waitFor();
    expect(await asBea.page.getByText("Active rooms").count()).toBe(0);
  } finally {
    await asBea.context.close();
  }
});
