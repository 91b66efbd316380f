import { hostname, networkInterfaces } from "node:os";
import { fileURLToPath } from "node:url";

import type { NextConfig } from "next";

import { API_HEADERS } from "./src/lib/security-headers";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Where `next dev` may be opened from besides `localhost`: Next 16 refuses its scripts to any other
 * origin, and the page then never hydrates. This machine's loopback and network addresses and its
 * name, plus PARLOR_DEV_ORIGINS (comma-separated hosts, `*.example.test` wildcards) for anything
 * else, such as a tunnel. Only development reads it.
 */
function devOrigins(): string[] {
  // As a URL's hostname spells them: IPv6 in brackets.
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [info.family === "IPv6" ? `[${info.address}]` : info.address] : []));
  const extra = (process.env.PARLOR_DEV_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  const name = hostname();
  return [...new Set(["localhost", "127.0.0.1", name, `${name}.local`, ...addresses, ...extra])];
}

const nextConfig: NextConfig = {
  output: "standalone",
  allowedDevOrigins: devOrigins(),
  // Trace (and let Turbopack resolve) the workspace packages from the repository root.
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  // The workspace packages ship TypeScript sources.
  transpilePackages: ["@parlor/api", "@parlor/db", "@parlor/ui"],
  // Native modules, WASM and worker threads: loaded by Node at run time, not bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@node-rs/argon2",
    "pino",
    "livekit-server-sdk",
    "@livekit/rtc-node",
  ],
  // The SQL migrations are read from disk at start; ship them with the standalone server.
  outputFileTracingIncludes: { "/*": ["../../packages/db/migrations/**/*"] },
  // The build checks the app's types; `pnpm typecheck` also checks the tests.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  poweredByHeader: false,
  // The API's fixed security headers, without the proxy (src/proxy.ts runs for pages only).
  async headers() {
    return [
      {
        source: "/api/:path*",
        headers: Object.entries(API_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ];
  },
  reactStrictMode: true,
};

export default nextConfig;
