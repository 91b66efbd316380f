/**
 * Join speed against the real LiveKit server: the pinned livekit-server on loopback (webhooks to
 * the app), the production app on a database of its own, and two Chromium processes with fake
 * cameras. A host sits in the room; the joiner opens the room page 10 times (a new browser
 * context each time: cold cache, no cached token) and clicks Join. On the page's own clock we take
 *
 *   - navigation start → the first frame of the pre-join camera preview,
 *   - the click on Join → the call view saying it is connected (`data-connected="true"`, set when
 *     livekit-client's `room.connect()` resolves),
 *   - the click on Join → the first frame of the host's video in the call (requestVideoFrameCallback).
 */
import { percentile } from "./load";
import { startLiveKitServer, liveKitServerBinary } from "@parlor/api/testing/livekit-server";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { startApp } from "./app";
import { launchChromium, sessionCookie } from "./browser";
import { createThrowawayDatabase } from "./databases";
import { freePort } from "./net";
import { createParlorClient } from "./parlor-client";
import { MAIN_DATABASE_URL } from "./paths";
import { signUpPerson } from "./seed";

export interface JoinRun {
  previewMs: number;
  connectedMs: number;
  remoteFrameMs: number;
}

export interface Spread {
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export interface JoinSpeedResult {
  livekitServer: string;
  runs: JoinRun[];
  preview: Spread;
  clickToConnected: Spread;
  clickToRemoteFrame: Spread;
  consoleErrors: string[];
}

/** Marks, on the page's clock: the first preview frame, the click on Join, connected, the host's first frame. */
const JOIN_PROBE = (hostIdentity: string) => `
(() => {
  const marks = (window.__parlorJoin = {});
  const watch = (video) => {
    if (video.__parlorProbe || typeof video.requestVideoFrameCallback !== "function") return;
    video.__parlorProbe = true;
    video.requestVideoFrameCallback((now) => {
      if (video.closest('[data-testid="camera-preview"]')) marks.preview ??= now;
      else if (video.closest('[data-identity="${hostIdentity}"][data-source="camera"]')) marks.remoteFrame ??= now;
      video.__parlorProbe = false;
    });
  };
  new MutationObserver(() => {
    document.querySelectorAll("video").forEach(watch);
    if (marks.connected === undefined && document.querySelector('[data-testid="conference-room"][data-connected="true"]'))
      marks.connected = performance.now();
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-connected"] });
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest('[data-testid="join-button"]'))
      marks.click ??= performance.now();
  }, true);
})();
`;

type Marks = { preview?: number; click?: number; connected?: number; remoteFrame?: number };
const marksOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { __parlorJoin: Marks }).__parlorJoin);

async function waitForMark(page: Page, mark: keyof Marks, what: string) {
  try {
    await page.waitForFunction(
      (name) =>
        (window as unknown as { __parlorJoin: Marks }).__parlorJoin[name as keyof Marks] !== undefined,
      mark,
      { timeout: 60_000, polling: 20 },
    );
  } catch (error) {
    throw new Error(`No ${what} within 60 s: ${(error as Error).message}`, { cause: error });
  }
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: Math.round(percentile(sorted, 50)),
    p95Ms: Math.round(percentile(sorted, 95)),
    minMs: Math.round(sorted[0]!),
    maxMs: Math.round(sorted.at(-1)!),
  };
}

async function contextFor(browser: Browser, baseUrl: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
  await context.addCookies([sessionCookie(cookie, baseUrl)]);
  return context;
}

export async function joinSpeed(options: {
  runs?: number;
  log: (line: string) => void;
}): Promise<JoinSpeedResult> {
  const runsWanted = options.runs ?? 10;
  const binary = liveKitServerBinary();
  if ("missing" in binary) throw new Error(`Join speed needs the real LiveKit server. ${binary.missing}`);

  const appPort = await freePort();
  const livekit = await startLiveKitServer({
    binary: binary.path,
    webhookUrls: [`http://127.0.0.1:${appPort}/api/livekit/webhook`],
  });
  const database = await createThrowawayDatabase(MAIN_DATABASE_URL);
  const app = await startApp({
    port: appPort,
    databaseUrl: database.url,
    livekit: { wsUrl: livekit.wsUrl, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
    backgroundJobs: true,
  });
  const browsers: Browser[] = [];
  const consoleErrors: string[] = [];
  try {
    const client = createParlorClient(app.url);
    const host = await signUpPerson(client, "host");
    const joiner = await signUpPerson(client, "joiner");
    const team = await client.mutate<{ slug: string }>("team.create", { name: "Join speed" }, host);
    const invite = await client.mutate<{ token: string }>("team.createInvite", { teamSlug: team.slug }, host);
    await client.mutate("team.acceptInvite", { token: invite.token }, joiner);
    // The room page asks before creating a room: the room exists before anyone opens it.
    const room = await client.mutate<{ slug: string }>(
      "room.create",
      { teamSlug: team.slug, name: "Standup" },
      host,
    );
    const path = `/t/${team.slug}/${room.slug}`;

    // The host: in the room for the whole measurement, camera and microphone on.
    const hostBrowser = await launchChromium();
    browsers.push(hostBrowser);
    const hostPage = await (await contextFor(hostBrowser, app.url, host.cookie)).newPage();
    await hostPage.goto(`${app.url}${path}`);
    await hostPage.getByTestId("join-button").click({ timeout: 60_000 });
    await hostPage
      .locator('[data-testid="conference-room"][data-connected="true"]')
      .waitFor({ timeout: 60_000 });
    options.log(`join speed: host in the room on livekit-server at ${livekit.wsUrl}`);

    const joinerBrowser = await launchChromium();
    browsers.push(joinerBrowser);
    const runs: JoinRun[] = [];
    // One unmeasured join first: the server's first compile of each route is not what a person meets.
    for (let i = -1; i < runsWanted; i++) {
      const context = await contextFor(joinerBrowser, app.url, joiner.cookie);
      await context.addInitScript(JOIN_PROBE(host.user.id));
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text().slice(0, 300));
      });
      await page.goto(`${app.url}${path}`, { waitUntil: "commit" });
      await waitForMark(page, "preview", "pre-join preview frame");
      const join = page.getByTestId("join-button");
      await page.waitForFunction(
        () => !(document.querySelector('[data-testid="join-button"]') as HTMLButtonElement | null)?.disabled,
        null,
        { timeout: 60_000, polling: 20 },
      );
      await join.click();
      await waitForMark(page, "connected", "connected call");
      await waitForMark(page, "remoteFrame", "frame of the host's video");
      const marks = await marksOf(page);
      if (i >= 0) {
        runs.push({
          previewMs: Math.round(marks.preview!),
          connectedMs: Math.round(marks.connected! - marks.click!),
          remoteFrameMs: Math.round(marks.remoteFrame! - marks.click!),
        });
      }
      // Leave as a person does, so the next join is not a duplicate identity taking over.
      await page.getByTestId("control-leave").click();
      await page.waitForURL(`${app.url}/t/${team.slug}`, { timeout: 30_000 });
      await context.close();
    }
    return {
      livekitServer: livekit.wsUrl,
      runs,
      preview: spread(runs.map((r) => r.previewMs)),
      clickToConnected: spread(runs.map((r) => r.connectedMs)),
      clickToRemoteFrame: spread(runs.map((r) => r.remoteFrameMs)),
      consoleErrors,
    };
  } catch (error) {
    console.error(app.output().slice(-3000));
    console.error(livekit.output().slice(-3000));
    throw error;
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await app.stop();
    await livekit.stop();
    await database.drop();
  }
}
