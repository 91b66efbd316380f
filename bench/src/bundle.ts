/**
 * JavaScript a route ships, from the build's own manifests: the root main files of
 * `.next/build-manifest.json` plus the entry chunks that `page_client-reference-manifest.js`
 * lists for every segment file on the route's path (root and group layouts, loading, error,
 * not-found, the page). Sizes are of the files in `.next/static`, gzipped at zlib's default level.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";

import { NEXT_DIR } from "./paths";

export interface RouteBundle {
  route: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
  /** Every file of the first load ("static/chunks/…"). */
  allFiles: string[];
  /** The largest chunks, for the report. */
  largest: { file: string; gzipBytes: number }[];
}

const SEGMENT_FILES = new Set([
  "layout",
  "template",
  "page",
  "loading",
  "error",
  "not-found",
  "global-error",
]);

interface ClientManifest {
  entryJSFiles: Record<string, string[]>;
}

function readClientManifest(appDir: string): ClientManifest {
  const file = join(NEXT_DIR, "server", "app", appDir, "page_client-reference-manifest.js");
  if (!existsSync(file)) throw new Error(`No client manifest for ${appDir} in the build (${file})`);
  const sandbox: { globalThis: { __RSC_MANIFEST?: Record<string, ClientManifest> } } = { globalThis: {} };
  runInNewContext(readFileSync(file, "utf8"), sandbox);
  const manifests = Object.values(sandbox.globalThis.__RSC_MANIFEST ?? {});
  if (manifests.length !== 1) throw new Error(`Unexpected client manifest shape in ${file}`);
  return manifests[0]!;
}

const sizeCache = new Map<string, { raw: number; gzip: number }>();

/** Raw and gzipped size of one file under .next/ ("static/chunks/x.js" or "/_next/static/…"). */
export function assetSize(file: string): { raw: number; gzip: number } {
  const relative = file.replace(/^\/?_next\//, "").replace(/^\//, "");
  let size = sizeCache.get(relative);
  if (!size) {
    const content = readFileSync(join(NEXT_DIR, relative));
    size = { raw: content.length, gzip: gzipSync(content).length };
    sizeCache.set(relative, size);
  }
  return size;
}

/**
 * `appDir` is the route's folder under src/app (with route groups), e.g. "(app)/t/[team]/[room]".
 */
export function routeBundle(route: string, appDir: string): RouteBundle {
  const buildManifest = JSON.parse(readFileSync(join(NEXT_DIR, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  const manifest = readClientManifest(appDir);
  const parts = appDir.split("/").filter(Boolean);
  const chain = parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
  const leaf = chain.at(-1) ?? "";
  const onPath = new Set(["", ...chain]);
  const files = new Set(buildManifest.rootMainFiles);
  for (const [entry, chunks] of Object.entries(manifest.entryJSFiles)) {
    const match = /\/src\/app(.*)\/([^/]+)$/.exec(entry);
    if (!match) continue;
    const [, dir = "", name = ""] = match;
    // Layouts, loading, error and not-found boundaries of every segment on the path; the page of the leaf only.
    const wanted = name === "page" ? dir === leaf : SEGMENT_FILES.has(name) && onPath.has(dir);
    if (wanted) chunks.forEach((chunk) => files.add(chunk));
  }
  const sizes = [...files].map((file) => ({ file, ...assetSize(file) }));
  return {
    route,
    files: sizes.length,
    rawBytes: sizes.reduce((sum, s) => sum + s.raw, 0),
    gzipBytes: sizes.reduce((sum, s) => sum + s.gzip, 0),
    allFiles: [...files],
    largest: sizes
      .sort((a, b) => b.gzip - a.gzip)
      .slice(0, 5)
      .map((s) => ({ file: s.file, gzipBytes: s.gzip })),
  };
}
