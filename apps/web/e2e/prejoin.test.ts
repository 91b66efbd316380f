/**
 * The room page as a person meets it, in Debian's Chromium with fake camera and microphone,
 * against the production build: sign in and come back, a live preview and level meter, camera
 * off really stopping the camera, choices kept across a reload and shown in /settings, a denied
 * permission, an unreachable video service with a working Retry, and a phone-sized screen.
 *
 * LiveKit is the API's test double (its RoomService over HTTP), reached through a loopback
 * proxy the test can switch off: switched off, nothing listens on LIVEKIT_URL.
 */
import { mkdir } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { join } from "node:path";

import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startLiveKitDouble, type LiveKitDouble } from "@parlor/api/testing/livekit-double";
import {
  freePort,
  launchBrowser,
  startApp,
  watchProblems,
  SCREENSHOTS_DIR,
  WEB_DIR,
  type PageProblems,
  type RunningApp,
} from "./harness";

const PASSWORD = "correct horse battery staple";
const EMAIL = `ada-${Date.now().toString(36)}@example.com`;
const ROOM_PATH = "/t/acme/standup";
/** The microphone picked in one test, expected back (by its label) in another browser context. */
let chosenMicrophone = "";

/** A TCP forwarder on a fixed loopback port that can be switched off (nothing listening) and on. */
async function switchableProxy(target: { host: string; port: number }) {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const proxy = {
    port,
    async on() {
      if (server) return;
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    async off() {
      const current = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
  return proxy;
}

/** Chromium with a fake camera and microphone; the permission prompt is answered only if `extraArgs` say so. */
const launch = (extraArgs: string[]) => launchBrowser(["--use-fake-device-for-media-stream", ...extraArgs]);

async function newContext(
  browser: Browser,
  options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {},
) {
  const context = await browser.newContext({
    baseURL: app.url,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? "light",
    deviceScaleFactor: 1,
  });
  // Keep every capture track the page gets, to check that "camera off" really stops the camera.
  await context.addInitScript(() => {
    const tracks: MediaStreamTrack[] = [];
    (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks = tracks;
    const original = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
    if (!original) return;
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
  });
  return context;
}

/** Calls a tRPC procedure as this browser context (its cookies, the app's origin). */
async function call(context: BrowserContext, path: string, input?: unknown): Promise<unknown> {
  const response = await context.request.post(`${app.url}/api/trpc/${path}`, {
    data: input === undefined ? {} : { json: input },
    headers: { origin: app.url, "content-type": "application/json" },
  });
  const body = (await response.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
  if (!response.ok()) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result?.data?.json;
}

/** Reads a tRPC query as this browser context. */
async function query(context: BrowserContext, path: string, input?: unknown): Promise<unknown> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await context.request.get(`${app.url}/api/trpc/${path}${search}`);
  const body = (await response.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
  if (!response.ok()) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result?.data?.json;
}

async function signIn(context: BrowserContext) {
  await call(context, "auth.signIn", { email: EMAIL, password: PASSWORD });
}

async function save(page: Page, name: string) {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  // Let transitions and the meter settle so the picture shows the steady state.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
}

async function prejoinReady(page: Page) {
  await page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 45_000 });
  await expect.poll(() => page.getByTestId("join-button").isEnabled(), { timeout: 30_000 }).toBe(true);
}

/** Holds the page's JavaScript back until the returned function is called: only the server's HTML is there. */
async function holdPageCode(page: Page): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_next/static/chunks/**/*.js", async (route) => {
    if (route.request().resourceType() === "script") await held;
    await route.continue();
  });
  return release;
}

/** What the page would show as broken, minus what a test provokes on purpose. */
function unexpected(problems: PageProblems, allowed: RegExp[] = []) {
  return problems.list.filter((p) => !allowed.some((re) => re.test(p)));
}

const videoTracksLive = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks
      .filter((t) => t.kind === "video")
      .map((t) => t.readyState),
  );

