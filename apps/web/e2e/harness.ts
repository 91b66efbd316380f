/**
 * Browser test harness: the built app served by `next start` on a free port with a database of
 * its own (a fresh PGlite folder, or a fresh Postgres database when DATABASE_URL is set), and
 * Debian's Chromium driven by playwright-core. Nothing is skipped: a missing build or browser
 * fails the suite with a message that says what to do.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { startLiveKitServer, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import { killWithSuite } from "@parlor/api/testing/suite-exit";
import { createThrowawayDatabase } from "@parlor/db/testing";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
export const RESULTS_DIR = join(WEB_DIR, "test-results");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A TCP port nothing listens on right now (on loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The app's database: its connection (`DATABASE_URL` or `PGLITE_DATA_DIR`) and how to remove it. */
export interface AppDatabase {
  env: { DATABASE_URL: string } | { PGLITE_DATA_DIR: string };
  drop: () => Promise<void>;
}

/** A database for one run: a fresh Postgres database when DATABASE_URL is set, else a PGlite folder. */
export async function freshDatabase(): Promise<AppDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const database = await createThrowawayDatabase(serverUrl, "parlor_e2e");
    return { env: { DATABASE_URL: database.url }, drop: database.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), "parlor-e2e-"));
  return {
    env: { PGLITE_DATA_DIR: join(dir, "pglite") },
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface RunningApp {
  url: string;
  port: number;
  database: AppDatabase;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  /** Stops the server and drops its database, unless `keepDatabase` (to start it again on it). */
  stop: (options?: { keepDatabase?: boolean }) => Promise<void>;
}

export interface StartAppOptions {
  /** Serve on this port (e.g. one LiveKit's webhooks already point at); a free one otherwise. */
  port?: number;
  /** Use this database (e.g. the one of an app stopped with `keepDatabase`); a fresh one otherwise. */
  database?: AppDatabase;
}

/** Serves the production build; rejects (with the server's output) when it does not come up. */
export async function startApp(
  env: Record<string, string> = {},
  options: StartAppOptions = {},
): Promise<RunningApp> {
  if (!existsSync(join(WEB_DIR, ".next", "BUILD_ID"))) {
    throw new Error(
      "The web app has not been built. Run `pnpm --filter @parlor/web build` before the browser tests.",
    );
  }
  const port = options.port ?? (await freePort());
  const database = options.database ?? (await freshDatabase());
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const nextBin = join(WEB_DIR, "node_modules", "next", "dist", "bin", "next");
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: WEB_DIR,
      env: {
        ...process.env,
        DATABASE_URL: "",
        PGLITE_DATA_DIR: "",
        NODE_ENV: "production",
        PORT: String(port),
        APP_URL: url,
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        // No LiveKit server in these tests: a closed port answers at once.
        LIVEKIT_URL: "ws://127.0.0.1:9",
        LIVEKIT_TIMEOUT_MS: "1000",
        NEXT_TELEMETRY_DISABLED: "1",
        ...database.env,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  // Its own process group (next start's next-server with it), killed with the suite.
  const forget = killWithSuite(child, { group: true });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopped = false;
  const stop = async ({ keepDatabase = false }: { keepDatabase?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    forget();
    if (!keepDatabase) await database.drop();
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`The app exited with code ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      // Sign-up answers 200 to a visitor whatever the instance holds (sign-in sends a fresh one to it).
      const response = await fetch(`${url}/sign-up`, { redirect: "manual" });
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The app did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, port, database, output: () => output, stop };
}

/** A synthetic camera and microphone (`--use-fake-device-for-media-stream`), with or without the permission prompt. */
export const FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

/** The fake camera at `fps` frames a second: several browsers on a small machine keep up at 10. */
export const fakeMediaArgs = (fps: number) =>
  FAKE_MEDIA_ARGS.map((arg) => (arg === "--use-fake-device-for-media-stream" ? `${arg}=fps=${fps}` : arg));

/** WebGL without a GPU: MediaPipe's segmentation and the blur run on SwiftShader. */
export const WEBGL_ARGS = [
  "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader",
  "--ignore-gpu-blocklist",
];

/**
 * The pinned livekit-server on loopback with its webhooks pointing at the app, and the app's
 * production build on it (`binary`: `liveKitServerForSuite`'s answer; without one, the server's own
 * search). `env` adds to the app's environment; `appEnv` is what a restart reuses.
 */
export async function startAppOnLiveKit(binary: string | undefined, env: Record<string, string> = {}) {
  const appPort = await freePort();
  const livekit: LiveKitServer = await startLiveKitServer({
    binary,
    webhookUrls: [`http://127.0.0.1:${appPort}/api/livekit/webhook`],
  });
  const appEnv = {
    LIVEKIT_URL: livekit.wsUrl,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    // The real server beside three Chromiums on a busy 2-core machine took over 3 s once to
    // answer RemoveParticipant; a server that is down is refused at once, whatever this says.
    LIVEKIT_TIMEOUT_MS: "10000",
    ...env,
  };
  const app = await startApp(appEnv, { port: appPort });
  return { livekit, app, appEnv };
}

/** Debian's Chromium (or CHROMIUM_PATH); never a downloaded browser. `extraArgs` add to the flags that work here. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

export interface PageProblems {
  /** Console errors, failed page scripts and server errors seen by the page. */
  list: string[];
}

/** Records what a person would count as broken: console errors, uncaught exceptions, 5xx responses. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { list: [] };
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location().url;
    problems.list.push(`console: ${message.text()}${where ? ` (${where})` : ""}`);
  });
  page.on("pageerror", (error) => problems.list.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 500) problems.list.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return problems;
}

export async function newContext(
  browser: Browser,
  baseURL: string,
  options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? "light",
    deviceScaleFactor: 1,
  });
}

/**
 * Where suites save the pictures of docs/features.md: docs/screenshots when asked to refresh them
 * (UPDATE_SCREENSHOTS=1, as `pnpm screenshots` does), else test-results/screenshots (ignored by
 * git), so that a test run changes no tracked file.
 */
export const SCREENSHOTS_DIR =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(WEB_DIR, "..", "..", "docs", "screenshots")
    : join(RESULTS_DIR, "screenshots");

/** Saves the page as it is on screen as a picture for the docs, <SCREENSHOTS_DIR>/<name>.png. */
export async function docsScreenshot(page: Page, name: string) {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`) });
}

export interface TrpcOutcome {
  ok: boolean;
  status: number;
  data?: unknown;
  error?: { code?: string; reason?: string };
}

/**
 * A tRPC request as the person whose cookies `context` holds, sent as the web client sends it
 * (superjson envelope, the app's own Origin), for setup where the UI is not what is tested.
 */
export async function trpcRequest(
  appUrl: string,
  context: BrowserContext,
  path: string,
  input?: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<TrpcOutcome> {
  const url = new URL(`/api/trpc/${path}`, appUrl);
  const headers = { origin: appUrl, "content-type": "application/json" };
  if (kind === "query" && input !== undefined) url.searchParams.set("input", JSON.stringify({ json: input }));
  const response =
    kind === "query"
      ? await context.request.get(url.toString(), { headers })
      : await context.request.post(url.toString(), { data: { json: input ?? null }, headers });
  const body = (await response.json()) as {
    result?: { data?: { json?: unknown } };
    error?: { json?: { data?: { code?: string; reason?: string } } };
  };
  return response.ok()
    ? { ok: true, status: response.status(), data: body.result?.data?.json }
    : { ok: false, status: response.status(), error: body.error?.json?.data };
}

/** `trpcRequest` that returns the answer's data and throws on any failure. */
export async function trpcCall(
  appUrl: string,
  context: BrowserContext,
  path: string,
  input?: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<unknown> {
  const outcome = await trpcRequest(appUrl, context, path, input, kind);
  if (!outcome.ok) throw new Error(`${path} failed: ${outcome.status} ${JSON.stringify(outcome.error)}`);
  return outcome.data;
}

export interface StepPerson {
  name: string;
  page: Page;
  problems: PageProblems;
}

/** One person of a multi-browser suite: a Chromium of their own and a signed-up account. */
export interface CallPerson extends StepPerson {
  id: string;
  browser: Browser;
  context: BrowserContext;
}

/** The call, once connected. */
export const inCall = (page: Page) => page.locator('[data-testid="conference-room"][data-connected="true"]');

/**
 * A person for a multi-browser suite: their own Chromium (`browserArgs`), a 1280×800 context on the
 * app that records its peer connections (`prepare` may watch it before the first page opens), an
 * account made through the sign-up form, and its id.
 */
export async function newCallPerson(
  appUrl: string,
  name: string,
  password: string,
  options: { browserArgs?: string[]; prepare?: (context: BrowserContext) => void } = {},
): Promise<CallPerson> {
  const browser = await launchBrowser(options.browserArgs);
  const context = await newContext(browser, appUrl);
  options.prepare?.(context);
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpThroughForm(page, name, password);
  const me = (await trpcCall(appUrl, context, "auth.me", undefined, "query")) as { id: string };
  return { name, id: me.id, browser, context, page, problems };
}

/**
 * Runs one step of a suite with several browsers: clears each page's problems, runs the body, and
 * fails on any problem a page showed that `allowed` does not excuse. On failure it saves every
 * page's picture (test-results/<suite>-<step>-<person>.png) and adds the pages' last problems and
 * the servers' last output to the error.
 */
export async function runStep(
  step: {
    suite: string;
    name: string;
    people: StepPerson[];
    allowed?: (problem: string) => boolean;
    app?: RunningApp;
    livekit?: { output(): string };
  },
  body: () => Promise<void>,
) {
  const { people, allowed = () => false } = step;
  for (const person of people) person.problems.list.length = 0;
  try {
    await body();
    for (const person of people) {
      expect(
        person.problems.list.filter((p) => !allowed(p)),
        person.name,
      ).toEqual([]);
    }
  } catch (error) {
    await mkdir(RESULTS_DIR, { recursive: true });
    for (const person of people) {
      await person.page
        .screenshot({ path: join(RESULTS_DIR, `${step.suite}-${step.name}-${person.name}.png`) })
        .catch(() => undefined);
    }
    const problems = people.map((p) => `${p.name}: ${p.problems.list.slice(-10).join("\n  ")}`).join("\n");
    const context =
      `\n\nPage problems:\n${problems}\n\n` +
      `App output:\n${step.app?.output().slice(-3000)}\n\nLiveKit output:\n${step.livekit?.output().slice(-3000)}`;
    // Browser stack lines in the context would be taken for this error's own stack.
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${context.replace(/^(\s*)at /gm, "$1@ ")}`,
      { cause: error },
    );
  }
}

