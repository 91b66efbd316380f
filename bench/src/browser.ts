/** Debian's Chromium driven by playwright-core, with a fake camera and microphone. */
import { existsSync } from "node:fs";

import { chromium, type Browser } from "playwright-core";

import { CHROMIUM_PATH } from "./paths";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // A synthetic camera and microphone, allowed without a prompt.
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** The session cookie as a Playwright cookie for `baseUrl`. */
export function sessionCookie(cookie: string, baseUrl: string) {
  const [name = "", value = ""] = cookie.split("=");
  return { name, value, url: baseUrl, httpOnly: true, sameSite: "Lax" as const };
}
