/**
 * The longest names the schemas allow (64 characters) in the scripts that stress a layout most —
 * one unbroken Latin word, Arabic (right to left), CJK — as team, room and person names, on a
 * 375 px phone: no page may scroll sideways. Each page's document is measured, and a picture of
 * each is kept under test-results/long-names/.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

import { startLiveKitDouble, type LiveKitDouble } from "@parlor/api/testing/livekit-double";
import { launchBrowser, screenshot, startApp, watchProblems, type RunningApp } from "./harness";

const PASSWORD = "correct horse battery staple";
const fit = (text: string) => Array.from(text.repeat(64)).slice(0, 64).join("");
const NAMES = {
  latin: fit("W"),
  arabic: fit("اجتماعالفريقالأسبوعي"),
  cjk: fit("設計レビュー会議"),
};

let app: RunningApp;
let browser: Browser;
let livekit: LiveKitDouble;

async function call<T>(context: BrowserContext, path: string, input?: unknown): Promise<T> {
  const response = await context.request.post(`${app.url}/api/trpc/${path}`, {
    data: input === undefined ? {} : { json: input },
    headers: { origin: app.url, "content-type": "application/json" },
  });
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok()) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result!.data!.json!;
}

const phone = (browserInstance: Browser) =>
  browserInstance.newContext({
    baseURL: app.url,
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 1,
  });

beforeAll(async () => {
  livekit = await startLiveKitDouble({ apiKey: "devkey", apiSecret: "secret" });
  [app, browser] = await Promise.all([
    startApp({ LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: "devkey", LIVEKIT_API_SECRET: "secret" }),
    launchBrowser(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await livekit?.close();
});

/** How far the page reaches past the viewport's right edge (0 when it fits). */
const overflow = (page: Page) =>
  page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
  );

test("every page holds the longest team, room and person names at 375 px without sideways scrolling", async () => {
  // The first account is the site admin, so /admin is among the pages.
  const setup = await browser.newContext({ baseURL: app.url });
  const admin = await call<{ user: { id: string } }>(setup, "auth.signUp", {
    email: `long-${Date.now().toString(36)}@example.com`,
    password: PASSWORD,
    name: NAMES.arabic,
  });
  const other = await browser.newContext({ baseURL: app.url });
  const member = await call<{ user: { id: string } }>(other, "auth.signUp", {
    email: `long-member-${Date.now().toString(36)}@example.com`,
    password: PASSWORD,
    name: NAMES.latin,
  });
  const pages: string[] = ["/", "/settings", "/admin"];
  let invitePath = "";
  for (const [script, teamName] of Object.entries(NAMES)) {
    const team = await call<{ slug: string }>(setup, "team.create", { name: teamName });
    const invite = await call<{ token: string }>(setup, "team.createInvite", { teamSlug: team.slug });
    await call(other, "team.acceptInvite", { token: invite.token });
    invitePath ||= `/invite/${(await call<{ token: string }>(setup, "team.createInvite", { teamSlug: team.slug })).token}`;
    for (const roomName of Object.values(NAMES)) {
      const room = await call<{ slug: string }>(setup, "room.create", {
        teamSlug: team.slug,
        name: roomName,
      });
      if (roomName === teamName) {
        const ensured = await call<{ roomName: string }>(setup, "room.ensure", {
          teamSlug: team.slug,
          roomSlug: room.slug,
        });
        livekit.join(ensured.roomName, { identity: admin.user.id, name: NAMES.arabic });
        livekit.join(ensured.roomName, { identity: member.user.id, name: NAMES.latin });
        pages.push(`/t/${team.slug}/${room.slug}`);
      }
    }
    pages.push(`/t/${team.slug}`, `/t/${team.slug}/no-such-room-${script}`);
  }
  await other.close();

  const context = await phone(browser);
  await context.addCookies(await setup.cookies());
  await setup.close();
  const page = await context.newPage();
  const problems = watchProblems(page);
  const results: { path: string; overflow: number }[] = [];
  try {
    for (const path of pages) {
      await page.goto(path);
      await page.waitForLoadState("networkidle").catch(() => undefined);
      await page.waitForTimeout(300);
      results.push({ path: decodeURIComponent(path), overflow: await overflow(page) });
      await screenshot(page, `long-names/${results.length}`);
    }
    // Signed out: the invite page names the team.
    const visitor = await phone(browser);
    const invitePage = await visitor.newPage();
    await invitePage.goto(invitePath);
    await invitePage.waitForLoadState("networkidle").catch(() => undefined);
    results.push({ path: "invite (signed out)", overflow: await overflow(invitePage) });
    await screenshot(invitePage, "long-names/invite");
    await visitor.close();

    console.log(
      results.map((r) => `${r.overflow > 0 ? "OVER" : "ok  "} ${r.overflow} px  ${r.path}`).join("\n"),
    );
    expect(results.filter((r) => r.overflow > 0)).toEqual([]);
    expect(problems.list.filter((p) => !/Failed to load resource|WebSocket/.test(p))).toEqual([]);
  } finally {
    await context.close();
  }
});
