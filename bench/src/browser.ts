/** Debian's Chromium driven by playwright-core, with a fake camera and microphone. */
import { FAKE_MEDIA_ARGS, launchBrowser } from "@parlor/web/e2e/harness";

export const launchChromium = () => launchBrowser(FAKE_MEDIA_ARGS);

/** The session cookie as a Playwright cookie for `baseUrl`. */
export function sessionCookie(cookie: string, baseUrl: string) {
  const [name = "", value = ""] = cookie.split("=");
  return { name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" as const };
}
