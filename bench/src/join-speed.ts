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
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { percentile } from "./load";
import { startLiveKitServer, liveKitServerBinary } from "@parlor/api/testing/livekit-server";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { startApp } from "./app";
import { launchChromium, sessionCookie } from "./browser";
import { createThrowawayDatabase } from "./databases";
import { freePort } from "./net";
import { createParlorClient } from "./parlor-client";
import { MAIN_DATABASE_URL, RESULTS_DIR } from "./paths";
import { signUpPerson, type Joiner } from "./seed";

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

/**
 * What the bench needs to know of an app's room page to time a join there: CSS selectors for
 * an ancestor of the pre-join's camera preview, the Join button, an ancestor of the other
 * person's camera video in the call and, where the app has one, the mark of a connected call.
 */
export interface CallPage {
  preview: string;
  joinButton: string;
  remoteCamera: string;
  connected?: { selector: string; attribute: string };
}

/** An app whose room page a person opens, looks at and joins (Parlor's, or LiveKit Meet's in meet.ts). */
export interface CallApp {
  label: string;
  page: CallPage;
  /** A new browser context (cold cache, camera allowed, signed in where the app needs it) and the room's address. */
  visit(browser: Browser, who: "host" | "joiner"): Promise<{ context: BrowserContext; url: string }>;
  /** What a person does on the pre-join before Join can be pressed (Meet asks for a name). */
  beforeJoin?(page: Page, who: "host" | "joiner"): Promise<void>;
  /** Leaves the call as a person does, so the next join is not a duplicate identity taking over. */
  leave(page: Page): Promise<void>;
}

/** Marks, on the page's clock: the first preview frame, the click on Join, connected, the other person's first frame. */
const joinProbe = (page: CallPage) => `
(() => {
  const selectors = ${JSON.stringify(page)};
  const marks = (window.__benchJoin = {});
  const watch = (video) => {
    if (video.__benchProbe || typeof video.requestVideoFrameCallback !== "function") return;
    video.__benchProbe = true;
    // Every frame until the other person's first one: an element can move into the call view.
    const onFrame = (now) => {
      if (video.closest(selectors.preview)) marks.preview ??= now;
      else if (video.closest(selectors.remoteCamera)) marks.remoteFrame ??= now;
      if (marks.remoteFrame === undefined) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  new MutationObserver(() => {
    document.querySelectorAll("video").forEach(watch);
    if (selectors.connected && marks.connected === undefined && document.querySelector(selectors.connected.selector))
      marks.connected = performance.now();
  }).observe(document, {
    childList: true,
    subtree: true,
    ...(selectors.connected ? { attributes: true, attributeFilter: [selectors.connected.attribute] } : {}),
  });
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest(selectors.joinButton))
      marks.click ??= performance.now();
  }, true);
  // The connection's steps after the click, seen from outside the app (the same for any app on
  // livekit-client): its signal socket (LiveKit's /rtc), the first peer connection and when it
  // connects, the other person's video track; and the main thread's long tasks.
  const after = (name, value = performance.now()) => {
    if (marks.click !== undefined) marks[name] ??= value;
  };
  window.WebSocket = new Proxy(window.WebSocket, {
    construct(target, args) {
      const socket = Reflect.construct(target, args);
      if (String(args[0]).includes("/rtc")) {
        after("socket");
        socket.addEventListener("open", () => after("socketOpen"));
      }
      return socket;
    },
  });
  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args) {
      const pc = Reflect.construct(target, args);
      after("peerConnection");
      pc.addEventListener("connectionstatechange", () => {
        if (pc.connectionState === "connected") after("peerConnected");
      });
      pc.addEventListener("track", (event) => {
        if (event.track.kind === "video") after("remoteTrack");
      });
      return pc;
    },
  });
  // Before the preview's first frame: when the page first asks for the camera, and has it.
  const media = navigator.mediaDevices;
  if (media && typeof media.getUserMedia === "function") {
    const ask = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      const camera = Boolean(constraints && constraints.video);
      if (camera) marks.cameraAsked ??= performance.now();
      const answer = ask(constraints);
      if (camera) answer.then(() => { marks.cameraAnswered ??= performance.now(); }, () => {});
      return answer;
    };
  }
  marks.longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) marks.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
})();
`;

/** The steps before the preview's first frame, in ms from navigation start (see joinProbe). */
export interface PreviewSteps {
  /** The page's HTML: its first byte. */
  firstByte?: number;
  /** The HTML parsed (DOMContentLoaded ended). */
  domContentLoaded?: number;
  /** The page first asked for the camera (getUserMedia with video). */
  cameraAsked?: number;
  /** That request answered with the camera. */
  cameraAnswered?: number;
}

