/**
 * The client's address comes from the socket, and from X-Forwarded-For only as far as
 * TRUSTED_PROXIES says proxies of ours wrote it: rotating the header escapes no limit.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { testDriver } from "@parlor/db/testing";
import { describe, expect, it } from "vitest";

import {
  clientAddress,
  PEER_ADDRESS_HEADER,
  peerAddressOf,
  stampPeerAddresses,
} from "../src/lib/client-address";
import { GOOD_PASSWORD, startTestApp, uniqueEmail, type TestClient } from "./harness";

/** Signs up through the raw endpoint, claiming to come from `forwardedFor`. */
async function signUpWith(browser: TestClient, forwardedFor: string) {
  const response = await browser.fetch("http://parlor.test/api/trpc/auth.signUp", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ json: { email: uniqueEmail("spoof"), password: GOOD_PASSWORD, name: "Spoof" } }),
  });
  return { status: response.status, text: await response.text() };
}

describe(`client address on ${testDriver()}`, () => {
  it("ignores X-Forwarded-For by default: rotating it does not escape per-address limits", async () => {
    const app = await startTestApp({ ratePolicies: { signUpIp: { limit: 2, windowSeconds: 3600 } } });
    try {
      const browser = app.client("192.0.2.90");
      expect((await signUpWith(browser, "10.1.1.1")).status).toBe(200);
      expect((await signUpWith(browser, "10.1.1.2")).status).toBe(200);
      const third = await signUpWith(browser, "10.1.1.3");
      expect(third.status).toBe(429);
      expect(third.text).toContain("Too many new accounts");
      // Another socket address is another client.
      expect((await signUpWith(app.client("192.0.2.91"), "10.1.1.3")).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("with TRUSTED_PROXIES=1 takes the address the proxy appended, not what the client claimed", async () => {
    const app = await startTestApp({
      env: { TRUSTED_PROXIES: "1" },
      ratePolicies: { signUpIp: { limit: 2, windowSeconds: 3600 } },
    });
    try {
      const proxy = app.client("10.0.0.2");
      expect((await signUpWith(proxy, "6.6.6.1, 198.51.100.20")).status).toBe(200);
      expect((await signUpWith(proxy, "6.6.6.2, 198.51.100.20")).status).toBe(200);
      expect((await signUpWith(proxy, "6.6.6.3, 198.51.100.20")).status).toBe(429);
      // Someone else behind the same proxy is not held back.
      expect((await signUpWith(proxy, "198.51.100.21")).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("client address", () => {
  it.each([
    ["198.51.100.1", null, 0, "198.51.100.1"],
    ["198.51.100.1", "6.6.6.6", 0, "198.51.100.1"],
    ["10.0.0.2", "6.6.6.6, 198.51.100.1", 1, "198.51.100.1"],
    ["10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", 2, "198.51.100.1"],
    ["10.0.0.2", null, 1, "10.0.0.2"],
    // Fewer hops than proxies (a misconfiguration): the farthest one there is.
    ["10.0.0.2", "198.51.100.1", 3, "198.51.100.1"],
    // Garbage where our proxy's hop should be: the socket's address, not the garbage.
    ["10.0.0.2", "'; drop table users; --", 1, "10.0.0.2"],
    ["10.0.0.2", "::ffff:198.51.100.9", 1, "198.51.100.9"],
  ])("socket %s, X-Forwarded-For %j, %d trusted proxies → %s", (peer, forwarded, proxies, expected) => {
    expect(clientAddress(peer, forwarded, proxies)).toBe(expected);
  });

  it("stamps the socket's address on each request, over whatever the client sent", async () => {
    const headers = new Headers({ [PEER_ADDRESS_HEADER]: "6.6.6.6" });
    // Not stamping (as in this process so far): the header is the client's, and not believed.
    expect(peerAddressOf(headers)).toBeNull();

    stampPeerAddresses();
    const server = createServer((req, res) => res.end(String(req.headers[PEER_ADDRESS_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6" },
      });
      const stamped = await response.text();
      expect(stamped).toMatch(/127\.0\.0\.1$/);
      expect(peerAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: stamped }))).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
