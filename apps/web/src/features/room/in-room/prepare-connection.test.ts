import { afterEach, describe, expect, it, vi } from "vitest";

import { prepareConnection } from "./prepare-connection";

afterEach(() => vi.unstubAllGlobals());

describe("prepareConnection (warming the way to LiveKit before Join)", () => {
  it("sends one no-cors HEAD to a self-hosted server's root, in its http form, once per server", async () => {
    const fetch = vi.fn((_url: URL, _init?: RequestInit) => Promise.resolve(new Response(null)));
    vi.stubGlobal("fetch", fetch);
    prepareConnection({ serverUrl: "wss://livekit.example.org", participantToken: "t" });
    prepareConnection({ serverUrl: "wss://livekit.example.org", participantToken: "t2" });
    prepareConnection({ serverUrl: "ws://127.0.0.1:7880", participantToken: "t" });
    expect(fetch.mock.calls.map(([url, init]) => [String(url), init])).toEqual([
      ["https://livekit.example.org/", { method: "HEAD", mode: "no-cors", cache: "no-store" }],
      ["http://127.0.0.1:7880/", { method: "HEAD", mode: "no-cors", cache: "no-store" }],
    ]);
  });

  it("a server that cannot be reached is only a missed warm-up", async () => {
    const fetch = vi.fn((_url: URL, _init?: RequestInit) => Promise.reject(new TypeError("Failed to fetch")));
    vi.stubGlobal("fetch", fetch);
    expect(() => prepareConnection({ serverUrl: "ws://127.0.0.1:1", participantToken: "t" })).not.toThrow();
    await Promise.resolve();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
