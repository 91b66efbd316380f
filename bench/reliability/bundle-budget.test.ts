/**
 * What the room page makes a first visit download, from the build's own manifests (the method
 * of `pnpm bench`): at most 0.65 × LiveKit Meet's room page, the guest's page no heavier, and
 * none of the code that only the call, a toast or an open picker needs. Each such code is
 * recognised by a string its chunk contains, checked to be in the build first, so the test cannot
 * pass by looking for the wrong thing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { routeBundle } from "../src/bundle";
import { MEET, TARGETS } from "../src/client-figures";
import { NEXT_DIR } from "../src/paths";

const ROOM = routeBundle("/t/[team]/[room]", "(app)/t/[team]/[room]");
const GUEST = routeBundle("/g/[token]", "g/[token]");

/** Loaded on demand: the call (on Join intent, or once the pre-join is idle), toasts, menus and pickers. */
const ON_DEMAND = [
  { code: "livekit-client (the call)", marker: "RTCPeerConnection" },
  { code: "MediaPipe (background effects)", marker: "mediapipe" },
  { code: "Sonner (toasts)", marker: "data-sonner-toaster" },
  { code: "Radix's popper (menus, selects)", marker: "--radix-popper-available-height" },
];

/**
 * Not in the chunks that Join loads: zod and the API's schemas (the call shares only zod-free
 * constants), and what only the call's menus and dialogs use (loaded once the call is up).
 */
const NOT_IN_THE_CALL = [
  { code: "zod or the API's schemas", marker: "_zod" },
  { code: "Radix's dialogs (settings, shortcuts, guest links, confirmations)", marker: "DialogContent" },
  { code: "Radix's menus (reactions, more, moderation)", marker: "MenuContent" },
  { code: "Radix's focus trap and layers", marker: "DismissableLayer" },
  { code: "Radix's popper", marker: "--radix-popper-available-height" },
];

const CHUNKS = join(NEXT_DIR, "static", "chunks");

/** Every chunk's text, and the groups of chunks a dynamic import of the call view loads together. */
function callChunkGroups() {
  const everywhere = readdirSync(CHUNKS).filter((file) => file.endsWith(".js"));
  const text = new Map(everywhere.map((file) => [file, readFileSync(join(CHUNKS, file), "latin1")]));
  const view = everywhere.filter((file) => text.get(file)!.includes('"data-testid":"conference-room"'));
  expect(view, "the call view's chunk").toHaveLength(1);
  // As Turbopack's loaders list them.
  const groups = [...text.values()].flatMap((code) =>
    [...code.matchAll(/Promise\.all\(\[((?:"static\/chunks\/[^"]+\.js",?)+)\]/g)].map((m) =>
      m[1]!.split(",").map((entry) => entry.replace(/"|static\/chunks\//g, "")),
    ),
  );
  const callGroups = groups.filter((group) => group.includes(view[0]!));
  expect(callGroups.length).toBeGreaterThan(0);
  return { text, callGroups };
}
const chunkText = (file: string) => readFileSync(join(NEXT_DIR, file.replace(/^\/?_next\//, "")), "latin1");

describe("JavaScript of the room page's first load (build manifests)", () => {
  it(`is at most ${TARGETS.roomPageRatio} × Meet's ${MEET.roomPageGzipBytes} B gzip`, () => {
    console.log(
      `room page: ${ROOM.gzipBytes} B gzip in ${ROOM.files} files (${(ROOM.gzipBytes / MEET.roomPageGzipBytes).toFixed(3)} × Meet's); guest page: ${GUEST.gzipBytes} B`,
    );
    expect(ROOM.gzipBytes).toBeLessThanOrEqual(TARGETS.roomPageGzipBytes);
  });

  it("is no lighter than the guest's room page", () => {
    expect(GUEST.gzipBytes).toBeLessThanOrEqual(ROOM.gzipBytes);
  });

  it.each(NOT_IN_THE_CALL)("loads the call without $code", ({ marker }) => {
    const { text, callGroups } = callChunkGroups();
    expect([...text.values()].some((code) => code.includes(marker))).toBe(true);
    for (const group of callGroups)
      expect(group.filter((file) => text.get(file)?.includes(marker))).toEqual([]);
  });

  it.each(ON_DEMAND)("does not hold $code", ({ marker }) => {
    const everywhere = readdirSync(CHUNKS).filter((file) => file.endsWith(".js"));
    expect(everywhere.some((file) => readFileSync(join(CHUNKS, file), "latin1").includes(marker))).toBe(true);
    for (const route of [ROOM, GUEST]) {
      const firstLoad = route.allFiles.filter((file) => chunkText(file).includes(marker));
      expect(firstLoad, route.route).toEqual([]);
    }
  });
});
