/**
 * The security headers of every response, in one place: the proxy applies them to pages,
 * next.config.ts applies API_HEADERS to the API.
 *
 * Pages get a per-request nonce Content-Security-Policy: scripts run only with the nonce (Next
 * puts it on its own scripts when the request carries the policy), connections go only to this
 * origin and to LiveKit (its WebSocket and its HTTP endpoints), media and images may be blobs
 * and media streams (local camera previews, remote tracks), and no site may frame the app.
 * Background effects and noise suppression compile WebAssembly ('wasm-unsafe-eval': compiling
 * wasm only, not eval of JavaScript) and run a frame-timing worker from a blob: URL; all their
 * files come from this origin.
 * Camera, microphone and screen capture are granted to the app itself and to nothing else.
 * API responses are data, not documents: they get a policy that allows nothing at all.
 */

export const NONCE_HEADER = "x-nonce";

const DEFAULT_LIVEKIT_URL = "ws://localhost:7880";

const LIVEKIT_CLOUD = /(^|\.)livekit\.cloud$/i;

/**
 * LiveKit's origin in both forms browsers use: WebSocket for signalling, HTTP(S) for its API
 * (livekit-client fetches `/rtc/validate` and, for Cloud, `/settings/regions`). A LiveKit Cloud
 * project answers from region hosts too (`<project>.<region>.production.livekit.cloud`), which
 * the client picks at run time, so a Cloud URL allows every livekit.cloud host.
 */
export function liveKitSources(url: string | undefined): string[] {
  try {
    const parsed = new URL(url?.trim() || DEFAULT_LIVEKIT_URL);
    const secure = parsed.protocol === "wss:" || parsed.protocol === "https:";
    if (!["ws:", "wss:", "http:", "https:"].includes(parsed.protocol) || !parsed.host) return [];
    const sources = [
      `${secure ? "wss" : "ws"}://${parsed.host}`,
      `${secure ? "https" : "http"}://${parsed.host}`,
    ];
    if (LIVEKIT_CLOUD.test(parsed.hostname)) sources.push("wss://*.livekit.cloud", "https://*.livekit.cloud");
    return sources;
  } catch {
    return [];
  }
}

export interface PolicyOptions {
  nonce: string;
  /** Where browsers reach LiveKit (LIVEKIT_PUBLIC_URL, else LIVEKIT_URL). */
  livekitUrl: string | undefined;
  /** React's development build needs eval for its debugging aids. */
  development?: boolean;
  /** Served over https: ask browsers to upgrade any http subresource. */
  https?: boolean;
}

export function contentSecurityPolicy({
  nonce,
  livekitUrl,
  development = false,
  https = false,
}: PolicyOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ""}`,
    // @livekit/track-processors ticks frames from a worker it builds from a blob: URL; encrypted
    // rooms run LiveKit's E2EE worker from this origin (public/processors/e2ee).
    "worker-src 'self' blob:",
    // Inline style attributes come from React and the UI components; a nonce here would make
    // browsers ignore 'unsafe-inline'. Styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    ["connect-src 'self'", ...liveKitSources(livekitUrl)].join(" "),
    "media-src 'self' blob: mediastream:",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Camera, microphone and screen sharing for this origin only; a few unrelated powerful features for nobody. */
export const PERMISSIONS_POLICY = [
  "camera=(self)",
  "microphone=(self)",
  "display-capture=(self)",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "midi=()",
].join(", ");

const COMMON = {
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": PERMISSIONS_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
} as const;

/** What every API answer carries; next.config.ts sets them, since API routes skip the proxy. */
export const API_HEADERS = {
  ...COMMON,
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
} as const;

export interface SecurityHeaders {
  /** Headers added to the request Next renders (the policy, so Next nonces its scripts; the nonce). */
  request: Record<string, string>;
  /** Headers added to the response. */
  response: Record<string, string>;
}

export interface SecurityEnv {
  livekitUrl: string | undefined;
  development: boolean;
  https: boolean;
}

export function securityEnvFrom(env: Record<string, string | undefined> = process.env): SecurityEnv {
  return {
    livekitUrl: env.LIVEKIT_PUBLIC_URL?.trim() || env.LIVEKIT_URL?.trim() || undefined,
    development: env.NODE_ENV === "development",
    https: (env.APP_URL ?? "").trim().startsWith("https:"),
  };
}

function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The headers for a request to `pathname`: a fresh nonce policy for pages, a fixed one for the API. */
export function securityHeaders(pathname: string, env: SecurityEnv): SecurityHeaders {
  if (pathname.startsWith("/api/")) return { request: {}, response: API_HEADERS };
  const nonce = newNonce();
  const policy = contentSecurityPolicy({ nonce, ...env });
  return {
    request: { [NONCE_HEADER]: nonce, "content-security-policy": policy },
    response: { ...COMMON, "content-security-policy": policy },
  };
}
