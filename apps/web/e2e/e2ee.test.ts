/**
 * End-to-end encrypted rooms in real calls: the pinned livekit-server on loopback, the production
 * build, and three separate Chromium processes with fake cameras. An owner marks a room
 * encrypted on the team page; two people with the same passphrase (one typed, one from the
 * invite link's fragment) see each other's video advancing and chat with each other; a third with
 * a wrong passphrase gets the "can't decrypt" state (and the others see it on their tile), then
 * re-enters the passphrase and rejoins. The server stores no chat for the room, LiveKit reports
 * the tracks as encrypted, the encryption code is not part of the room page's first load, and no
 * request leaves the instance.
 */

import { createDatabase, schema } from "@parlor/db";
import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import { eq } from "drizzle-orm";
import { RoomServiceClient } from "livekit-server-sdk";
import type { BrowserContext, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  type CallPerson,
  docsScreenshot,
  FAKE_MEDIA_ARGS,
  inCall,
  newCallPerson,
  type RunningApp,
  runStep,
  startAppOnLiveKit,
  trpcRequest,
  videoFramesPresented,
} from "./harness";

const binary = liveKitServerForSuite("The encrypted-rooms browser suite (apps/web/e2e/e2ee.test.ts)");

const PASSWORD = "correct horse battery staple";
const CALL_TIMEOUT = 45_000;
const PASSPHRASE = "velvet otter 42 lanterns";
const WORKER_PATH = "/processors/e2ee/livekit-e2ee-worker.mjs";

type Person = CallPerson;

let livekit: LiveKitServer;
let app: RunningApp;
let ada: Person; // owner of the team
let bea: Person;
let cy: Person;
const people = () => [ada, bea, cy].filter(Boolean);
/** Every request and WebSocket any page opened. */
const requests: string[] = [];
/** The scripts a page loaded, with their text, for the first-load check. */
const scripts: { url: string; body: Promise<string> }[] = [];

/** What livekit-client logs when someone leaves or a wrong key meets a frame (provoked on purpose). */
const EXPECTED = [
  /data channel '\w+' closed unexpectedly/,
  /DataChannel error on \w+: User-Initiated Abort/,
  /InvalidKey: Decryption failed/,
  /MissingKey: /,
  /DataCryptor decryption failed/,
];

/** A person whose every request, WebSocket and script is recorded (the no-other-origin and first-load checks). */
const newPerson = (name: string) =>
  newCallPerson(app.url, name, PASSWORD, {
    browserArgs: FAKE_MEDIA_ARGS,
    prepare(context) {
      context.on("request", (request) => requests.push(request.url()));
      context.on("response", (response: Response) => {
        if (response.request().resourceType() === "script")
          scripts.push({ url: response.url(), body: response.text().catch(() => "") });
      });
      context.on("page", (page) => page.on("websocket", (socket) => requests.push(socket.url())));
    },
  });

/** A tRPC call as this person; a failure comes back as `{ error }` (its code and reason) instead of throwing. */
const call = async (context: BrowserContext, path: string, input?: unknown, kind?: "query" | "mutation") => {
  const outcome = await trpcRequest(app.url, context, path, input, kind);
  return outcome.ok ? outcome.data : { error: outcome.error };
};

/** Runs a test body; fails on any page problem beyond the expected ones, with every page's picture. */
const step = (name: string, body: () => Promise<void>) =>
  runStep(
    {
      suite: "e2ee",
      name,
      people: people(),
      allowed: (p) => EXPECTED.some((re) => re.test(p)),
      app,
      livekit,
    },
    body,
  );

const framesPresented = (viewer: Person, of: Person, ms = 1500) =>
  videoFramesPresented(viewer.page, `[data-identity="${of.id}"][data-source="camera"] video`, ms);

async function expectVideoPlaying(viewer: Person, of: Person) {
  await expect
    .poll(() => framesPresented(viewer, of), {
      timeout: CALL_TIMEOUT,
      message: `${viewer.name} sees ${of.name}'s camera playing`,
    })
    .toBeGreaterThan(5);
}

/** Opens the room's pre-join (with `hash` as the link's fragment) and waits until Join could be pressed. */
async function openPrejoin(person: Person, hash = "") {
  await person.page.goto(`/t/acme/vault${hash}`);
  await person.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 30_000 });
  await person.page.getByTestId("prejoin-encryption").waitFor({ timeout: 45_000 });
  await expect
    .poll(() => person.page.getByTestId("join-button").getAttribute("data-ready"), { timeout: 45_000 })
    .toBe("true");
}

async function joinCall(person: Person) {
  await person.page.getByTestId("join-button").click();
  await inCall(person.page).waitFor({ timeout: CALL_TIMEOUT });
}

