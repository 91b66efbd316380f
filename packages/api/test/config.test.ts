import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { ConfigError, loadConfig } from "../src/lib/config";
import { isCrossSiteRequest } from "../src/lib/csrf";
import { safeNextPath } from "../src/accounts/schemas";
import { slugify } from "../src/lib/common-schemas";

describe("configuration", () => {
  it("defaults to livekit-server --dev and the embedded database", () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.livekit).toMatchObject({
      url: "ws://localhost:7880",
      publicUrl: "ws://localhost:7880",
      apiKey: "devkey",
      apiSecret: "secret",
    });
  });

  it("treats empty variables as unset and parses ADMIN_EMAILS", () => {
    const config = loadConfig({
      DATABASE_URL: "",
      ADMIN_EMAILS: " A@x.com,,b@y.org ",
      LIVEKIT_PUBLIC_URL: "wss://lk.example.com",
    });
    expect(config.databaseUrl).toBeUndefined();
    expect([...config.adminEmails]).toEqual(["a@x.com", "b@y.org"]);
    expect(config.livekit.publicUrl).toBe("wss://lk.example.com");
  });

  it("keeps recordings in a folder unless an S3 bucket is configured, and checks the S3 settings", () => {
    expect(loadConfig({}).recording.s3).toBeNull();
    expect(
      loadConfig({
        RECORDINGS_S3_BUCKET: "parlor-recordings",
        RECORDINGS_S3_ENDPOINT: "http://127.0.0.1:9000",
        RECORDINGS_S3_ACCESS_KEY_ID: "key",
        RECORDINGS_S3_SECRET_ACCESS_KEY: "secret",
      }).recording.s3,
    ).toEqual({
      bucket: "parlor-recordings",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      credentials: { accessKeyId: "key", secretAccessKey: "secret" },
      forcePathStyle: true,
    });
    // On AWS itself: no endpoint, virtual-hosted addressing, the SDK's own credentials.
    expect(loadConfig({ RECORDINGS_S3_BUCKET: "parlor-recordings" }).recording.s3).toMatchObject({
      endpoint: undefined,
      credentials: undefined,
      forcePathStyle: false,
    });
    for (const [env, field] of [
      [{ RECORDINGS_S3_ENDPOINT: "http://127.0.0.1:9000" }, "RECORDINGS_S3_BUCKET"],
      [
        { RECORDINGS_S3_BUCKET: "parlor", RECORDINGS_S3_ACCESS_KEY_ID: "key" },
        "RECORDINGS_S3_SECRET_ACCESS_KEY",
      ],
      [{ RECORDINGS_S3_BUCKET: "Not A Bucket" }, "RECORDINGS_S3_BUCKET"],
      [{ RECORDINGS_S3_BUCKET: "parlor", RECORDINGS_S3_ENDPOINT: "ftp://x" }, "RECORDINGS_S3_ENDPOINT"],
    ] as const) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(field);
    }
  });

  it("records with the embedded recorder unless RECORDER=egress, and checks the Egress settings", () => {
    expect(loadConfig({}).recording).toMatchObject({
      mode: "embedded",
      egress: { dir: undefined, audioCodec: "aac" },
    });
    expect(
      loadConfig({ RECORDER: "egress", RECORDINGS_EGRESS_DIR: "/out", RECORDING_EGRESS_AUDIO_CODEC: "opus" })
        .recording,
    ).toMatchObject({ mode: "egress", egress: { dir: "/out", audioCodec: "opus" } });
    for (const [env, field] of [
      [{ RECORDER: "cluster" }, "RECORDER"],
      [{ RECORDER: "egress", RECORDING_EGRESS_AUDIO_CODEC: "mp3" }, "RECORDING_EGRESS_AUDIO_CODEC"],
      [{ RECORDER: "egress", RECORDINGS_EGRESS_DIR: "recordings" }, "RECORDINGS_EGRESS_DIR"],
      // Only meaningful with Egress, and only without a bucket.
      [{ RECORDINGS_EGRESS_DIR: "/out" }, "RECORDINGS_EGRESS_DIR"],
      [
        { RECORDER: "egress", RECORDINGS_EGRESS_DIR: "/out", RECORDINGS_S3_BUCKET: "parlor" },
        "RECORDINGS_EGRESS_DIR",
      ],
    ] as const) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(field);
    }
  });

  it("trusts no proxy unless TRUSTED_PROXIES says how many", () => {
    expect(loadConfig({}).trustedProxies).toBe(0);
    expect(loadConfig({ TRUSTED_PROXIES: "" }).trustedProxies).toBe(0);
    expect(loadConfig({ TRUSTED_PROXIES: "2" }).trustedProxies).toBe(2);
  });

  it.each([
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL"],
    [{ LIVEKIT_URL: "not a url" }, "LIVEKIT_URL"],
    [{ APP_URL: "ftp://example.com" }, "APP_URL"],
    [{ LIVEKIT_TIMEOUT_MS: "soon" }, "LIVEKIT_TIMEOUT_MS"],
    [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [
      { SMTP_URL: "http://mail.example.com", APP_URL: "https://p.example.com", MAIL_FROM: "a@b.co" },
      "SMTP_URL",
    ],
    [{ SMTP_URL: "smtp://mail.example.com", MAIL_FROM: "a@b.co" }, "APP_URL"],
    [{ SMTP_URL: "smtp://mail.example.com", APP_URL: "https://p.example.com" }, "MAIL_FROM"],
    [{ MAIL_FROM: "Parlor <not an address>" }, "MAIL_FROM"],
    [{ TRUSTED_PROXIES: "yes" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "-1" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "1.5" }, "TRUSTED_PROXIES"],
  ])("stops on a malformed variable, naming it: %j", (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it("reads SMTP_URL and MAIL_FROM together; without SMTP_URL, mail is off", () => {
    expect(loadConfig({}).mail).toBeNull();
    const config = loadConfig({
      SMTP_URL: "smtps://parlor:s3cret@mail.example.com:465",
      MAIL_FROM: "Parlor <parlor@example.com>",
      APP_URL: "https://meet.example.com",
    });
    expect(config.mail).toEqual({
      smtpUrl: "smtps://parlor:s3cret@mail.example.com:465",
      from: "Parlor <parlor@example.com>",
    });
  });

  it("never puts a variable's secret value in its error", () => {
    try {
      loadConfig({ SMTP_URL: "smtp://user:hunter3@mail.example.com", MAIL_FROM: "a@b.co" });
    } catch (error) {
      expect(String(error)).toMatch(/APP_URL/);
      expect(String(error)).not.toContain("hunter3");
    }
    try {
      loadConfig({ DATABASE_URL: "mysql://user:hunter2@localhost/db" });
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });
});

describe("CSRF origin check", () => {
  const request = (method: string, headers: Record<string, string>) => ({
    method,
    headers: new Headers({ host: "parlor.test", ...headers }),
    url: "http://parlor.test/api/trpc/auth.signOut",
  });

  it("lets safe methods through", () => {
    expect(isCrossSiteRequest(request("GET", {}), undefined)).toBe(false);
    expect(isCrossSiteRequest(request("HEAD", { origin: "https://evil.example" }), undefined)).toBe(false);
  });

  it("refuses other methods from a foreign origin or with no origin", () => {
    expect(isCrossSiteRequest(request("POST", { origin: "https://evil.example" }), undefined)).toBe(true);
    expect(isCrossSiteRequest(request("POST", {}), undefined)).toBe(true);
    expect(isCrossSiteRequest(request("POST", { origin: "null" }), undefined)).toBe(true);
    expect(
      isCrossSiteRequest(request("DELETE", { origin: "http://parlor.test.evil.example" }), undefined),
    ).toBe(true);
  });

  it("accepts the app's own origin, from APP_URL or the Host header", () => {
    expect(isCrossSiteRequest(request("POST", { origin: "http://parlor.test" }), undefined)).toBe(false);
    expect(
      isCrossSiteRequest(request("POST", { origin: "https://meet.example.com" }), "https://meet.example.com"),
    ).toBe(false);
    expect(
      isCrossSiteRequest(request("POST", { origin: "http://parlor.test" }), "https://meet.example.com"),
    ).toBe(true);
  });
});

describe("next path after sign-in", () => {
  it.each([
    ["/t/acme/standup?x=1", "/t/acme/standup?x=1"],
    [null, "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/path", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok\u0000", "/"],
    // Paths that only become another host once normalised.
    ["/.//evil.example/phish", "/"],
    ["/..//evil.example/phish", "/"],
    ["/%2e%2e//evil.example", "/"],
    ["/%2E%2e/%2e//evil.example", "/"],
    ["/sign-up/..//evil.example", "/"],
    ["/t/../..//evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/./\\evil.example", "/"],
    // Dot segments that stay on the site are resolved, not refused.
    ["/t/acme/../acme/standup", "/t/acme/standup"],
    ["/%2e/settings", "/settings"],
  ])("%j → %j", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });

  it("never leads to another origin, however the path is built (property)", () => {
    const piece = fc.constantFrom(
      "/",
      "//",
      "\\",
      ".",
      "..",
      "%2e",
      "%2E",
      "%2e%2e",
      "%2f",
      "%5c",
      "\t",
      "\n",
      "\r",
      " ",
      "%09",
      "evil.example",
      "sign-up",
      "t",
      "@",
      ":",
      "http:",
      "https:",
      "?",
      "#",
      "&next=",
      "%00",
      "\u3002",
    );
    const candidate = fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(
        fc.oneof(
          candidate,
          candidate.map((c) => `/${c}`),
        ),
        (next) => {
          const path = safeNextPath(next);
          expect(path.startsWith("/")).toBe(true);
          expect(path).not.toMatch(/^\/[/\\]/);
          // Followed from any page of the site, by a browser or by Next's redirect, it stays there.
          const followed = new URL(path, "https://parlor.example/sign-in?next=x");
          expect(followed.origin).toBe("https://parlor.example");
          // And it is already in its normal form: judging it again changes nothing.
          expect(safeNextPath(path)).toBe(path);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe("slugify", () => {
  it.each([
    ["Daily Standup", "daily-standup"],
    ["  Ünïcödé   Café ", "unicode-cafe"],
    ["設計レビュー", "設計レビュー"],
    ["नमस्ते दुनिया", "नमस्ते-दुनिया"],
    ["--- !!! ---", ""],
    ["a".repeat(100), "a".repeat(48)],
  ])("%j → %j", (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });
});
