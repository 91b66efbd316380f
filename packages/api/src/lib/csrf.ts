/**
 * CSRF defence: a request that can change state (anything but GET, HEAD, OPTIONS) must carry an
 * `Origin` equal to the app's own. Browsers always send `Origin` on such requests, so a missing
 * one means a non-browser client or a stripped header, and is refused too.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface OriginCheckInput {
  method: string;
  headers: Headers;
  /** The request URL as the server received it. */
  url: string;
}

export function expectedOrigin(input: OriginCheckInput, appOrigin: string | undefined): string {
  if (appOrigin) return appOrigin;
  const host = input.headers.get("x-forwarded-host") ?? input.headers.get("host") ?? new URL(input.url).host;
  const proto =
    input.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ??
    new URL(input.url).protocol.replace(":", "");
  return `${proto}://${host}`;
}

export function isCrossSiteRequest(input: OriginCheckInput, appOrigin: string | undefined): boolean {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return false;
  const origin = input.headers.get("origin");
  if (!origin || origin === "null") return true;
  return origin !== expectedOrigin(input, appOrigin);
}