async function sendChat(person: Person, text: string) {
  if (!(await person.page.getByTestId("chat-panel").isVisible())) {
    await person.page.getByTestId("control-chat").click();
  }
  await person.page.getByPlaceholder("Message everyone").fill(text);
  // Enter sends (a toast may sit over the Send button).
  await person.page.getByPlaceholder("Message everyone").press("Enter");
}

async function openChat(person: Person) {
  if (!(await person.page.getByTestId("chat-panel").isVisible())) {
    await person.page.getByTestId("control-chat").click();
  }
}

describe.skipIf(!binary)("end-to-end encrypted rooms", { timeout: 480_000 }, () => {
  beforeAll(async () => {
    ({ livekit, app } = await startAppOnLiveKit(binary));
    ada = await newPerson("Ada");
    bea = await newPerson("Bea");
    cy = await newPerson("Cy");
    await call(ada.context, "team.create", { name: "Acme" });
    const invite = (await call(ada.context, "team.createInvite", { teamSlug: "acme" })) as { token: string };
    for (const person of [bea, cy]) {
      await person.page.goto(`/invite/${invite.token}`);
      await person.page.getByRole("button", { name: "Join Acme" }).click();
      await person.page.waitForURL(`${app.url}/t/acme`, { timeout: 45_000 });
    }
    await call(ada.context, "room.create", { teamSlug: "acme", name: "Vault" });
  }, 240_000);

  afterAll(async () => {
    for (const person of people()) await person.browser.close().catch(() => undefined);
    await app?.stop();
    await livekit?.stop();
  });

  test("an owner makes a room end-to-end encrypted on the team page; a member cannot", () =>
    step("mark", async () => {
      const refused = (await call(bea.context, "room.setEncrypted", {
        teamSlug: "acme",
        roomSlug: "vault",
        encrypted: true,
      })) as { error?: { code?: string } };
      expect(refused.error?.code).toBe("FORBIDDEN");

      await ada.page.goto("/t/acme");
      const card = ada.page.getByRole("article", { name: "Vault" });
      await card.getByRole("button", { name: "Manage Vault" }).click();
      await ada.page.getByRole("menuitem", { name: "Make end-to-end encrypted" }).click();
      await ada.page.getByRole("button", { name: "Encrypt room" }).click();
      await card.getByTestId("room-encrypted").waitFor({ timeout: 45_000 });
      await ada.page.getByText("Vault is now end-to-end encrypted").waitFor();
    }));

  test("the pre-join asks for the passphrase; the encryption code is not in the page's first load", () =>
    step("prejoin", async () => {
      scripts.length = 0;
      const before = requests.length;
      await openPrejoin(ada);
      // Join waits for a passphrase.
      expect(await ada.page.getByTestId("join-button").isDisabled()).toBe(true);
      await ada.page.getByText("Enter the room's passphrase to join.").waitFor();
      // Nothing of LiveKit's encryption loaded before Join: neither the worker nor Parlor's module
      // that starts it. (livekit-client itself may be, once the pre-join is idle: the page warms
      // the call before Join, and bench/reliability/bundle-budget.test.ts keeps it out of the
      // first load.)
      expect(requests.slice(before).filter((url) => url.includes(WORKER_PATH))).toEqual([]);
      const loaded = await Promise.all(scripts.map(async (s) => ({ url: s.url, body: await s.body })));
      const firstLoadBytes = loaded.reduce((sum, s) => sum + s.body.length, 0);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((s) => s.body.includes("livekit-e2ee-worker")).map((s) => s.url)).toEqual([]);
      console.info(
        `encrypted room pre-join: ${loaded.length} scripts, ${(firstLoadBytes / 1024).toFixed(0)} KiB (uncompressed) before Join`,
      );

      await ada.page.getByTestId("passphrase-input").fill(PASSPHRASE);
      expect(await ada.page.getByTestId("join-button").isEnabled()).toBe(true);
      await ada.page.getByRole("button", { name: "Copy invite link with passphrase" }).waitFor();
      await docsScreenshot(ada.page, "e2ee-prejoin");
    }));

  test("two people with the same passphrase see each other's video advancing; LiveKit relays encrypted tracks", () =>
    step("call", async () => {
      await joinCall(ada);
      expect(requests.some((url) => url.endsWith(WORKER_PATH))).toBe(true);

      // Bea comes by the invite link: the passphrase is in its fragment, never sent to the server.
      await openPrejoin(bea, `#passphrase=${encodeURIComponent(PASSPHRASE)}`);
      // Read after hydration, in an effect a busy machine runs a moment after the pre-join shows.
      await bea.page.getByText("Filled in from your invite link.", { exact: false }).waitFor();
      expect(await bea.page.getByTestId("passphrase-input").inputValue()).toBe(PASSPHRASE);
      // Taken out of the address bar once read.
      expect(new URL(bea.page.url()).hash).toBe("");
      await joinCall(bea);

      await expectVideoPlaying(ada, bea);
      await expectVideoPlaying(bea, ada);
      for (const person of [ada, bea]) {
        await expect
          .poll(() => person.page.getByTestId("e2ee-indicator").getAttribute("data-state"), {
            timeout: 45_000,
          })
          .toBe("all-encrypted");
      }

      // LiveKit itself reports every published track as encrypted (GCM).
      const roomName = (
        (await call(ada.context, "room.ensure", { teamSlug: "acme", roomSlug: "vault" })) as {
          roomName: string;
        }
      ).roomName;
      const service = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);
      await expect
        .poll(
          async () =>
            (await service.listParticipants(roomName)).flatMap((p) => p.tracks.map((t) => t.encryption)),
          { timeout: 45_000 },
        )
        .toEqual(expect.arrayContaining([1]));
      const encryptions = (await service.listParticipants(roomName)).flatMap((p) =>
        p.tracks.map((t) => t.encryption),
      );
      expect(encryptions.length).toBeGreaterThanOrEqual(4);
      expect(encryptions.every((e) => e === 1)).toBe(true);

      await ada.page.getByTestId("e2ee-indicator").click();
      const list = ada.page.getByTestId("e2ee-participants");
      await expect.poll(() => list.locator('[data-status="encrypted"]').count()).toBe(2);
      await docsScreenshot(ada.page, "e2ee-call-lock");
      await ada.page.keyboard.press("Escape");
    }));

  test("chat between them is delivered, encrypted, and the server refuses to store any", () =>
    step("chat", async () => {
      await sendChat(ada, "The numbers are in the usual place.");
      await openChat(bea);
      await bea.page.getByTestId("encrypted-chat-notice").waitFor();
      await bea.page.getByText("The numbers are in the usual place.").waitFor({ timeout: 45_000 });
      await sendChat(bea, "Got them, thanks.");
      await ada.page.getByText("Got them, thanks.").waitFor({ timeout: 45_000 });
      await expectVideoPlaying(ada, bea);
      await docsScreenshot(ada.page, "e2ee-call-chat");

      const refused = (await call(ada.context, "chat.send", {
        teamSlug: "acme",
        roomSlug: "vault",
        body: "through the server",
      })) as { error?: { code?: string; reason?: string } };
      expect(refused.error).toMatchObject({ code: "FORBIDDEN", reason: "room-encrypted" });
    }));

  test("a third person with a wrong passphrase gets 'can't decrypt', the others see it on their tile, and re-entering the passphrase fixes it", () =>
    step("wrong-passphrase", async () => {
      await openPrejoin(cy, `#passphrase=${encodeURIComponent("wrong guess")}`);
      await joinCall(cy);

      const banner = cy.page.getByTestId("decrypt-failure-banner");
      await banner.waitFor({ timeout: CALL_TIMEOUT });
      await banner.getByText("Can't decrypt — check the passphrase.").waitFor();
      await expect.poll(() => banner.getAttribute("data-scope"), { timeout: 45_000 }).toBe("everyone");
      // No frame of Ada's reaches Cy's screen.
      expect(await framesPresented(cy, ada)).toBe(0);
      // The others see a clear state on Cy's tile, and still see each other.
      await ada.page
        .locator(`[data-identity="${cy.id}"][data-source="camera"]`)
        .getByTestId("tile-cannot-decrypt")
        .waitFor({ timeout: CALL_TIMEOUT });
      await expect
        .poll(() => ada.page.getByTestId("e2ee-indicator").getAttribute("data-state"))
        .toBe("not-all");
      await expectVideoPlaying(ada, bea);
      await expectVideoPlaying(bea, ada);
      // Cy's messages cannot be read by the others, nor theirs by Cy.
      await sendChat(bea, "Only for those with the passphrase.");
      await ada.page.getByText("Only for those with the passphrase.").waitFor({ timeout: 45_000 });
      await openChat(cy);
      await cy.page.waitForTimeout(1500);
      expect(await cy.page.getByText("Only for those with the passphrase.").count()).toBe(0);
      // It reached Cy's browser encrypted: LiveKit's worker could not decrypt it with Cy's key.
      expect(cy.problems.list.some((p) => /DataCryptor decryption failed/.test(p))).toBe(true);
      await docsScreenshot(cy.page, "e2ee-cannot-decrypt");
      await docsScreenshot(ada.page, "e2ee-tile-cannot-decrypt");

      // The way forward: back to the pre-join, the right passphrase, rejoin.
      await banner.getByRole("button", { name: "Re-enter passphrase" }).click();
      await cy.page.getByTestId("passphrase-input").fill(PASSPHRASE);
      await joinCall(cy);
      await expectVideoPlaying(cy, ada);
      await expectVideoPlaying(ada, cy);
      expect(await cy.page.getByTestId("decrypt-failure-banner").count()).toBe(0);
      await expect
        .poll(() => ada.page.getByTestId("tile-cannot-decrypt").count(), { timeout: 45_000 })
        .toBe(0);
    }));

  test("screenshots: dark theme and a 375 px phone", () =>
    step("screenshots", async () => {
      await bea.page.emulateMedia({ colorScheme: "dark" });
      await bea.page.setViewportSize({ width: 375, height: 740 });
      await bea.page.getByRole("button", { name: "Close chat" }).click();
      await expectVideoPlaying(bea, ada);
      await docsScreenshot(bea.page, "e2ee-call-phone-dark");

      // The pre-join of the same room in a new tab of Cy's: its own session, so nothing remembered.
      const page = await cy.context.newPage();
      await page.emulateMedia({ colorScheme: "dark" });
      await page.goto("/t/acme/vault");
      await page.getByTestId("prejoin-encryption").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("passphrase-input").inputValue()).toBe("");
      await page.getByTestId("passphrase-input").fill(PASSPHRASE);
      await expect
        .poll(() => videoFramesPresented(page, "video", 500), { timeout: 45_000 })
        .toBeGreaterThan(0);
      await page.setViewportSize({ width: 1280, height: 800 });
      await docsScreenshot(page, "e2ee-prejoin-dark");
      await page.setViewportSize({ width: 375, height: 812 });
      await docsScreenshot(page, "e2ee-prejoin-phone-dark");
      await page.emulateMedia({ colorScheme: "light" });
      await docsScreenshot(page, "e2ee-prejoin-phone");
      await page.close();
      await ada.page.setViewportSize({ width: 375, height: 740 });
      await ada.page.getByRole("button", { name: "Close chat" }).click();
      await docsScreenshot(ada.page, "e2ee-call-phone");
      await ada.page.setViewportSize({ width: 1280, height: 800 });
    }));

  test("a browser that cannot encrypt media is told so, and does not join unencrypted", () =>
    step("unsupported", async () => {
      const page = await cy.context.newPage();
      // What a browser without encoded transforms looks like to livekit-client's isE2EESupported().
      await page.addInitScript(() => {
        delete (window as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform;
        delete (RTCRtpSender.prototype as { createEncodedStreams?: unknown }).createEncodedStreams;
      });
      try {
        await page.goto("/t/acme/vault");
        await page.getByTestId("prejoin-encryption").waitFor({ timeout: 30_000 });
        await page.getByTestId("passphrase-input").fill(PASSPHRASE);
        await expect
          .poll(() => page.getByTestId("join-button").getAttribute("data-ready"), { timeout: 45_000 })
          .toBe("true");
        await page.getByTestId("join-button").click();
        await page.getByTestId("e2ee-unsupported").waitFor({ timeout: 45_000 });
        await page.getByText("This browser can't join encrypted calls.").first().waitFor();
        expect(await page.getByTestId("join-button").isDisabled()).toBe(true);
        await page.waitForTimeout(1000);
        expect(await page.getByTestId("conference-room").count()).toBe(0);
      } finally {
        await page.close();
      }
    }));

  test("no request left the instance, and the database holds no chat for the room", async () => {
    const allowed = new Set([
      new URL(app.url).host,
      new URL(livekit.wsUrl).host,
      new URL(livekit.httpUrl).host,
    ]);
    const outside = requests.filter((url) => !/^(data|blob):/.test(url) && !allowed.has(new URL(url).host));
    expect(outside).toEqual([]);
    // The passphrase never went to the server in any URL.
    expect(requests.filter((url) => url.includes("velvet") || url.includes("wrong%20guess"))).toEqual([]);

    for (const person of people()) await person.browser.close();
    const env = app.database.env;
    if ("PGLITE_DATA_DIR" in env) await app.stop({ keepDatabase: true });
    const database = createDatabase(
      "DATABASE_URL" in env ? { url: env.DATABASE_URL, maxConnections: 1 } : { dataDir: env.PGLITE_DATA_DIR },
    );
    try {
      const [vault] = await database.db.select().from(schema.rooms).where(eq(schema.rooms.slug, "vault"));
      expect(vault?.e2ee).toBe(true);
      const stored = await database.db
        .select()
        .from(schema.chatMessages)
        .where(eq(schema.chatMessages.roomId, vault!.id));
      expect(stored).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
