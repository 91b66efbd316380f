import { isCrossSiteRequest } from "@parlor/api/csrf";
import { NextResponse, type NextRequest } from "next/server";

import { appOriginFromEnv } from "@/lib/app-origin";
import { PATH_HEADER } from "@/lib/request-path";
import { securityEnvFrom, securityHeaders } from "@/lib/security-headers";

const securityEnv = securityEnvFrom();

/**
 * Pages only: the per-request nonce policy and the path header that server components read.
 * API routes never pass through here (running the proxy cost every API request a second trip
 * through Next's middleware machinery): their fixed headers come from next.config.ts, and the
 * tRPC handler refuses cross-site calls itself (`handleTRPCRequest`); the other API routes take
 * GET alone, or are signed (the LiveKit webhook).
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;

  // Server actions and form posts to pages.
  if (
    isCrossSiteRequest(
      { method: request.method, headers: request.headers, url: request.url },
      appOriginFromEnv(),
    )
  ) {
    return NextResponse.json({ error: { message: "Cross-site request refused." } }, { status: 403 });
  }

  const search = new URLSearchParams(request.nextUrl.search);
  search.delete("_rsc");
  const query = search.toString();
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, query ? `${pathname}?${query}` : pathname);
  const security = securityHeaders(pathname, securityEnv);
  for (const [name, value] of Object.entries(security.request)) headers.set(name, value);
  const response = NextResponse.next({ request: { headers } });
  for (const [name, value] of Object.entries(security.response)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