let app: RunningApp;
let double: LiveKitDouble;
let proxy: Awaited<ReturnType<typeof switchableProxy>>;
let browser: Browser;

beforeAll(async () => {
  double = await startLiveKitDouble({ apiKey: "devkey", apiSecret: "secret" });
  const target = new URL(double.url);
  proxy = await switchableProxy({ host: target.hostname, port: Number(target.port) });
  await proxy.on();
  [app, browser] = await Promise.all([
    startApp({
      LIVEKIT_URL: `http://127.0.0.1:${proxy.port}`,
      LIVEKIT_API_KEY: "devkey",
      LIVEKIT_API_SECRET: "secret",
    }),
    launch(["--use-fake-ui-for-media-stream"]),
  ]);
  // The account and its team.
  const context = await browser.newContext({ baseURL: app.url });
  await call(context, "auth.signUp", { email: EMAIL, password: PASSWORD, name: "Ada Lovelace" });
  await call(context, "team.create", { name: "Acme" });
  await context.close();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await proxy?.off();
  await double?.close();
});

describe("pre-join", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    context = await newContext(browser);
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await context?.close();
  });

  const withServerOutput = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      await page.screenshot({ path: join(WEB_DIR, "test-results", `failure-${name}.png`) }).catch(() => {});
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n\nServer output:\n${app.output().slice(-4000)}`,
        {
          cause: error,
        },
      );
    }
  };

  test("a signed-out visitor is sent to sign in and comes back to the room", () =>
    withServerOutput("redirect", async () => {
      await page.goto(ROOM_PATH);
      await page.waitForURL("**/sign-in?next=*");
      expect(new URL(page.url()).searchParams.get("next")).toBe(ROOM_PATH);
      await page.getByLabel("Email").fill(EMAIL);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${app.url}${ROOM_PATH}`);
      // Nobody has opened this address before: it is offered, not created.
      const notFound = page.getByTestId("room-not-found");
      await notFound.waitFor({ timeout: 45_000 });
      expect(await notFound.textContent()).toContain("No room called “Standup” yet");
      expect(double.callsTo("CreateRoom")).toHaveLength(0);
      await save(page, "room-not-found");
      await page.getByRole("button", { name: "Create it" }).click();
      await prejoinReady(page);
      await expect.poll(() => page.title()).toBe("Standup · Acme · Parlor");
      // The account name fills in the display name.
      expect(await page.getByLabel("Your name").inputValue()).toBe("Ada Lovelace");
      expect(double.callsTo("CreateRoom").length).toBeGreaterThan(0);
    }));

  test("the preview plays and the microphone meter moves", () =>
    withServerOutput("preview", async () => {
      const video = page.getByLabel("Your camera preview");
      await expect
        .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 })
        .toBeGreaterThan(0);
      const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
      await page.waitForTimeout(1000);
      const t1 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
      expect(t1).toBeGreaterThan(t0 + 0.5);
      // Self view is mirrored.
      expect(await video.evaluate((v) => getComputedStyle(v).scale)).toMatch(/^-1\b/);

      const meter = page.getByRole("meter", { name: "Microphone level" });
      const levels = new Set<string>();
      for (let i = 0; i < 30; i++) {
        levels.add((await meter.getAttribute("data-level")) ?? "0");
        await page.waitForTimeout(100);
      }
      const values = [...levels].map(Number);
      expect(Math.max(...values)).toBeGreaterThan(0.1);
      expect(levels.size).toBeGreaterThan(3);
      await save(page, "prejoin-desktop");
    }));

  test("turning the camera off stops the camera", () =>
    withServerOutput("camera-off", async () => {
      expect(await videoTracksLive(page)).toContain("live");
      await page.getByRole("button", { name: "Turn camera off" }).click();
      await expect.poll(() => videoTracksLive(page)).not.toContain("live");
      await page.getByText("Camera is off").waitFor();
      expect(await page.getByRole("button", { name: "Turn camera on" }).getAttribute("aria-pressed")).toBe(
        "false",
      );
    }));

  test("choices apply to this join only, unless 'remember' is ticked", () =>
    withServerOutput("this-join-only", async () => {
      await page.getByLabel("Your name").fill("Just Today");
      await page.getByRole("button", { name: "Turn microphone off" }).click();
      await page.waitForTimeout(800);
      const saved = (await query(context, "preferences.get")) as {
        displayName: string | null;
        microphoneEnabled: boolean;
        cameraEnabled: boolean;
      };
      expect(saved.displayName).not.toBe("Just Today");
      expect(saved.microphoneEnabled).toBe(true);
      expect(saved.cameraEnabled).toBe(true);
      await page.reload();
      await prejoinReady(page);
      expect(await page.getByLabel("Your name").inputValue()).toBe("Ada Lovelace");
      await page.getByRole("button", { name: "Turn microphone off" }).waitFor();
      await page.getByRole("button", { name: "Turn camera off" }).click();
    }));

  test("choices survive a reload and show up in settings", () =>
    withServerOutput("persist", async () => {
      await page.getByLabel("Remember my name, camera and microphone choices").check();
      const name = page.getByLabel("Your name");
      await name.fill("Ada L.");
      await page.getByRole("button", { name: "Turn microphone off" }).click();
      // Pick the second microphone.
      await page.getByTestId("device-select-audioinput").click();
      const options = page.getByRole("option");
      await expect.poll(() => options.count()).toBeGreaterThan(1);
      const chosen = (await options.nth(1).textContent())!.trim();
      chosenMicrophone = chosen;
      await options.nth(1).click();
      await expect.poll(() => page.getByTestId("device-select-audioinput").textContent()).toContain(chosen);
      // Name saves when typing stops; wait for the pre-join to settle on the new name.
      await prejoinReady(page);
      await page.waitForTimeout(800);

      await page.reload();
      await prejoinReady(page);
      expect(await page.getByLabel("Your name").inputValue()).toBe("Ada L.");
      await page.getByRole("button", { name: "Turn camera on" }).waitFor();
      await page.getByRole("button", { name: "Turn microphone on" }).waitFor();
      // Saved devices are resolved after the device list arrives: wait for it, as a person would.
      await expect
        .poll(() => page.getByTestId("device-select-audioinput").textContent(), { timeout: 30_000 })
        .toContain(chosen);
      expect(await videoTracksLive(page)).not.toContain("live");

      await page.goto("/settings");
      const devices = page.getByTestId("device-settings");
      await devices.waitFor();
      await expect
        .poll(() => devices.getByTestId("device-select-audioinput").textContent(), { timeout: 30_000 })
        .toContain(chosen);
      await expect
        .poll(() => devices.getByLabel("Your camera preview").evaluate((v: HTMLVideoElement) => v.videoWidth))
        .toBeGreaterThan(0);
      await expect
        .poll(() => page.getByRole("textbox", { name: /display name/i }).inputValue())
        .toBe("Ada L.");
      expect(await page.getByRole("switch", { name: "Microphone on" }).getAttribute("aria-checked")).toBe(
        "false",
      );
      expect(await page.getByRole("switch", { name: "Camera on" }).getAttribute("aria-checked")).toBe(
        "false",
      );
      await devices.evaluate((el) => el.scrollIntoView({ block: "center" }));
      await save(page, "settings");
      expect(unexpected(problems)).toEqual([]);
    }));
});

