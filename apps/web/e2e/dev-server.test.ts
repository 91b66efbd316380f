/**
 * The first call from the first command: `pnpm dev`'s own script (scripts/dev.mjs) starts the
 * pinned livekit-server beside `next dev` (React's Strict Mode on), and two Chromium browsers
 * opening it at 127.0.0.1 sign up, meet in a room and see each other. Also what a newcomer met
 * there: a form submitted before the page's code runs posts (no password in the URL), the room page
 * reached by navigation renders no script tag (dev's red issue badge), the same account joining
 * from a second tab says so and offers Use here, and stopping the script stops LiveKit too.
 *
 * The development server compiles each page on its first request, slowly on a small machine:
 * every wait here is for a condition, with bounds of minutes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { join } from "node:path";

import { liveKitServerForSuite } from "@parlor/api/testing/livekit-server";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  type AppDatabase,
  type CallPerson,
  fakeMediaArgs,
  freePort,
  freshDatabase,
  inCall,
  launchBrowser,
  newContext,
  recordPeerConnections,
  screenshot,
  trpcCall,
  videoFramesPresented,
  watchProblems,
  WEB_DIR,
} from "./harness";

const binary = liveKitServerForSuite(
  "The development-server browser suite (apps/web/e2e/dev-server.test.ts)",
);

const REPO = join(WEB_DIR, "..", "..");
const PASSWORD = "correct horse battery staple";
/** The first compile of a page by `next dev` on a loaded 2-core machine. */
const COMPILE = 10 * 60_000;
const CALL = 90_000;

let dev: ChildProcess;
let output = "";
let exited: Promise<unknown>;
let database: AppDatabase;
let url: string;
let liveKitPort: number;
let ada: CallPerson;
let bea: CallPerson;

/** Waits for the page's code to have hydrated `selector` (React's props on the element). */
async function hydrated(page: Page, selector: string) {
  await page.waitForFunction(
    (s) => {
      const element = document.querySelector(s);
      return Boolean(element && Object.keys(element).some((key) => key.startsWith("__reactProps")));
    },
    selector,
    { timeout: COMPILE },
  );
}

async function signUp(page: Page, name: string) {
  await page.goto("/sign-up", { timeout: COMPILE });
  await hydrated(page, "form");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase()}-${Date.now().toString(36)}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: `Hi, ${name}` }).waitFor({ timeout: COMPILE });
}

async function person(name: string): Promise<CallPerson> {
  const browser = await launchBrowser(fakeMediaArgs(10));
  const context = await newContext(browser, url);
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  page.setDefaultNavigationTimeout(COMPILE);
  const problems = watchProblems(page);
  await signUp(page, name);
  const me = (await trpcCall(url, context, "auth.me", undefined, "query")) as { id: string };
  return { name, id: me.id, browser, context, page, problems };
}

async function openRoomFromTeamPage(page: Page) {
  await page.goto("/t/acme");
  await hydrated(page, 'a[href="/t/acme/standup"]');
  // By navigation in the browser, as people get there: the page renders on the client.
  await page
    .getByRole("link", { name: /^(Open room|Join)$/ })
    .first()
    .click();
  await page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: COMPILE });
  await expect.poll(() => page.getByTestId("join-button").isEnabled(), { timeout: COMPILE }).toBe(true);
}

