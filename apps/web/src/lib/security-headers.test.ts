import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, liveKitSources, securityEnvFrom, securityHeaders } from "./security-headers";

const directives = (policy: string) =>
  new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );

describe("security headers", () => {
  it("allows LiveKit in its WebSocket and HTTP forms, and nothing else to connect to", () => {
    expect(liveKitSources("wss://lk.example.com")).toEqual([
      "wss://lk.example.com",
      "https://lk.example.com",
    ]);
    expect(liveKitSources("http://127.0.0.1:7880")).toEqual(["ws://127.0.0.1:7880", "http://127.0.0.1:7880"]);
    expect(liveKitSources(undefined)).toEqual(["ws://localhost:7880", "http://localhost:7880"]);
    expect(liveKitSources("not a url")).toEqual([]);
    const policy = directives(
      contentSecurityPolicy({ nonce: "abc", livekitUrl: "wss://lk.example.com/path" }),
    );
    expect(policy.get("connect-src")).toEqual(["'self'", "wss://lk.example.com", "https://lk.example.com"]);
  });

  it("allows a LiveKit Cloud project's region hosts, which the client picks at run time", () => {
    expect(liveKitSources("wss://parlor-abc123.livekit.cloud")).toEqual([
      "wss://parlor-abc123.livekit.cloud",
      "https://parlor-abc123.livekit.cloud",
      "wss://*.livekit.cloud",
      "https://*.livekit.cloud",
    ]);
    const policy = directives(
      contentSecurityPolicy({ nonce: "n", livekitUrl: "https://parlor-abc123.livekit.cloud" }),
    );
    expect(policy.get("connect-src")).toContain("wss://*.livekit.cloud");
    // Not for a self-hosted server whose name only looks alike.
    expect(liveKitSources("wss://livekit.cloud.example.com")).toHaveLength(2);
    expect(liveKitSources("wss://notlivekit.cloud")).toHaveLength(2);
  });

  it("runs only nonce'd scripts, lets video use blobs and media streams, and forbids framing", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "n0nce", livekitUrl: "ws://localhost:7880" }));
    expect(policy.get("script-src")).toEqual([
      "'self'",
      "'nonce-n0nce'",
      "'strict-dynamic'",
      "'wasm-unsafe-eval'",
    ]);
    expect(policy.get("media-src")).toEqual(["'self'", "blob:", "mediastream:"]);
    expect(policy.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
    const dev = directives(
      contentSecurityPolicy({ nonce: "n", livekitUrl: undefined, development: true, https: true }),
    );
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.has("upgrade-insecure-requests")).toBe(true);
  });

  it("lets background effects and noise suppression compile wasm and start workers from this origin only", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "n", livekitUrl: "ws://localhost:7880" }));
    // Compiling WebAssembly, not eval of JavaScript.
    expect(policy.get("script-src")).toContain("'wasm-unsafe-eval'");
    expect(policy.get("script-src")).not.toContain("'unsafe-eval'");
    // The frame ticker worker is a blob:; nothing from another origin.
    expect(policy.get("worker-src")).toEqual(["'self'", "blob:"]);
    // Models, wasm and worklets are fetched from this origin; no CDN is allowed.
    expect(policy.get("connect-src")).toEqual(["'self'", "ws://localhost:7880", "http://localhost:7880"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
  });

  it("gives pages a fresh nonce each time, shared by the request (for Next) and the response", () => {
    const env = securityEnvFrom({ LIVEKIT_URL: "wss://lk.example.com", NODE_ENV: "production" });
    const a = securityHeaders("/t/acme/standup", env);
    const b = securityHeaders("/t/acme/standup", env);
    expect(a.request["x-nonce"]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(a.request["x-nonce"]).not.toBe(b.request["x-nonce"]);
    expect(a.response["content-security-policy"]).toBe(a.request["content-security-policy"]);
    expect(a.response["content-security-policy"]).toContain(`'nonce-${a.request["x-nonce"]}'`);
    expect(a.response).toMatchObject({
      "referrer-policy": "strict-origin-when-cross-origin",
      "x-content-type-options": "nosniff",
    });
  });

  it("grants camera, microphone and screen capture to the app itself only", () => {
    const policy = securityHeaders("/", securityEnvFrom({}))["response"]["permissions-policy"]!;
    const entries = new Map(policy.split(",").map((e) => e.trim().split("=") as [string, string]));
    expect(entries.get("camera")).toBe("(self)");
    expect(entries.get("microphone")).toBe("(self)");
    expect(entries.get("display-capture")).toBe("(self)");
    for (const [feature, allow] of entries) {
      if (!["camera", "microphone", "display-capture"].includes(feature)) expect(allow, feature).toBe("()");
    }
  });

  it("prefers LIVEKIT_PUBLIC_URL, the address browsers use", () => {
    expect(
      securityEnvFrom({ LIVEKIT_URL: "ws://livekit:7880", LIVEKIT_PUBLIC_URL: "wss://meet.example.com" })
        .livekitUrl,
    ).toBe("wss://meet.example.com");
  });

  it("gives API responses a policy that allows nothing", () => {
    const api = securityHeaders("/api/trpc/room.list", securityEnvFrom({}));
    expect(api.request).toEqual({});
    expect(api.response["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