test("a denied permission shows what to do, and joining without devices still works", async () => {
  const denied = await launch([]);
  try {
    const context = await newContext(denied);
    await signIn(context);
    const page = await context.newPage();
    const problems = watchProblems(page);
    // Deny camera and microphone for the app, as a person clicking "Block" would.
    const session = await context.newCDPSession(page);
    const { targetInfo } = (await session.send("Target.getTargetInfo")) as {
      targetInfo: { browserContextId: string };
    };
    const browserSession = await denied.newBrowserCDPSession();
    for (const name of ["camera", "microphone"]) {
      await browserSession.send("Browser.setPermission", {
        permission: { name },
        setting: "denied",
        origin: app.url,
        browserContextId: targetInfo.browserContextId,
      });
    }
    await call(context, "preferences.update", { cameraEnabled: true, microphoneEnabled: true });

    await page.goto(ROOM_PATH);
    await page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 45_000 });
    const camera = page.getByTestId("media-problem-videoinput");
    const microphone = page.getByTestId("media-problem-audioinput");
    await camera.waitFor();
    await microphone.waitFor();
    expect(await camera.getAttribute("data-problem")).toBe("permission-denied");
    expect(await camera.textContent()).toMatch(/Camera access is blocked.*address bar/);
    await save(page, "prejoin-permission-denied");

    await camera.getByRole("button", { name: "Join without camera" }).click();
    await microphone.getByRole("button", { name: "Join without microphone" }).click();
    await page.getByText("You'll join with your camera and microphone off.").waitFor();
    await page.getByTestId("join-button").click();

    // The double has no media server: the call cannot connect, and the page says so.
    const failure = page.getByTestId("room-failure");
    await failure.waitFor({ timeout: 30_000 });
    expect(await failure.getAttribute("data-kind")).toBe("unreachable");
    await page.getByRole("heading", { name: "Can't reach the video server" }).waitFor();
    await page.getByRole("link", { name: "Back to team" }).waitFor();
    await save(page, "room-call-unreachable");
    // Retry runs the room's initialization again (ensure, then a fresh token), then tries the call again.
    const initCalls: string[] = [];
    page.on("request", (request) => {
      const match = /\/api\/trpc\/([^?]+)/.exec(request.url());
      if (match) initCalls.push(...match[1]!.split(",").filter((p) => p.startsWith("room.")));
    });
    await page.getByRole("button", { name: "Retry" }).click();
    await expect
      .poll(() => initCalls, { timeout: 30_000 })
      .toEqual(["room.ensure", "room.connectionDetails"]);
    await page.getByRole("heading", { name: "Can't reach the video server" }).waitFor({ timeout: 30_000 });
    // No local track was ever started.
    expect(
      await page.evaluate(
        () => (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks.length,
      ),
    ).toBe(0);
    expect(
      unexpected(problems, [
        /WebSocket connection to/,
        /livekit|signal|websocket|could not establish|rtc/i,
        /Failed to load resource/,
      ]),
    ).toEqual([]);
    await context.close();
  } finally {
    await denied.close();
  }
});