async function expectVideoFrom(viewer: CallPerson, of: CallPerson) {
  await expect
    .poll(
      () => videoFramesPresented(viewer.page, `[data-identity="${of.id}"][data-source="camera"] video`, 1500),
      { timeout: CALL, message: `${viewer.name} sees ${of.name}'s camera playing` },
    )
    .toBeGreaterThan(3);
  // And the picture is a real one, not a 0×0 placeholder.
  const size = await viewer.page
    .locator(`[data-identity="${of.id}"][data-source="camera"] video`)
    .evaluate((v: HTMLVideoElement) => v.videoWidth * v.videoHeight);
  expect(size).toBeGreaterThan(0);
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe.skipIf(!binary)("pnpm dev: the first call", () => {
  beforeAll(async () => {
    const port = await freePort();
    liveKitPort = await freePort();
    database = await freshDatabase();
    url = `http://127.0.0.1:${port}`;
    // Nothing about LiveKit but where its binary is: the script must do the rest. (And not the
    // test runner's NODE_ENV=test: `pnpm dev` is run from a shell.)
    const env: Record<string, string | undefined> = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith("LIVEKIT_") && !["DATABASE_URL", "NODE_ENV"].includes(key),
      ),
    );
    dev = spawn(process.execPath, [join(REPO, "scripts", "dev.mjs"), "dev"], {
      cwd: REPO,
      env: (<Record<string, string | undefined>>{
        ...env,
        ...database.env,
        PORT: String(port),
        LIVEKIT_PORT: String(liveKitPort),
        LIVEKIT_SERVER_BIN: binary!,
        LOG_LEVEL: "warn",
        NEXT_TELEMETRY_DISABLED: "1",
      }) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    dev.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => dev.once("exit", resolve));

    const deadline = Date.now() + COMPILE;
    for (;;) {
      if (dev.exitCode !== null) throw new Error(`pnpm dev exited (${dev.exitCode}):\n${output}`);
      try {
        if ((await fetch(`${url}/sign-up`, { signal: AbortSignal.timeout(COMPILE) })).status === 200) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`pnpm dev did not answer within 10 min:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, COMPILE + 60_000);

  afterAll(async () => {
    for (const p of [ada, bea]) await p?.browser.close().catch(() => undefined);
    if (dev?.exitCode === null) {
      process.kill(-dev.pid!, "SIGTERM");
      await exited;
    }
    await database?.drop();
  }, 60_000);

  test("says first that it started LiveKit, and where", () => {
    const first = output.split("\n").slice(0, 3).join("\n");
    expect(first).toContain("[parlor] Parlor (development) on http://localhost:");
    expect(first).toMatch(
      new RegExp(`\\[parlor\\] LiveKit: livekit-server on ws://127\\.0\\.0\\.1:${liveKitPort} \\(loopback`),
    );
  });

  test(
    "a form submitted before the page's code runs posts, without the password in the address",
    async () => {
      const browser = await launchBrowser();
      try {
        const context = await browser.newContext({ baseURL: url, javaScriptEnabled: false });
        const page = await context.newPage();
        await page.goto("/sign-up", { timeout: COMPILE });
        await page.getByLabel("Name").fill("Nojs");
        await page.getByLabel("Email").fill("nojs@example.com");
        await page.getByLabel("Password").fill(PASSWORD);
        const request = page.waitForRequest((r) => r.isNavigationRequest() && r.frame() === page.mainFrame());
        await page.getByRole("button", { name: "Create account" }).click();
        const sent = await request;
        expect(sent.method()).toBe("POST");
        expect(sent.url()).not.toContain("horse");
        expect(sent.url()).not.toContain("password");
        await page.waitForLoadState("domcontentloaded");
        expect(page.url()).not.toContain("horse");
      } finally {
        await browser.close();
      }
    },
    COMPILE,
  );

  test(
    "two browsers at 127.0.0.1 sign up, join one room and see each other's video",
    async () => {
      ada = await person("Ada");
      bea = await person("Bea");
      await trpcCall(url, ada.context, "team.create", { name: "Acme" });
      await trpcCall(url, ada.context, "room.create", { teamSlug: "acme", name: "Standup" });
      const invite = (await trpcCall(url, ada.context, "team.createInvite", { teamSlug: "acme" })) as {
        token: string;
      };
      await bea.page.goto(`/invite/${invite.token}`);
      await hydrated(bea.page, "button");
      await bea.page.getByRole("button", { name: "Join Acme" }).click();
      await bea.page.waitForURL(`${url}/t/acme`, { timeout: COMPILE });

      for (const p of [ada, bea]) {
        p.problems.list.length = 0;
        await openRoomFromTeamPage(p.page);
        await p.page.getByTestId("join-button").click();
        await inCall(p.page).waitFor({ timeout: CALL });
      }
      await expectVideoFrom(ada, bea);
      await expectVideoFrom(bea, ada);
      await screenshot(ada.page, "dev-server-call-ada");
      // Strict Mode's second mount did not make a second connection that LiveKit dropped.
      expect(await ada.page.getByTestId("room-failure").count()).toBe(0);
      for (const p of [ada, bea]) {
        expect(p.problems.list.filter((problem) => /script tag/i.test(problem))).toEqual([]);
      }
    },
    COMPILE + 4 * CALL,
  );

  test(
    "the same account from a second tab: the first says so, and Use here takes the call back",
    async () => {
      const first = ada.page;
      const second = await ada.context.newPage();
      await second.goto("/t/acme/standup");
      await expect.poll(() => second.getByTestId("join-button").isEnabled(), { timeout: COMPILE }).toBe(true);
      await second.getByTestId("join-button").click();
      await inCall(second).waitFor({ timeout: CALL });

      const notice = first.getByTestId("room-failure");
      await notice.waitFor({ timeout: CALL });
      expect(await notice.getAttribute("data-kind")).toBe("duplicate");
      await first.getByRole("heading", { name: "You joined from another tab" }).waitFor();
      await screenshot(first, "dev-server-joined-from-another-tab");

      await first.getByRole("button", { name: "Use here" }).click();
      await inCall(first).waitFor({ timeout: CALL });
      // A tab in the background presents no video frames.
      await first.bringToFront();
      await second.getByRole("heading", { name: "You joined from another tab" }).waitFor({ timeout: CALL });
      await expectVideoFrom(ada, bea);
      await second.close();
    },
    COMPILE + 3 * CALL,
  );

  test("stopping pnpm dev stops LiveKit and the app", async () => {
    expect(await listening(liveKitPort)).toBe(true);
    process.kill(-dev.pid!, "SIGTERM");
    await exited;
    await expect.poll(() => listening(liveKitPort), { timeout: 30_000 }).toBe(false);
    await expect.poll(() => listening(Number(new URL(url).port)), { timeout: 30_000 }).toBe(false);
  }, 60_000);
});
