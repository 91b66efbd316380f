/**
 * Security headers on every page of the production build, and pages that still work under them
 * in Chromium: no Content-Security-Policy violation, and the pre-join still gets the camera and
 * the microphone.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchChromium, sessionCookie } from "../src/browser";
import { createParlorClient } from "../src/parlor-client";
import { seedJoinFixture, type Fixture } from "../src/seed";
import { startStack, type Stack } from "../src/stack";

const VIOLATION_PROBE = `
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
`;

const FIRST_FRAME_PROBE = `
new MutationObserver(() => {
  for (const video of document.querySelectorAll('[data-testid="camera-preview"] video')) {
    if (video.__probe) continue;
    video.__probe = true;
    video.requestVideoFrameCallback(() => { window.__previewFrame = true; });
  }
}).observe(document, { childList: true, subtree: true });
`;

function directives(policy: string) {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );
}

describe("security headers", () => {
  let stack: Stack;
  let fixture: Fixture;
  let browser: Browser;
  let pages: { path: string; as: "owner" | "admin" | null }[];
  let livekitHost: string;

  beforeAll(async () => {
    stack = await startStack();
    fixture = await seedJoinFixture(stack.app.url, stack.livekit, { teams: 1, perTeam: 2, roomsPerTeam: 1 });
    const team = fixture.teams[0]!;
    const invite = await createParlorClient(stack.app.url).mutate<{ token: string }>(
      "team.createInvite",
      { teamSlug: team.slug },
      team.owner,
    );
    livekitHost = new URL(stack.livekit.url).host;
    pages = [
      { path: "/sign-in", as: null },
      { path: "/sign-up", as: null },
      { path: "/", as: "owner" },
      { path: `/t/${team.slug}`, as: "owner" },
      { path: `/t/${team.slug}/${team.rooms[0]}`, as: "owner" },
      { path: "/settings", as: "owner" },
      { path: "/admin", as: "admin" },
      { path: `/invite/${invite.token}`, as: "admin" },
      { path: "/no-such-page", as: "owner" },
    ];
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const cookieOf = (as: "owner" | "admin") =>
    as === "admin" ? fixture.admin.cookie : fixture.teams[0]!.owner.cookie;

  it("sends the policy, with a fresh nonce that every script carries, on every page", async () => {
    const nonces = new Set<string>();
    for (const page of pages) {
      const response = await fetch(`${stack.app.url}${page.path}`, {
        headers: page.as ? { cookie: cookieOf(page.as) } : {},
        redirect: "manual",
      });
      expect(response.status, page.path).toBeLessThan(500);
      const policy = response.headers.get("content-security-policy");
      expect(policy, page.path).toBeTruthy();
      const csp = directives(policy!);
      const nonce = /'nonce-([^']+)'/.exec(policy!)?.[1];
      expect(nonce, page.path).toBeTruthy();
      nonces.add(nonce!);
      // 'wasm-unsafe-eval': WebAssembly for background effects and noise suppression (no JS eval).
      expect(csp.get("script-src")).toEqual([
        "'self'",
        `'nonce-${nonce}'`,
        "'strict-dynamic'",
        "'wasm-unsafe-eval'",
      ]);
      expect(csp.get("connect-src")).toEqual(["'self'", `ws://${livekitHost}`, `http://${livekitHost}`]);
      expect(csp.get("media-src")).toEqual(["'self'", "blob:", "mediastream:"]);
      expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const permissions = new Map(
        response.headers
          .get("permissions-policy")!
          .split(",")
          .map((entry) => entry.trim().split("=") as [string, string]),
      );
      expect(permissions.get("camera")).toBe("(self)");
      expect(permissions.get("microphone")).toBe("(self)");
      expect(permissions.get("display-capture")).toBe("(self)");
      for (const [feature, allowed] of permissions) {
        if (!["camera", "microphone", "display-capture"].includes(feature))
          expect(allowed, feature).toBe("()");
      }
      if (response.status === 200 || response.status === 404) {
        const html = await response.text();
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length, page.path).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, `${page.path}: ${tag}`).toContain(`nonce="${nonce}"`);
      }
    }
    expect(nonces.size).toBe(pages.length);
  });

  it("gives API answers a policy that allows nothing", async () => {
    // API routes skip the proxy (next.config.ts sets these): every kind of API answer carries them.
    for (const path of [
      "/api/health",
      "/api/trpc/auth.me",
      "/api/trpc/no.such.procedure",
      "/api/nothing-here",
    ]) {
      const response = await fetch(`${stack.app.url}${path}`);
      expect(response.headers.get("content-security-policy"), path).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("breaks no page in Chromium: no policy violation, and the pre-join gets camera and microphone", async () => {
    const problems: string[] = [];
    for (const as of ["admin", "owner"] as const) {
      const context = await browser.newContext();
      await context.grantPermissions(["camera", "microphone"], { origin: stack.app.url });
      await context.addCookies([sessionCookie(cookieOf(as), stack.app.url)]);
      await context.addInitScript(VIOLATION_PROBE);
      await context.addInitScript(FIRST_FRAME_PROBE);
      const page = await context.newPage();
      page.on("console", (message) => {
        if (/content security policy|refused to|permissions-policy/i.test(message.text()))
          problems.push(`${page.url()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
      try {
        for (const { path } of pages.filter((p) => p.as === as)) {
          await page.goto(`${stack.app.url}${path}`, { waitUntil: "load" });
          await page.waitForTimeout(1000);
          const violations = await page.evaluate(
            () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
          );
          problems.push(...violations.map((v) => `${path}: ${v}`));
        }
        if (as !== "owner") continue;
        const room = pages.find((p) => p.path.split("/").length === 4)!;
        await page.goto(`${stack.app.url}${room.path}`, { waitUntil: "load" });
        try {
          await page.waitForFunction(
            () => (window as unknown as { __previewFrame?: boolean }).__previewFrame === true,
            null,
            { timeout: 30_000 },
          );
        } catch (error) {
          await page.screenshot({ path: "results/security-headers-prejoin.png" });
          throw error;
        }
        const media = await page.evaluate(async () => {
          const policy = (document as unknown as { featurePolicy?: { allowsFeature(f: string): boolean } })
            .featurePolicy;
          const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
          const audio = stream.getAudioTracks().map((t) => t.readyState);
          stream.getTracks().forEach((t) => t.stop());
          return {
            camera: policy?.allowsFeature("camera"),
            microphone: policy?.allowsFeature("microphone"),
            displayCapture: policy?.allowsFeature("display-capture"),
            geolocation: policy?.allowsFeature("geolocation"),
            audio,
          };
        });
        expect(media).toEqual({
          camera: true,
          microphone: true,
          displayCapture: true,
          geolocation: false,
          audio: ["live"],
        });
        const violations = await page.evaluate(
          () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
        );
        problems.push(...violations.map((v) => `${room.path}: ${v}`));
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });
});