test("with the video service unreachable the preview works, the join panel shows the failure and retries, and Retry joins once it is back", async () => {
  const context = await newContext(browser);
  await signIn(context);
  // A room LiveKit has not been asked for yet (one it has open would not need asking).
  await call(context, "room.create", { teamSlug: "acme", name: "Retro" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const ensureCalls: number[] = [];
  page.on("request", (request) => {
    if (/\/api\/trpc\/[^?]*room\.ensure/.test(request.url())) ensureCalls.push(Date.now());
  });
  await proxy.off();
  try {
    const started = Date.now();
    await page.goto("/t/acme/retro");
    // The preview does not wait for the room: frames advance while set-up fails.
    const video = page.getByLabel("Your camera preview");
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    const firstFrameMs = Date.now() - started;
    const failure = page.getByTestId("setup-failure");
    await failure.waitFor({ timeout: 45_000 });
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.waitForTimeout(700);
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(t0 + 0.3);
    console.log(`first preview frame ${firstFrameMs} ms after navigation, with LiveKit unreachable`);

    expect(await failure.getAttribute("data-code")).toBe("SERVICE_UNAVAILABLE");
    expect(await failure.textContent()).toContain("Can't reach the video service");
    expect(await failure.textContent()).toMatch(/not reachable/);
    // Inside the join panel, beside the preview.
    expect(await page.getByRole("heading", { name: "Ready to join?" }).isVisible()).toBe(true);
    await expect
      .poll(() => page.getByTestId("setup-retry-status").textContent())
      .toMatch(/Retrying in \d+ s/);
    await save(page, "room-failure");

    // The site admin sees why at the top of /admin: LiveKit red, with what to check.
    const admin = await context.newPage();
    await admin.goto("/admin");
    const livekitHealth = admin.getByTestId("health-livekit");
    await expect.poll(() => livekitHealth.getAttribute("data-level"), { timeout: 45_000 }).toBe("down");
    expect(await livekitHealth.textContent()).toMatch(/Not reachable at http.*LIVEKIT_URL/);
    expect(await admin.getByTestId("health-database").getAttribute("data-level")).toBe("ok");
    await admin.getByText("Not confirmed: LiveKit is down").waitFor();
    await save(admin, "admin-livekit-down");
    await admin.close();

    // It retries by itself, visibly, and backs off.
    const before = ensureCalls.length;
    await expect.poll(() => ensureCalls.length, { timeout: 30_000 }).toBeGreaterThan(before);
    await expect
      .poll(() => page.getByTestId("setup-retry-status").textContent(), { timeout: 30_000 })
      .toMatch(/Retrying in [3-4] s/);

    // Still down: Retry now fails again, and says so.
    const manual = ensureCalls.length;
    await page.getByRole("button", { name: "Retry now" }).click();
    await expect.poll(() => ensureCalls.length).toBeGreaterThan(manual);
    await expect.poll(() => failure.getAttribute("data-retrying")).toBe("false");
    expect(await failure.isVisible()).toBe(true);

    await proxy.on();
    await page.getByRole("button", { name: "Retry now" }).click();
    await prejoinReady(page);
    await failure.waitFor({ state: "detached" });
    expect(await video.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
    expect(unexpected(problems, [/HTTP 503/, /status of 503/])).toEqual([]);
  } finally {
    await proxy.on();
    await context.close();
  }
});

test("a mistyped address leaves nothing behind; a malformed one says what is wrong", async () => {
  const context = await newContext(browser);
  await signIn(context);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    const rooms = async () =>
      ((await query(context, "room.list", { teamSlug: "acme" })) as { slug: string }[]).map((r) => r.slug);
    await page.goto("/t/acme/stnadup");
    await page.getByTestId("room-not-found").waitFor();
    await page.getByRole("link", { name: /Back to/ }).waitFor();
    await page.waitForTimeout(500);
    expect(await rooms()).not.toContain("stnadup");

    await page.goto("/t/acme/Hello%20World");
    await page.waitForURL(`${app.url}/t/acme/hello-world`);
    await page.getByTestId("room-not-found").waitFor();

    await page.goto("/t/acme/---");
    const malformed = page.getByTestId("room-address-malformed");
    await malformed.waitFor();
    expect(await malformed.textContent()).not.toMatch(/roomSlug|not valid/);
    await malformed.getByRole("link", { name: /Rooms of Acme/ }).click();
    await page.waitForURL(`${app.url}/t/acme`);
    expect(await rooms()).not.toContain("hello-world");
    expect(unexpected(problems)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("a room address in other letters is replaced by the room's own", async () => {
  const context = await newContext(browser);
  await signIn(context);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    await page.goto("/t/acme/StandUp");
    await page.waitForURL(`${app.url}${ROOM_PATH}`);
    await prejoinReady(page);
    expect(unexpected(problems)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("on a 375 px phone nothing is cut off (and the page ships under 300 kB of JavaScript)", async () => {
  const context = await newContext(browser, { width: 375, height: 812 });
  await signIn(context);
  await call(context, "preferences.update", { cameraEnabled: true, microphoneEnabled: true });
  // When the Join button became usable, on the page's clock: the call's code may load after that
  // (the pre-join warms the call once it is ready and idle), never before.
  await context.addInitScript(() => {
    const observer = new MutationObserver(() => {
      const join = document.querySelector<HTMLButtonElement>('[data-testid="join-button"]');
      if (join && !join.disabled) {
        (window as unknown as { __joinReadyAt: number }).__joinReadyAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const scripts: { url: string; bytes: number; livekit: boolean; effects: boolean }[] = [];
  page.on("response", async (response) => {
    if (response.request().resourceType() !== "script") return;
    const { responseBodySize } = await response.request().sizes();
    const text = await response.text().catch(() => "");
    scripts.push({
      url: response.url(),
      bytes: responseBodySize,
      livekit: text.includes("RTCPeerConnection"),
      // Background effects (MediaPipe) and noise suppression (RNNoise): loaded only when one is on.
      effects:
        text.includes("vision_wasm_internal") ||
        text.includes("RnnoiseWorkletNode") ||
        text.includes("rnnoise"),
    });
  });
  try {
    await page.goto(ROOM_PATH);
    await prejoinReady(page);
    // Scripts whose download started before the Join button was usable (resource timing).
    const startedBeforeReady = new Set(
      await page.evaluate(() => {
        const readyAt = (window as unknown as { __joinReadyAt: number }).__joinReadyAt;
        return performance
          .getEntriesByType("resource")
          .filter((entry) => entry.startTime < readyAt)
          .map((entry) => entry.name);
      }),
    );
    const beforeReady = scripts.filter((s) => startedBeforeReady.has(s.url));
    // Everything loaded to reach a working pre-join, as sent (compressed), by a fresh browser.
    const total = beforeReady.reduce((sum, s) => sum + s.bytes, 0);
    expect(total, beforeReady.map((s) => `${s.bytes} ${s.url}`).join("\n")).toBeLessThan(300_000);
    // The call's code (livekit-client) is not among it: it loads when the person heads for Join,
    // or once the pre-join is ready and idle.
    expect(beforeReady.filter((s) => s.livekit).map((s) => s.url)).toEqual([]);
    expect(scripts.filter((s) => s.effects).map((s) => s.url)).toEqual([]);
    console.log(
      `pre-join JavaScript: ${(total / 1024).toFixed(0)} kB compressed in ${beforeReady.length} files`,
    );
    await expect
      .poll(() => page.getByLabel("Your camera preview").evaluate((v: HTMLVideoElement) => v.videoWidth))
      .toBeGreaterThan(0);
    // A new browser context has new device ids: the microphone chosen earlier comes back by its label.
    if (chosenMicrophone) {
      await expect
        .poll(() => page.getByTestId("device-select-audioinput").textContent())
        .toContain(chosenMicrophone);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const locator of [
      page.getByTestId("camera-preview"),
      page.getByLabel("Your name"),
      page.getByTestId("device-select-videoinput"),
      page.getByTestId("device-select-audioinput"),
      page.getByTestId("join-button"),
      page.getByRole("button", { name: /Turn camera/ }),
    ]) {
      const box = await locator.boundingBox();
      expect(box, "visible").not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    }
    await save(page, "prejoin-phone");

    // Leaving for another page (client-side navigation, no reload) stops the preview tracks.
    expect(
      await page.evaluate(() =>
        (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks.some(
          (t) => t.readyState === "live",
        ),
      ),
    ).toBe(true);
    await page.getByRole("link", { name: "Acme" }).click();
    await page.waitForURL(`${app.url}/t/acme`);
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks.map(
            (t) => t.readyState,
          ),
        ),
      )
      .not.toContain("live");
    expect(unexpected(problems)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("the camera shows before the page's code has loaded, and the page takes that capture over", async () => {
  const context = await newContext(browser);
  await signIn(context);
  // The browser's default devices (a device saved by an earlier test, found by its label once the
  // page lists devices, would be asked for again: unit-tested in early-media.test.ts).
  await call(context, "preferences.update", {
    cameraEnabled: true,
    microphoneEnabled: true,
    videoInputId: null,
    videoInputLabel: null,
    audioInputId: null,
    audioInputLabel: null,
  });
  await call(context, "room.create", { teamSlug: "acme", name: "Early Start" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const releaseCode = await holdPageCode(page);
  const apiCalls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/trpc/")) apiCalls.push(request.url());
  });
  const video = page.getByLabel("Your camera preview");
  const playedSeconds = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
  try {
    await page.goto("/t/acme/early-start", { waitUntil: "commit" });
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 45_000 })
      .toBeGreaterThan(0);
    const t0 = await playedSeconds();
    await page.waitForTimeout(700);
    expect(await playedSeconds()).toBeGreaterThan(t0 + 0.3);
    // Seen, not hidden behind "Camera is off", and nothing of the page's code has run yet.
    expect(await video.evaluate((v) => getComputedStyle(v).visibility)).toBe("visible");
    expect(await page.getByText("Camera is off").isVisible()).toBe(false);
    expect(apiCalls).toEqual([]);
    await save(page, "prejoin-before-code");

    releaseCode();
    await prejoinReady(page);
    await page.getByRole("button", { name: "Turn camera off" }).waitFor();
    // One capture in all (no second request, no second prompt), still live and still shown.
    const tracks = () =>
      page
        .evaluate(() =>
          (window as unknown as { __parlorTracks: MediaStreamTrack[] }).__parlorTracks.map(
            (t) => `${t.kind}:${t.readyState}`,
          ),
        )
        .then((list) => list.sort());
    expect(await tracks()).toEqual(["audio:live", "video:live"]);
    const t1 = await playedSeconds();
    await page.waitForTimeout(500);
    const diag = await video.evaluate((v: HTMLVideoElement) =>
      JSON.stringify({
        paused: v.paused,
        rs: v.readyState,
        ct: v.currentTime,
        tracks: (v.srcObject as MediaStream | null)
          ?.getTracks()
          .map((t) => t.kind + t.readyState + t.enabled),
        conn: v.isConnected,
        early: v.parentElement?.getAttribute("data-early-live"),
        n: document.querySelectorAll("video").length,
      }),
    );
    expect(await playedSeconds(), diag).toBeGreaterThan(t1 + 0.2);
    await expect
      .poll(() => page.getByRole("meter", { name: "Microphone level" }).getAttribute("data-level"))
      .not.toBe("0");
    // The page's state rules from here: camera off stops the very capture the script started.
    await page.getByRole("button", { name: "Turn camera off" }).click();
    await expect.poll(tracks).toEqual(["audio:live", "video:ended"]);
    await page.getByText("Camera is off").waitFor();
    expect(await video.evaluate((v) => getComputedStyle(v).visibility)).toBe("hidden");
    expect(unexpected(problems)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("Join is enabled once the page's code handles it: pressed the moment it enables, it starts the join", async () => {
  const context = await newContext(browser);
  await signIn(context);
  await call(context, "room.ensure", { teamSlug: "acme", roomSlug: "standup" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  // The page's JavaScript held back: the server-rendered pre-join is on screen without it.
  const release = await holdPageCode(page);
  try {
    await page.goto(ROOM_PATH, { waitUntil: "commit" });
    const join = page.getByTestId("join-button");
    await join.waitFor();
    // A press now would post the form and reload the page: a Join that does nothing.
    expect(await join.isDisabled()).toBe(true);
    await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
    release();
    await expect.poll(() => join.isEnabled(), { timeout: 45_000 }).toBe(true);
    await join.click();
    // The press was the page's: it tries the call (the double has no media server) on the same page.
    await page.getByTestId("room-failure").waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(
      unexpected(problems, [
        /WebSocket connection to/,
        /livekit|signal|websocket|could not establish|rtc/i,
        /Failed to load resource/,
      ]),
    ).toEqual([]);
  } finally {
    release();
    await context.close();
  }
});
