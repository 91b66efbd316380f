/**
 * A real call: the pinned livekit-server on loopback, the production build (LiveKit's webhooks
 * pointing at it, join tokens that live 30 seconds), and one Chromium process per person with a
 * fake camera, microphone and screen. Everything LiveKit-facing is checked as people see it:
 * video playing and audio arriving both ways, presence on the team and admin pages from real
 * webhooks, chat, mute and camera off, screen share, leaving, the meeting history, moderation,
 * a full room, and a LiveKit server that dies mid-call or is down before joining.
 *
 * Without a livekit-server binary the suite says so and is skipped (counted as skipped); with
 * PARLOR_REQUIRE_LIVEKIT=1 (CI) a missing binary fails it.
 */

import { createDatabase, schema } from "@parlor/db";
import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import { eq } from "drizzle-orm";
import { RoomServiceClient, TrackType } from "livekit-server-sdk";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  audioBytesReceived as audioBytesOf,
  type CallPerson,
  docsScreenshot,
  FAKE_MEDIA_ARGS,
  inCall,
  newCallPerson,
  type RunningApp,
  runStep,
  startApp,
  startAppOnLiveKit,
  trpcCall,
  videoFramesPresented,
} from "./harness";

const binary = liveKitServerForSuite("The real-call browser suite (apps/web/e2e/real-call.test.ts)");

const PASSWORD = "correct horse battery staple";
const TOKEN_TTL_SECONDS = 30;
const CALL_TIMEOUT = 45_000;

type Person = CallPerson;

let livekit: LiveKitServer;
let app: RunningApp;
let appEnv: Record<string, string>;
let roomService: RoomServiceClient;
let ada: Person; // the first account: site admin, and the team's owner
let bea: Person;
let cy: Person;
const people = () => [ada, bea, cy].filter(Boolean);

/** What livekit-client logs when the server ends someone's connection (removed, meeting ended). */
const DISCONNECTED = [
  /data channel '\w+' closed unexpectedly/,
  /DataChannel error on \w+: User-Initiated Abort/,
];

/** The API's refusals a test provokes, as Chromium logs them. */
const refused = (status: string) => new RegExp(`status of ${status} .*/api/trpc/room\\.connectionDetails`);

/**
 * A live presence stream cut by the app's restart, and the refetch of who is here that its
 * reconnection starts while the app is still down (the page then tries again).
 */
