/**
 * Browsers ask for /favicon.ico when a page's icon link has not reached them yet (metadata
 * streams after the first bytes of a dynamic page): point them at the app's icon instead of a 404,
 * which Chromium reports as a console error.
 */
export function GET(): Response {
  return new Response(null, {
    status: 308,
    headers: { location: "/icon.svg", "cache-control": "public, max-age=86400" },
  });
}
