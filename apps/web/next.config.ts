import { fileURLToPath } from "node:url";

import type { NextConfig } from "next";

import { API_HEADERS } from "./src/lib/security-headers";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const nextConfig: NextConfig = {
  output: "standalone",
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