/** The steps of a join after the click, in ms from it (see joinProbe). */
export interface JoinSteps {
  socket?: number;
  socketOpen?: number;
  peerConnection?: number;
  peerConnected?: number;
  remoteTrack?: number;
  /** Long tasks on the main thread between the click and the signal socket, summed. */
  busyBeforeSocket?: number;
}

type Marks = {
  preview?: number;
  click?: number;
  connected?: number;
  remoteFrame?: number;
  socket?: number;
  socketOpen?: number;
  peerConnection?: number;
  peerConnected?: number;
  remoteTrack?: number;
  cameraAsked?: number;
  cameraAnswered?: number;
  longTasks?: [number, number][];
  /** From the navigation entry, read with the marks. */
  firstByte?: number;
  domContentLoaded?: number;
};

function stepsOf(marks: Marks): JoinSteps {
  const click = marks.click!;
  const since = (mark?: number) => (mark === undefined ? undefined : Math.round(mark - click));
  const socket = marks.socket ?? marks.remoteFrame!;
  const busy = (marks.longTasks ?? []).reduce(
    (sum, [start, duration]) =>
      sum + Math.max(0, Math.min(start + duration, socket) - Math.max(start, click)),
    0,
  );
  return {
    socket: since(marks.socket),
    socketOpen: since(marks.socketOpen),
    peerConnection: since(marks.peerConnection),
    peerConnected: since(marks.peerConnected),
    remoteTrack: since(marks.remoteTrack),
    busyBeforeSocket: Math.round(busy),
  };
}
const marksOf = (page: Page) =>
  page.evaluate(() => {
    const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
    return {
      ...(window as unknown as { __benchJoin: Marks }).__benchJoin,
      firstByte: navigation?.responseStart,
      domContentLoaded: navigation?.domContentLoadedEventEnd || undefined,
    };
  });

function previewStepsOf(marks: Marks): PreviewSteps {
  const at = (mark?: number) => (mark === undefined ? undefined : Math.round(mark));
  return {
    firstByte: at(marks.firstByte),
    domContentLoaded: at(marks.domContentLoaded),
    cameraAsked: at(marks.cameraAsked),
    cameraAnswered: at(marks.cameraAnswered),
  };
}

async function waitForMark(page: Page, mark: keyof Marks, what: string) {
  try {
    await page.waitForFunction(
      (name) => (window as unknown as { __benchJoin: Marks }).__benchJoin[name as keyof Marks] !== undefined,
      mark,
      { timeout: 60_000, polling: 20 },
    );
  } catch (error) {
    throw new Error(`No ${what} within 60 s: ${(error as Error).message}`, { cause: error });
  }
}

/** Presses Join the moment it is enabled (polled every 20 ms on the page). */
async function pressJoin(page: Page, call: CallPage) {
  await page.waitForFunction(
    (selector) => {
      const button = document.querySelector(selector) as HTMLButtonElement | null;
      return button !== null && !button.disabled;
    },
    call.joinButton,
    { timeout: 60_000, polling: 20 },
  );
  await page.locator(call.joinButton).click();
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: Math.round(percentile(sorted, 50)),
    p95Ms: Math.round(percentile(sorted, 95)),
    minMs: Math.round(sorted[0]!),
    maxMs: Math.round(sorted.at(-1)!),
  };
}

/** The host: joins the app's room and stays in it, camera and microphone on. */
export async function seatHost(app: CallApp, browser: Browser): Promise<Page> {
  const { url, context } = await app.visit(browser, "host");
  const page = await context.newPage();
  await page.goto(url);
  await app.beforeJoin?.(page, "host");
  await pressJoin(page, app.page);
  return page;
}

export interface TimedJoin {
  /** Navigation start → the first preview frame (when it came before the click). */
  previewMs?: number;
  /** The click → the app's connected mark (apps that have one). */
  connectedMs?: number;
  /** The click → the first frame of the other person's camera. */
  remoteFrameMs: number;
  /** Where the time between the click and that frame went. */
  steps: JoinSteps;
  /** Where the time before the first preview frame went. */
  previewSteps: PreviewSteps;
}

/**
 * One join by a fresh person (a new browser context): open the room page, look at the pre-join
 * for `lookMs` after the first preview frame (or, with "asap", press Join the moment it is
 * enabled), and take the marks until the other person's first frame; then leave.
 */
