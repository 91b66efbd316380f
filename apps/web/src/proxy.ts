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

  // An address whose percent-encoding is broken (`/g/%E0%A4%A`) names no page, and Next's router
  // answers it with a 500; it is a bad request, and the person gets a page that says so.
  if (!isDecodable(pathname)) {
    const response = new NextResponse(UNREADABLE_ADDRESS_PAGE, {
      status: 400,
      headers: { "content-type": "text/html; charset=utf-8" },
    });
    for (const [name, value] of Object.entries(securityHeaders(pathname, securityEnv).response)) {
      response.headers.set(name, value);
    }
    return response;
  }

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

function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

const UNREADABLE_ADDRESS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>This address cannot be read · Parlor</title></head>
<body>
<main>
<h1>This address cannot be read</h1>
<p>Part of it is garbled, so it leads to no page. Check that you copied the whole link, or ask whoever sent it for a new one.</p>
<p><a href="/">Go to Parlor's home page</a></p>
</main>
</body>
</html>
`;

export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
