/**
 * JavaScript a page makes the browser download, measured in the browser (not from a build's
 * manifests, so that any Next.js app can be measured alike): a fresh context opens the page and
 * the page's Resource Timing entries give each script's size as it came over the wire
 * (`encodedBodySize`: gzip, as `next start` serves it). "Until load" counts the scripts that had
 * arrived when the load event fired; "until idle" every script fetched once no request has
 * started for `quietMs` after it (what the page prefetches for later included).
 */
import type { Browser, BrowserContext } from "playwright-core";

import { sleep } from "./net";

export interface PageJavaScript {
  untilLoad: { files: number; bytes: number };
  untilIdle: { files: number; bytes: number };
  /** Every script, largest first: its file name, gzip bytes, and whether it came before the load event. */
  scripts: { file: string; bytes: number; beforeLoad: boolean }[];
}

const SCRIPT_BYTES = `(() => {
  const [navigation] = performance.getEntriesByType("navigation");
  const scripts = performance.getEntriesByType("resource").filter((entry) => new URL(entry.name).pathname.endsWith(".js"));
  const sum = (entries) => ({ files: entries.length, bytes: entries.reduce((total, entry) => total + entry.encodedBodySize, 0) });
  const beforeLoad = (entry) => entry.responseEnd <= navigation.loadEventStart;
  return {
    untilLoad: sum(scripts.filter(beforeLoad)),
    untilIdle: sum(scripts),
    scripts: scripts
      .map((entry) => ({ file: new URL(entry.name).pathname.split("/").pop(), bytes: entry.encodedBodySize, beforeLoad: beforeLoad(entry) }))
      .sort((a, b) => b.bytes - a.bytes),
  };
})()`;

export async function pageJavaScript(
  open: (browser: Browser) => Promise<{ context: BrowserContext; url: string }>,
  browser: Browser,
  options: { quietMs?: number } = {},
): Promise<PageJavaScript> {
  const quietMs = options.quietMs ?? 2_000;
  const { context, url } = await open(browser);
  try {
    const page = await context.newPage();
    let lastRequestAt = Date.now();
    page.on("request", () => (lastRequestAt = Date.now()));
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    while (Date.now() - lastRequestAt < quietMs) {
      if (Date.now() > deadline)
        throw new Error(`${url} kept starting requests for 60 s after its load event`);
      await sleep(100);
    }
    // A string, not a function: tsx would wrap the inner helper in a `__name` the page lacks.
    return (await page.evaluate(SCRIPT_BYTES)) as PageJavaScript;
  } finally {
    await context.close();
  }
}