export async function timeJoin(
  app: CallApp,
  browser: Browser,
  options: { lookMs: number | "asap"; consoleErrors?: string[] },
): Promise<TimedJoin> {
  const { url, context } = await app.visit(browser, "joiner");
  try {
    await context.addInitScript(joinProbe(app.page));
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") options.consoleErrors?.push(message.text().slice(0, 300));
    });
    await page.goto(url, { waitUntil: "commit" });
    await app.beforeJoin?.(page, "joiner");
    if (options.lookMs !== "asap") {
      await waitForMark(page, "preview", "pre-join preview frame");
      await page.waitForFunction(
        (lookMs) => {
          const marks = (window as unknown as { __benchJoin: Marks }).__benchJoin;
          return performance.now() >= marks.preview! + lookMs;
        },
        options.lookMs,
        { timeout: 60_000, polling: 20 },
      );
    }
    await pressJoin(page, app.page);
    try {
      if (app.page.connected) await waitForMark(page, "connected", "connected call");
      await waitForMark(page, "remoteFrame", "frame of the other person's video");
    } catch (error) {
      // What the person saw, for the report: the page as it stood when the wait gave up.
      const shot = join(RESULTS_DIR, `join-failure-${app.label.toLowerCase()}-${Date.now()}.png`);
      mkdirSync(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new Error(`${app.label}: ${(error as Error).message} (screenshot: ${shot})`, { cause: error });
    }
    const marks = await marksOf(page);
    await app.leave(page);
    return {
      previewMs:
        marks.preview !== undefined && marks.preview < marks.click! ? Math.round(marks.preview) : undefined,
      connectedMs: marks.connected !== undefined ? Math.round(marks.connected - marks.click!) : undefined,
      remoteFrameMs: Math.round(marks.remoteFrame! - marks.click!),
      steps: stepsOf(marks),
      previewSteps: previewStepsOf(marks),
    };
  } finally {
    await context.close();
  }
}

async function contextFor(browser: Browser, baseUrl: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
  await context.addCookies([sessionCookie(cookie, baseUrl)]);
  return context;
}

/** A room in Parlor with a host and `joiners` other members of its team, made through the API as people would. */
export async function seedCallRoom(appUrl: string, options: { joiners?: number } = {}) {
  const client = createParlorClient(appUrl);
  const host = await signUpPerson(client, "host");
  const team = await client.mutate<{ slug: string }>("team.create", { name: "Join speed" }, host);
  const invite = await client.mutate<{ token: string }>("team.createInvite", { teamSlug: team.slug }, host);
  // Opening a room's address no longer creates the room: it is made first, as a person would.
  const room = await client.mutate<{ slug: string }>(
    "room.create",
    { teamSlug: team.slug, name: "Standup" },
    host,
  );
  const { roomName } = await client.mutate<{ roomName: string }>(
    "room.ensure",
    { teamSlug: team.slug, roomSlug: room.slug },
    host,
  );
  const joiners: Joiner[] = [];
  for (let i = 0; i < (options.joiners ?? 1); i++) {
    const session = await signUpPerson(client, "joiner");
    await client.mutate("team.acceptInvite", { token: invite.token }, session);
    joiners.push({ session, teamSlug: team.slug, roomSlug: room.slug, roomName });
  }
  return { host, joiners, teamSlug: team.slug, roomSlug: room.slug, roomName };
}

/** Parlor's room page for `seedCallRoom`'s host and its first joiner. */
export function parlorCallApp(appUrl: string, seeded: Awaited<ReturnType<typeof seedCallRoom>>): CallApp {
  const path = `/t/${seeded.teamSlug}/${seeded.roomSlug}`;
  return {
    label: "Parlor",
    page: {
      preview: '[data-testid="camera-preview"]',
      joinButton: '[data-testid="join-button"]',
      remoteCamera: `[data-identity="${seeded.host.user.id}"][data-source="camera"]`,
      connected: {
        selector: '[data-testid="conference-room"][data-connected="true"]',
        attribute: "data-connected",
      },
    },
    async visit(browser, who) {
      const cookie = who === "host" ? seeded.host.cookie : seeded.joiners[0]!.session.cookie;
      return { context: await contextFor(browser, appUrl, cookie), url: `${appUrl}${path}` };
    },
    async leave(page) {
      await page.getByTestId("control-leave").click();
      await page.waitForURL(`${appUrl}/t/${seeded.teamSlug}`, { timeout: 30_000 });
    },
  };
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
    const parlor = parlorCallApp(app.url, await seedCallRoom(app.url));
    const hostBrowser = await launchChromium();
    browsers.push(hostBrowser);
    const hostPage = await seatHost(parlor, hostBrowser);
    await hostPage.locator(parlor.page.connected!.selector).waitFor({ timeout: 60_000 });
    options.log(`join speed: host in the room on livekit-server at ${livekit.wsUrl}`);

    const joinerBrowser = await launchChromium();
    browsers.push(joinerBrowser);
    const runs: JoinRun[] = [];
    // One unmeasured join first: the server's first compile of each route is not what a person meets.
    for (let i = -1; i < runsWanted; i++) {
      const join = await timeJoin(parlor, joinerBrowser, { lookMs: 0, consoleErrors });
      if (i >= 0)
        runs.push({
          previewMs: join.previewMs!,
          connectedMs: join.connectedMs!,
          remoteFrameMs: join.remoteFrameMs,
        });
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
