/**
 * Time to preview: headless Chromium with a fake camera opens a room's page (signed in, cold
 * cache, a new browser context per run) and we take the time from navigation start to the
 * first video frame the pre-join preview presents (`requestVideoFrameCallback`'s timestamp, on
 * the page's own clock whose origin is navigation start).
 */
import type { Browser } from "playwright-core";

import { join } from "node:path";

import { assetSize } from "./bundle";
import { launchChromium, sessionCookie } from "./browser";
import { percentile } from "./load";
import { RESULTS_DIR } from "./paths";

export interface PreviewRun {
  ms: number;
  /** JavaScript the page fetched before the first frame: files, and their gzip size from the build. */
  jsFiles: number;
  jsGzipBytes: number;
  /** The tRPC calls the page made before the first frame, in order. */
  trpcCalls: string[];
}

export interface PreviewResult {
  runs: PreviewRun[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Console errors seen (CSP violations would show here). */
  consoleErrors: string[];
}

const FIRST_FRAME_PROBE = `
(() => {
  const watch = (video) => {
    if (video.__parlorProbe || typeof video.requestVideoFrameCallback !== "function") return;
    video.__parlorProbe = true;
    video.requestVideoFrameCallback((now) => {
      if (window.__parlorFirstFrame === undefined && video.closest('[data-testid="camera-preview"]')) {
        window.__parlorFirstFrame = now;
      } else {
        video.__parlorProbe = false;
        watch(video);
      }
    });
  };
  new MutationObserver(() => document.querySelectorAll("video").forEach(watch))
    .observe(document, { childList: true, subtree: true });
})();
`;

export async function timeToPreview(
  baseUrl: string,
  cookie: string,
  path: string,
  options: { runs?: number; browser?: Browser } = {},
): Promise<PreviewResult> {
  const browser = options.browser ?? (await launchChromium());
  const runs: PreviewRun[] = [];
  const consoleErrors: string[] = [];
  try {
    for (let i = 0; i < (options.runs ?? 5); i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
      await context.addCookies([sessionCookie(cookie, baseUrl)]);
      await context.addInitScript(FIRST_FRAME_PROBE);
      const page = await context.newPage();
      const js = new Set<string>();
      const trpcCalls: string[] = [];
      let framed = false;
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      const network: string[] = [];
      page.on("requestfinished", async (request) => {
        if (request.url().includes("/api/"))
          network.push(
            `done ${request.method()} ${request.url().slice(baseUrl.length, baseUrl.length + 80)} ${(await request.response())?.status()}`,
          );
      });
      page.on("requestfailed", (request) =>
        network.push(
          `failed ${request.url().slice(baseUrl.length, baseUrl.length + 80)} ${request.failure()?.errorText}`,
        ),
      );
      page.on("request", (request) => {
        if (framed) return;
        const url = new URL(request.url());
        if (url.pathname.startsWith("/_next/static/") && url.pathname.endsWith(".js")) js.add(url.pathname);
        if (url.pathname.startsWith("/api/trpc/"))
          trpcCalls.push(`${request.method()} ${url.pathname.slice("/api/trpc/".length)}`);
      });
      await page.goto(`${baseUrl}${path}`, { waitUntil: "commit" });
      let handle;
      try {
        handle = await page.waitForFunction(
          () => (window as unknown as { __parlorFirstFrame?: number }).__parlorFirstFrame,
          null,
          { timeout: 60_000, polling: 50 },
        );
      } catch (error) {
        await page.screenshot({ path: join(RESULTS_DIR, "preview-failure.png") }).catch(() => undefined);
        throw new Error(
          `No preview frame within 60 s (screenshot in bench/results/preview-failure.png): ${(error as Error).message}\n` +
            `requests: ${trpcCalls.join(", ")}\nnetwork: ${network.join("\n")}\nconsole errors: ${consoleErrors.join("\n")}`,
          { cause: error },
        );
      }
      framed = true;
      const ms = (await handle.jsonValue()) as number;
      let jsGzipBytes = 0;
      for (const file of js) {
        try {
          jsGzipBytes += assetSize(file).gzip;
        } catch {
          // Not a build file.
        }
      }
      runs.push({ ms: Math.round(ms), jsFiles: js.size, jsGzipBytes, trpcCalls });
      await context.close();
    }
  } finally {
    if (!options.browser) await browser.close();
  }
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { runs, medianMs: percentile(sorted, 50), minMs: sorted[0]!, maxMs: sorted.at(-1)!, consoleErrors };
}