const PRESENCE_STREAM_DROPPED =
  /net::ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING) \(http:\/\/127\.0\.0\.1:\d+\/api\/trpc\/room\.(presenceChanges|list)\b/;
/** Next's router prefetching a page a link shows (the team's, from "The meeting has ended") while the app is down. */
const PREFETCH_WHILE_DOWN = /net::ERR_CONNECTION_REFUSED \(http:\/\/127\.0\.0\.1:\d+\/[^ ]*\?_rsc=/;

/** What the browser and livekit-client log when the media server goes away (provoked on purpose). */
const EXPECTED_WHEN_SERVER_DOWN = [
  /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/rtc\/v1\?.*' failed/,
  /Failed to load resource: net::ERR_CONNECTION_REFUSED \(http:\/\/127\.0\.0\.1:\d+\/rtc\/v1\/validate/,
  // The pre-join's warm-up (a HEAD to the server's root) when it runs as or after the server dies.
  /Failed to load resource: net::ERR_CONNECTION_(REFUSED|RESET) \(http:\/\/127\.0\.0\.1:\d+\/\)$/,
  /error reading from signal stream/,
  /Failed to fetch .*ConnectionError: Failed to fetch/,
  /Received leave request while trying to \(re\)connect/,
  ...DISCONNECTED,
];

const newPerson = (name: string, options: { media: boolean }) =>
  newCallPerson(app.url, name, PASSWORD, { browserArgs: options.media ? FAKE_MEDIA_ARGS : [] });

/** A tRPC call as this person (their cookies, the app's origin), where the UI is not what is tested. */
const call = (context: BrowserContext, path: string, input?: unknown, kind?: "query" | "mutation") =>
  trpcCall(app.url, context, path, input, kind);

/**
 * Runs a test body, then checks that no page showed a problem beyond those `allowed` (what the
 * test provokes); on failure, adds every page's picture and the servers' last words.
 */
const step = (name: string, body: () => Promise<void>, allowed: RegExp[] = []) =>
  runStep(
    {
      suite: "real-call",
      name,
      people: people(),
      allowed: (p) => allowed.some((re) => re.test(p)),
      app,
      livekit,
    },
    body,
  );

async function openRoom(person: Person, room: string) {
  await person.page.goto(`/t/acme/${room}`);
  // A new address asks before it creates a room: the first visitor creates it, as a person would.
  const ready = person.page.getByRole("heading", { name: "Ready to join?" });
  const create = person.page.getByTestId("create-room-here");
  await ready.or(create).waitFor({ timeout: 30_000 });
  if (await create.isVisible()) await create.click();
  await ready.waitFor({ timeout: 30_000 });
  await expect.poll(() => person.page.getByTestId("join-button").isEnabled(), { timeout: 45_000 }).toBe(true);
}

interface HeldCaptures {
  __captures: number;
  __releaseCaptures: () => void;
}

/**
 * On the page's next navigation only: counts its captures (`getUserMedia`), and holds each answer
 * until `__releaseCaptures()`, including the one the room page's inline script starts.
 */
async function holdCapturesOnNextPage(page: Page) {
  await page.addInitScript(() => {
    if (sessionStorage.getItem("test-hold-captures") === null) return;
    sessionStorage.removeItem("test-hold-captures");
    const held = window as unknown as HeldCaptures;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    held.__captures = 0;
    held.__releaseCaptures = release;
    const capture = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      held.__captures++;
      const stream = await capture(constraints);
      await released;
      return stream;
    };
  });
  await page.evaluate(() => sessionStorage.setItem("test-hold-captures", "1"));
}

async function joinCall(person: Person, room: string) {
  await openRoom(person, room);
  await person.page.getByTestId("join-button").click();
  await inCall(person.page).waitFor({ timeout: CALL_TIMEOUT });
}

const tile = (viewer: Person, of: Person, source = "camera") =>
  viewer.page.locator(`[data-identity="${of.id}"][data-source="${source}"]`);

/** Video frames the viewer's page presents for `of`'s tile within `ms`. */
const framesPresented = (viewer: Person, of: Person, source = "camera", ms = 1500) =>
  videoFramesPresented(viewer.page, `[data-identity="${of.id}"][data-source="${source}"] video`, ms);

async function expectVideoPlaying(viewer: Person, of: Person, source = "camera") {
  await expect
    .poll(() => framesPresented(viewer, of, source), {
      timeout: CALL_TIMEOUT,
      message: `${viewer.name} sees ${of.name}'s ${source} playing`,
    })
    .toBeGreaterThan(5);
  // And the picture is a real one, not a 0×0 placeholder.
  const size = await tile(viewer, of, source)
    .locator("video")
    .evaluate((v: HTMLVideoElement) => v.videoWidth * v.videoHeight);
  expect(size).toBeGreaterThan(0);
}

/** Audio bytes the page has received over WebRTC so far. */
const audioBytesReceived = (viewer: Person) => audioBytesOf(viewer.page);

async function expectAudioArriving(viewer: Person, of: Person) {
  // The track is attached to an <audio> element (RoomAudioRenderer)…
  await expect
    .poll(
      () =>
        viewer.page.evaluate(
          () =>
            [...document.querySelectorAll("audio")].filter((audio) =>
              ((audio.srcObject as MediaStream | null)?.getAudioTracks() ?? []).some(
                (t) => t.readyState === "live",
              ),
            ).length,
        ),
      { timeout: CALL_TIMEOUT, message: `${viewer.name} has ${of.name}'s audio attached` },
    )
    .toBeGreaterThan(0);
  // …and its bytes keep coming.
  const before = await audioBytesReceived(viewer);
  await expect
    .poll(() => audioBytesReceived(viewer), { timeout: 45_000, message: `${viewer.name} receives audio` })
    .toBeGreaterThan(before + 1000);
}

async function leave(person: Person) {
  await person.page.getByTestId("control-leave").click();
  await person.page.waitForURL(`${app.url}/t/acme`, { timeout: 45_000 });
}

const roomName = async (room: string) =>
  ((await call(ada.context, "room.ensure", { teamSlug: "acme", roomSlug: room })) as { roomName: string })
    .roomName;

// Real calls on 2 shared cores: generous limits; every wait inside is for a condition.
describe.skipIf(!binary)("a real call", { timeout: 360_000 }, () => {
  beforeAll(async () => {
    // LiveKit's webhooks need the app's address before the app starts.
    ({ livekit, app, appEnv } = await startAppOnLiveKit(binary, {
      LIVEKIT_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
    }));
    roomService = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);

    ada = await newPerson("Ada", { media: true });
    bea = await newPerson("Bea", { media: true });
    cy = await newPerson("Cy", { media: true });
    // One team: Ada creates it, the others accept her invite link in their own browsers.
    await call(ada.context, "team.create", { name: "Acme" });
    const invite = (await call(ada.context, "team.createInvite", { teamSlug: "acme" })) as { token: string };
    for (const person of [bea, cy]) {
      await person.page.goto(`/invite/${invite.token}`);
      await person.page.getByRole("button", { name: "Join Acme" }).click();
      await person.page.waitForURL(`${app.url}/t/acme`, { timeout: 45_000 });
    }
  }, 240_000);

  afterAll(async () => {
    for (const person of people()) await person.browser.close().catch(() => undefined);
    await app?.stop();
    await livekit?.stop();
  });

  test("two people join one room: each sees the other's video playing and receives their audio; the team and admin pages show them", () =>
    step("join", async () => {
      // Cy watches the team page; the others' joins reach it as LiveKit's webhooks.
      await cy.page.goto("/t/acme");
      const card = cy.page.getByRole("article", { name: "Standup" });

      // Ada's preview camera and microphone go into the call as they are: no second capture, even
      // when she presses Join while the preview's capture is still starting (held here until then,
      // as a slow camera or a busy machine would).
      await holdCapturesOnNextPage(ada.page);
      await openRoom(ada, "standup");
      const captures = () => ada.page.evaluate(() => (window as unknown as HeldCaptures).__captures);
      const asked = await captures();
      expect(asked, "the pre-join asks for the camera and microphone").toBeGreaterThan(0);
      await ada.page.getByTestId("join-button").click();
      await ada.page.evaluate(() => (window as unknown as HeldCaptures).__releaseCaptures());
      await inCall(ada.page).waitFor({ timeout: CALL_TIMEOUT });
      await joinCall(bea, "standup");
      await expectVideoPlaying(ada, bea);
      await expectVideoPlaying(bea, ada);
      await expectAudioArriving(ada, bea);
      await expectAudioArriving(bea, ada);
      expect(await captures(), "the call asks for no device again").toBe(asked);
      await ada.page.getByText("2 in the call").waitFor();

      await card.getByText(/^(Ada and Bea|Bea and Ada) are here$/).waitFor({ timeout: 45_000 });
      await docsScreenshot(cy.page, "team-live");

      const admin = await ada.context.newPage();
      try {
        await admin.goto("/admin");
        const entry = admin.getByRole("article", { name: "Acme / Standup" });
        await entry.getByText("2 in the room").waitFor({ timeout: 45_000 });
        await entry.getByText("Bea").waitFor();
        await docsScreenshot(admin, "admin");
      } finally {
        await admin.close();
      }
    }));

  test("chat goes both ways", () =>
    step("chat", async () => {
      await ada.page.getByTestId("control-chat").click();
      await ada.page.getByPlaceholder("Message everyone").fill("Morning, Bea! Slides are up.");
      await ada.page.getByRole("button", { name: "Send message" }).click();

      await bea.page.getByRole("button", { name: "Chat, 1 unread" }).waitFor({ timeout: 45_000 });
      await bea.page.getByTestId("control-chat").click();
      await bea.page.getByText("Morning, Bea! Slides are up.").waitFor();
      await bea.page.getByPlaceholder("Message everyone").fill("Thanks, Ada. Looking now.");
      await bea.page.keyboard.press("Enter");
      await ada.page.getByText("Thanks, Ada. Looking now.").waitFor({ timeout: 45_000 });
      await expectVideoPlaying(ada, bea);
      await ada.page.getByRole("button", { name: "Close chat" }).click();
      await bea.page.getByRole("button", { name: "Close chat" }).click();
    }));

  test("microphone mute and camera off show on the other side, and come back", () =>
    step("mute", async () => {
      const beaOnAda = tile(ada, bea);
      await bea.page.getByRole("button", { name: "Turn microphone off" }).click();
      await beaOnAda.getByRole("img", { name: "Microphone off" }).waitFor({ timeout: 45_000 });
      await bea.page.getByRole("button", { name: "Turn camera off" }).click();
      await expect.poll(() => beaOnAda.locator("video").count(), { timeout: 45_000 }).toBe(0);

      await bea.page.getByRole("button", { name: "Turn microphone on" }).click();
      await bea.page.getByRole("button", { name: "Turn camera on" }).click();
      await expect
        .poll(() => beaOnAda.getByRole("img", { name: "Microphone off" }).count(), { timeout: 45_000 })
        .toBe(0);
      await expectVideoPlaying(ada, bea);

      // The same call on a phone.
      await bea.page.setViewportSize({ width: 375, height: 812 });
      try {
        await expectVideoPlaying(bea, ada);
        const overflow = await bea.page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        await docsScreenshot(bea.page, "room-call-phone");
      } finally {
        await bea.page.setViewportSize({ width: 1280, height: 800 });
      }
    }));

  test("a shared screen appears for the other person and takes the large spot", () =>
    step("screen-share", async () => {
      await bea.page.getByRole("button", { name: "Share your screen" }).click();
      await bea.page.getByRole("button", { name: "Stop sharing your screen" }).waitFor({ timeout: 45_000 });
      await expectVideoPlaying(ada, bea, "screen_share");
      const focused = ada.page.locator('[data-layout="focus"] > div').first();
      await focused.locator(`[data-identity="${bea.id}"][data-source="screen_share"]`).waitFor();
      await docsScreenshot(ada.page, "room-screen-share");

      await bea.page.getByRole("button", { name: "Stop sharing your screen" }).click();
      await expect.poll(() => tile(ada, bea, "screen_share").count(), { timeout: 45_000 }).toBe(0);
      await ada.page.locator('[data-layout="grid"]').waitFor();
    }));

  test("leaving shows a toast to the other person and removes the tile", () =>
    step("leave", async () => {
      await leave(bea);
      await ada.page.getByText("Bea left").waitFor({ timeout: 45_000 });
      await expect.poll(() => tile(ada, bea).count(), { timeout: 45_000 }).toBe(0);
      await ada.page.getByText("1 in the call").waitFor();
      await leave(ada);
    }));

  test("a call outlives its token, and survives the LiveKit server dying mid-call", () =>
    step(
      "resilience",
      async () => {
        await joinCall(ada, "retro");
        // Parlor hands out tokens that live LIVEKIT_TOKEN_TTL_SECONDS (30 s here).
        const details = (await call(
          ada.context,
          "room.connectionDetails",
          { teamSlug: "acme", roomSlug: "retro" },
          "query",
        )) as { expiresAt: string };
        const lifetime = new Date(details.expiresAt).getTime() - Date.now();
        expect(lifetime).toBeGreaterThan((TOKEN_TTL_SECONDS - 10) * 1000);
        expect(lifetime).toBeLessThanOrEqual(TOKEN_TTL_SECONDS * 1000);
        await joinCall(bea, "retro");
        const joinedAt = Date.now();
        await expectVideoPlaying(ada, bea);
        await expectVideoPlaying(bea, ada);

        // Past the token's lifetime, the call carries on…
        await expect
          .poll(
            async () => {
              expect(await inCall(ada.page).count()).toBe(1);
              expect(await inCall(bea.page).count()).toBe(1);
              return Date.now() - joinedAt;
            },
            { timeout: (TOKEN_TTL_SECONDS + 20) * 1000, interval: 2000 },
          )
          .toBeGreaterThan((TOKEN_TTL_SECONDS + 2) * 1000);
        await expectVideoPlaying(ada, bea);

        // …and when the server dies, everyone sees the banner; once it is back the call resumes,
        // rejoining with the token LiveKit refreshed (the one Parlor gave has expired by now).
        await livekit.kill();
        try {
          await ada.page.getByTestId("reconnecting-banner").waitFor({ timeout: 45_000 });
          await bea.page.getByTestId("reconnecting-banner").waitFor({ timeout: 45_000 });
          await docsScreenshot(ada.page, "room-reconnecting");
        } finally {
          await livekit.restart();
        }
        for (const person of [ada, bea]) {
          await person.page
            .getByTestId("reconnecting-banner")
            .waitFor({ state: "detached", timeout: 60_000 });
          await inCall(person.page).waitFor();
        }
        await expectVideoPlaying(ada, bea);
        await expectVideoPlaying(bea, ada);
        await leave(ada);
        await leave(bea);
      },
      [
        ...EXPECTED_WHEN_SERVER_DOWN,
        // The room's set-up, when it runs while LiveKit is down, is answered 503 (and says so).
        /HTTP 503 http:\/\/127\.0\.0\.1:\d+\/api\/trpc\/room\.ensure/,
        /status of 503 .*\/api\/trpc\/room\.ensure/,
      ],
    ));

  test("the room's history shows the meeting with both attendees for plausible times", () =>
    step("history", async () => {
      // The meeting ends when LiveKit closes the empty room (Parlor's departure timeout) and says so.
      type Meeting = {
        endedAt: string | null;
        durationSeconds: number;
        attendees: { name: string; secondsPresent: number }[];
      };
      let meetings: Meeting[] = [];
      await expect
        .poll(
          async () => {
            meetings = (await call(
              cy.context,
              "room.history",
              { teamSlug: "acme", roomSlug: "standup", limit: 5 },
              "query",
            )) as Meeting[];
            return meetings[0]?.endedAt ?? null;
          },
          { timeout: 90_000, interval: 2000 },
        )
        .not.toBeNull();
      expect(meetings).toHaveLength(1);
      const [meeting] = meetings;
      expect(meeting!.attendees.map((a) => a.name).sort()).toEqual(["Ada", "Bea"]);
      for (const attendee of meeting!.attendees) {
        expect(attendee.secondsPresent).toBeGreaterThan(3);
        expect(attendee.secondsPresent).toBeLessThan(10 * 60);
      }
      expect(meeting!.durationSeconds).toBeGreaterThanOrEqual(
        Math.max(...meeting!.attendees.map((a) => a.secondsPresent)),
      );

      await cy.page.goto("/t/acme");
      const card = cy.page.getByRole("article", { name: "Standup" });
      await card.getByRole("button", { name: "History" }).click();
      const attendees = cy.page.getByRole("dialog").getByRole("list", { name: "Attendees" });
      await attendees.getByText("Ada").waitFor();
      await attendees.getByText("Bea").waitFor();
      await cy.page.keyboard.press("Escape");
    }));

  test("a team admin mutes someone (LiveKit stops their microphone), removes them (banned), and ends the meeting", () =>
    step(
      "moderation",
      async () => {
        await joinCall(ada, "review");
        await joinCall(bea, "review");
        await joinCall(cy, "review");
        await expectVideoPlaying(ada, bea);
        await expectVideoPlaying(ada, cy);
        const livekitRoom = await roomName("review");

        await ada.page.getByTestId("control-participants").click();
        const list = ada.page.getByTestId("participant-list");
        await list.locator(`[data-identity="${bea.id}"]`).waitFor();
        await ada.page.getByRole("button", { name: "Moderate Bea" }).click();
        await ada.page.getByRole("menuitem", { name: "Mute microphone" }).waitFor();
        await docsScreenshot(ada.page, "room-participants-moderation");

        await ada.page.getByRole("menuitem", { name: "Mute microphone" }).click();
        await ada.page.getByText("Muted Bea").waitFor({ timeout: 45_000 });
        // LiveKit itself has her microphone muted…
        await expect
          .poll(
            async () => {
              const participants = await roomService.listParticipants(livekitRoom);
              const her = participants.find((p) => p.identity === bea.id);
              return her?.tracks.filter((t) => t.type === TrackType.AUDIO).map((t) => t.muted);
            },
            { timeout: 45_000 },
          )
          .toEqual([true]);
        // …she is told who did it, her own controls say so, and so does the list.
        await bea.page.getByText("Ada muted your microphone").waitFor({ timeout: 45_000 });
        await bea.page.getByRole("button", { name: "Turn microphone on" }).waitFor({ timeout: 45_000 });
        await list.locator(`[data-identity="${bea.id}"][data-muted="true"]`).waitFor();

        await ada.page.getByRole("button", { name: "Moderate Bea" }).click();
        await ada.page.getByRole("menuitem", { name: "Remove from room" }).click();
        await ada.page.getByRole("button", { name: "Remove", exact: true }).click();
        const removed = bea.page.getByTestId("room-failure");
        await removed.waitFor({ timeout: 45_000 });
        expect(await removed.getAttribute("data-kind")).toBe("kicked");
        await bea.page.getByRole("heading", { name: "You were removed from the call" }).waitFor();
        // Who removed her, when the server's notice beat its disconnection (they race).
        await bea.page
          .getByText(
            /^(Ada|A moderator) removed you from this call\. You can come back to this room in 5 minutes\.$/,
          )
          .waitFor();
        // Trying again cannot help: the one way on is back to the team.
        expect(await removed.getByRole("button", { name: /retry/i }).count()).toBe(0);
        await removed.getByRole("link", { name: "Back to team" }).waitFor();
        await expect.poll(() => tile(ada, bea).count(), { timeout: 45_000 }).toBe(0);
        // Should she open the room anyway during the ban, she is told for how long, with no Retry.
        await bea.page.goto("/t/acme/review");
        const refusal = bea.page.getByTestId("setup-failure");
        await refusal.waitFor({ timeout: 45_000 });
        expect(await refusal.getAttribute("data-code")).toBe("FORBIDDEN");
        await refusal.getByText("You can't join this room").waitFor();
        await refusal.getByText(/rejoin in 5 minutes/).waitFor();
        expect(await refusal.getByRole("button", { name: "Retry now" }).count()).toBe(0);
        expect(await refusal.textContent()).not.toMatch(/will not help/);
        expect((await roomService.listParticipants(livekitRoom)).map((p) => p.identity)).not.toContain(
          bea.id,
        );

        await ada.page.getByRole("button", { name: "End meeting for everyone" }).click();
        await ada.page.getByRole("button", { name: "End meeting", exact: true }).click();
        for (const [person, heading, text] of [
          [ada, "You ended the meeting", "Everyone was disconnected."],
          [cy, "The meeting has ended", /^(Ada ended the meeting|The meeting was ended) for everyone\./],
        ] as const) {
          const ended = person.page.getByTestId("room-failure");
          await ended.waitFor({ timeout: 45_000 });
          expect(await ended.getAttribute("data-kind")).toBe("ended");
          await person.page.getByRole("heading", { name: heading }).waitFor();
          await ended.getByText(text).waitFor();
          expect(await ended.textContent()).not.toMatch(/admin|deleted/);
          expect(await ended.getByRole("button", { name: /retry|rejoin/i }).count()).toBe(0);
          await ended.getByRole("link", { name: "Back to team" }).waitFor();
        }
        await expect.poll(async () => (await roomService.listRooms([livekitRoom])).length).toBe(0);
      },
      // Opening the room during the ban is refused (on purpose); the server's endings are announced
      // first, so nobody's data channel closes under them (no livekit-client complaint).
      [refused("403")],
    ));

  test("a room at its participant limit refuses the next person with the room-full page", () =>
    step(
      "full",
      async () => {
        // One person at most in "design": set in Parlor's database, then LiveKit's room is deleted
        // so that `room.ensure` creates it again with the new limit.
        const livekitRoom = await roomName("design");
        await setMaxParticipants("design", 1);
        await roomService.deleteRoom(livekitRoom).catch(() => undefined);
        await joinCall(ada, "design");
        expect((await roomService.listRooms([livekitRoom]))[0]?.maxParticipants).toBe(1);

        // Once LiveKit has told Parlor that Ada is in (webhook), Cy is refused before connecting:
        // LiveKit itself would only drop the connection, without saying why.
        await cy.page.goto("/t/acme");
        await cy.page
          .getByRole("article", { name: "Design" })
          .getByText("Ada is here")
          .waitFor({ timeout: 45_000 });
        await cy.page.goto("/t/acme/design");
        // The pre-join says so in its join panel (the preview keeps working) and retries by itself.
        const full = cy.page.getByTestId("setup-failure");
        await full.waitFor({ timeout: CALL_TIMEOUT });
        expect(await full.getAttribute("data-code")).toBe("CONFLICT");
        await full.getByText("This room is full").waitFor();
        await full.getByText(/at its limit of 1 person/).waitFor();
        await docsScreenshot(cy.page, "room-full");
        // A place frees up: Retry gets in.
        await leave(ada);
        await expect
          .poll(
            async () => {
              const retry = cy.page.getByRole("button", { name: "Retry now" });
              if (await retry.isVisible()) await retry.click();
              return full.isVisible();
            },
            { timeout: 30_000, interval: 1000 },
          )
          .toBe(false);
        await expect
          .poll(() => cy.page.getByTestId("join-button").isEnabled(), { timeout: 45_000 })
          .toBe(true);
        await cy.page.getByTestId("join-button").click();
        await inCall(cy.page).waitFor({ timeout: CALL_TIMEOUT });
        await leave(cy);
      },
      // On PGlite the app restarts around the limit's change (setMaxParticipants): open presence
      // streams drop and reconnect meanwhile.
      [refused("409"), PRESENCE_STREAM_DROPPED, PREFETCH_WHILE_DOWN],
    ));

  test("LiveKit down before joining: a clear failure, and Retry works once it is back", () =>
    step(
      "down",
      async () => {
        await openRoom(bea, "standup");
        await livekit.kill();
        // Two surfaces say it, depending on the moment: with a fresh token the browser's own
        // connection fails (the call's failure page); when the token needs renewing first, the room's
        // set-up does (the join panel, which keeps retrying). Either way: what happened, and Retry.
        const inCallFailure = bea.page.getByTestId("room-failure");
        const setupFailure = bea.page.getByTestId("setup-failure");
        const retry = bea.page.getByRole("button", { name: /^Retry( now)?$/ });
        try {
          await bea.page.getByTestId("join-button").click();
          await inCallFailure.or(setupFailure).waitFor({ timeout: CALL_TIMEOUT });
          if (await inCallFailure.isVisible()) {
            expect(await inCallFailure.getAttribute("data-kind")).toBe("unreachable");
            await bea.page.getByRole("heading", { name: "Can't reach the video server" }).waitFor();
          } else {
            expect(await setupFailure.getAttribute("data-code")).toBe("SERVICE_UNAVAILABLE");
            await setupFailure.getByText("Can't reach the video service").waitFor();
          }
          // Still down: Retry fails again, visibly.
          await retry.click();
          await bea.page
            .getByText(/Can't reach the video (server|service)/)
            .first()
            .waitFor({ timeout: CALL_TIMEOUT });
        } finally {
          await livekit.restart();
        }
        // Back: Retry (and Join, where the pre-join shows again) gets into the call.
        await expect
          .poll(
            async () => {
              if (await retry.isVisible()) await retry.click();
              const join = bea.page.getByTestId("join-button");
              if ((await join.isVisible()) && (await join.isEnabled())) await join.click();
              return inCall(bea.page).isVisible();
            },
            { timeout: CALL_TIMEOUT, interval: 1500 },
          )
          .toBe(true);
        await leave(bea);
      },
      [
        ...EXPECTED_WHEN_SERVER_DOWN,
        // The room's set-up, when it runs while LiveKit is down, is answered 503 (and says so).
        /HTTP 503 http:\/\/127\.0\.0\.1:\d+\/api\/trpc\/room\.ensure/,
        /status of 503 .*\/api\/trpc\/room\.ensure/,
      ],
    ));
});

/**
 * Sets a room's participant limit in Parlor's database. PGlite allows one process at a time, so
 * with it the app is stopped around the change (and started again on the same port and data).
 */
async function setMaxParticipants(roomSlug: string, max: number) {
  const env = app.database.env;
  const restart = "PGLITE_DATA_DIR" in env;
  if (restart) await app.stop({ keepDatabase: true });
  const database = createDatabase(
    "DATABASE_URL" in env ? { url: env.DATABASE_URL, maxConnections: 1 } : { dataDir: env.PGLITE_DATA_DIR },
  );
  try {
    const updated = await database.db
      .update(schema.rooms)
      .set({ maxParticipants: max })
      .where(eq(schema.rooms.slug, roomSlug))
      .returning();
    expect(updated).toHaveLength(1);
  } finally {
    await database.close();
  }
  if (restart) app = await startApp(appEnv, { port: app.port, database: app.database });
}
