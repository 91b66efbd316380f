import { isCrossSiteRequest } from "@parlor/api/csrf";
import { NextResponse, type NextRequest } from "next/server";

import { appOriginFromEnv } from "@/lib/app-origin";
import { PATH_HEADER } from "@/lib/request-path";
import { securityEnvFrom, securityHeaders } from "@/lib/security-headers";

const securityEnv = securityEnvFrom();

/** Routes called server-to-server, without an Origin, and authenticated otherwise (signatures). */
const CSRF_EXEMPT = new Set(["/api/livekit/webhook"]);

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;

  if (
    !CSRF_EXEMPT.has(pathname) &&
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
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