/** Creates an account through Parlor's own sign-up form; resolves on the signed-in home page. */
export async function signUpThroughForm(page: Page, name: string, password: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase()}-${Date.now().toString(36)}@example.com`);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: `Hi, ${name}` }).waitFor({ timeout: 30_000 });
}

/** Saves a full-page screenshot under apps/web/test-results/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(RESULTS_DIR, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Init script (`context.addInitScript`): records the peer connections a page makes, so a test
 * can read what it receives through WebRTC stats (`audioBytesReceived`).
 */
export function recordPeerConnections() {
  const connections: RTCPeerConnection[] = [];
  (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = connections;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      connections.push(this);
    }
  };
}

/** Audio bytes the page has received over its open peer connections (needs `recordPeerConnections`). */
export const audioBytesReceived = (page: Page) =>
  page.evaluate(async () => {
    let bytes = 0;
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    for (const connection of connections) {
      if (connection.connectionState === "closed") continue;
      (await connection.getStats()).forEach(
        (report: { type: string; kind?: string; bytesReceived?: number }) => {
          if (report.type === "inbound-rtp" && report.kind === "audio") bytes += report.bytesReceived ?? 0;
        },
      );
    }
    return bytes;
  });

/** Video frames the page presents in the `<video>` matching `selector` within `ms` (requestVideoFrameCallback). */
export function videoFramesPresented(page: Page, selector: string, ms: number): Promise<number> {
  return page.evaluate(
    ({ selector, ms }) =>
      new Promise<number>((resolve) => {
        const video = document.querySelector<HTMLVideoElement>(selector);
        if (!video) return resolve(0);
        let frames = 0;
        const end = performance.now() + ms;
        const onFrame = () => {
          frames++;
          if (performance.now() < end) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
        setTimeout(() => resolve(frames), ms);
      }),
    { selector, ms },
  );
}
