// One LiveKit version everywhere (server and Egress): what CI builds, what the tests expect and what compose runs.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { EGRESS_VERSION } from "./egress-server";
import { LIVEKIT_SERVER_VERSION } from "./livekit-server";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(root + path, "utf8");

describe("the pinned livekit-server version", () => {
  it("is the one scripts/livekit-server.sh installs", () => {
    expect(read("scripts/livekit-server.sh")).toMatch(new RegExp(`^version=${LIVEKIT_SERVER_VERSION}$`, "m"));
  });

  it("is the image docker-compose.yml runs", () => {
    const images = [...read("docker-compose.yml").matchAll(/image:\s*livekit\/livekit-server:(\S+)/g)];
    expect(images.length).toBeGreaterThan(0);
    for (const [, tag] of images) expect(tag).toBe(LIVEKIT_SERVER_VERSION);
  });
});

describe("the pinned LiveKit Egress version", () => {
  it("is the one scripts/livekit-egress.sh builds and docker-compose.yml's egress profile runs", () => {
    expect(read("scripts/livekit-egress.sh")).toMatch(new RegExp(`^version=${EGRESS_VERSION}$`, "m"));
    const images = [...read("docker-compose.yml").matchAll(/image:\s*livekit\/egress:(\S+)/g)];
    expect(images.length).toBe(1);
    expect(images[0]![1]).toBe(EGRESS_VERSION);
  });
});
