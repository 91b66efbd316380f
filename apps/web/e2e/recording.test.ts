/**
 * Recording a meeting through the UI, on the pinned livekit-server and the production build: two
 * Chromium people in a call (a red and a blue fake camera, fake microphones), the owner starts
 * recording from the call's control, both see the REC indicator, Ada shares her screen (Chromium's
 * fake screen: green) in the middle, the owner stops it after about twenty seconds. The file is
 * checked as the recorder wrote it (ffprobe: H.264 and AAC of the meeting's length; volumedetect:
 * sound; a frame with a camera in the large spot, one with the screen there and both cameras in
 * the strip), and it is on the room's timeline beside the meeting's chat, where it plays and seeks.
 *
 * Pictures go to test-results/; with UPDATE_SCREENSHOTS=1 to docs/screenshots (the README's).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import { frameAt, loudness, near, probeStreams } from "@parlor/api/testing/media-file";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  type CallPerson,
  docsScreenshot,
  fakeMediaArgs,
  inCall,
  newCallPerson,
  type RunningApp,
  runStep,
  startAppOnLiveKit,
  trpcCall,
} from "./harness";

const binary = liveKitServerForSuite("The recording browser suite (apps/web/e2e/recording.test.ts)");

const PASSWORD = "correct horse battery staple";
const CALL_TIMEOUT = 60_000;

let livekit: LiveKitServer;
let app: RunningApp;
let recordingsDir: string;
let ada: CallPerson;
let bea: CallPerson;
const people = () => [ada, bea].filter(Boolean);

/** A picture for the docs (see docsScreenshot), once toasts and panels have finished moving in. */
async function picture(page: Page, name: string) {
  // The REC dot's pulse never ends: not waited for.
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity),
  );
  await docsScreenshot(page, name);
}

const step = (name: string, body: () => Promise<void>) =>
  runStep({ suite: "recording", name, people: people(), app, livekit }, body);

const run = promisify(execFile);
const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
/** The recording is 640×360: a 640×270 large spot above a strip of tiles (packages/api/src/recordings/compositor.ts). */
const LARGE_SPOT = { x: 320, y: 135 };
const STRIP_Y = 315;

/** A fake camera: a file of one colour that Chromium plays in a loop. */
async function colourCamera(dir: string, colour: string): Promise<string> {
  const file = join(dir, `${colour}.y4m`);
  await run("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `color=c=${colour}:s=640x360:r=10`,
    "-t",
    "2",
    "-pix_fmt",
    "yuv420p",
    file,
  ]);
  return file;
}

/** Chromium's fake screen: shades of green. */
const greenish = ([r, g, b]: number[]) => g! > r! + 60 && g! > b! + 60;

async function joinCall(person: CallPerson, room: string) {
  await person.page.goto(`/t/acme/${room}`);
  const ready = person.page.getByRole("heading", { name: "Ready to join?" });
  const create = person.page.getByTestId("create-room-here");
  await ready.or(create).waitFor({ timeout: 30_000 });
  if (await create.isVisible()) await create.click();
  await ready.waitFor({ timeout: 30_000 });
  await expect.poll(() => person.page.getByTestId("join-button").isEnabled(), { timeout: 20_000 }).toBe(true);
  await person.page.getByTestId("join-button").click();
  await inCall(person.page).waitFor({ timeout: CALL_TIMEOUT });
}

/** The player's state, as the page's <video> reports it. */
const player = (page: Page) =>
  page.getByTestId("recording-player").evaluate((video: HTMLVideoElement) => ({
    currentTime: video.currentTime,
    duration: video.duration,
    readyState: video.readyState,
    error: video.error?.message ?? null,
    paused: video.paused,
    seeking: video.seeking,
  }));

describe.skipIf(!binary)("recording a meeting from the call", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    recordingsDir = await mkdtemp(join(tmpdir(), "parlor-e2e-recordings-"));
    ({ livekit, app } = await startAppOnLiveKit(binary, {
      RECORDINGS_DIR: recordingsDir,
      RECORDING_RESOLUTION: "640x360",
    }));
    const camera = async (colour: string) => [
      ...fakeMediaArgs(10),
      `--use-file-for-fake-video-capture=${await colourCamera(recordingsDir, colour)}`,
    ];
    ada = await newCallPerson(app.url, "Ada", PASSWORD, { browserArgs: await camera("red") });
    bea = await newCallPerson(app.url, "Bea", PASSWORD, { browserArgs: await camera("blue") });
    await trpcCall(app.url, ada.context, "team.create", { name: "Acme" });
    const invite = (await trpcCall(app.url, ada.context, "team.createInvite", { teamSlug: "acme" })) as {
      token: string;
    };
    await bea.page.goto(`/invite/${invite.token}`);
    await bea.page.getByRole("button", { name: "Join Acme" }).click();
    await bea.page.waitForURL(`${app.url}/t/acme`, { timeout: 20_000 });
  }, 240_000);

  afterAll(async () => {
    for (const person of people()) await person.browser.close().catch(() => undefined);
    await app?.stop();
    await livekit?.stop();
    if (recordingsDir) await rm(recordingsDir, { recursive: true, force: true });
  });

  test("the owner records twenty seconds with a shared screen in the middle; everyone sees REC; the file holds both; it plays and seeks on the room's timeline", () =>
    step("record", async () => {
      await joinCall(ada, "standup");
      // Bea is on a phone.
      await bea.page.setViewportSize({ width: 375, height: 812 });
      await joinCall(bea, "standup");

      await ada.page.getByTestId("control-chat").click();
      await ada.page
        .getByPlaceholder("Message everyone")
        .fill("Recording the demo for Cy, who is away today.");
      await ada.page.getByRole("button", { name: "Send message" }).click();
      await ada.page.getByRole("button", { name: "Close chat" }).click();

      await ada.page.getByTestId("recording-start").click();
      for (const person of [ada, bea]) {
        await person.page.getByTestId("recording-indicator").waitFor({ timeout: CALL_TIMEOUT });
      }
      const recordingSince = Date.now();
      await bea.page.getByText("This meeting is now being recorded").waitFor({ timeout: 15_000 });
      await picture(ada.page, "recording-call");
      await picture(bea.page, "recording-call-phone");

      // About twenty seconds of meeting, Ada's screen shared in the middle (the length of the
      // recording is what is waited for).
      const until = (ms: number) =>
        new Promise((resolve) => setTimeout(resolve, Math.max(0, recordingSince + ms - Date.now())));
      await until(6_000);
      await ada.page.getByRole("button", { name: "Share your screen" }).click();
      await ada.page.getByRole("button", { name: "Stop sharing your screen" }).waitFor({ timeout: 45_000 });
      await bea.page.locator('[data-source="screen_share"] video').first().waitFor({ timeout: 45_000 });
      const sharedFrom = Date.now() - recordingSince;
      await until(sharedFrom + 6_000);
      await ada.page.getByRole("button", { name: "Stop sharing your screen" }).click();
      const sharedUntil = Date.now() - recordingSince;
      await until(Math.max(20_000, sharedUntil + 4_000));
      await ada.page.getByTestId("recording-stop").click();
      await ada.page.getByText("Recording saved").waitFor({ timeout: CALL_TIMEOUT });
      const recordedMs = Date.now() - recordingSince;
      for (const person of [ada, bea]) {
        await person.page.getByTestId("recording-indicator").waitFor({ state: "detached", timeout: 30_000 });
      }

      // The file as the recorder wrote it.
      const [file] = (await readdir(recordingsDir, { recursive: true })).filter((f) => f.endsWith(".mp4"));
      const path = join(recordingsDir, file!);
      const streams = await probeStreams(path);
      for (const [kind, codec] of [
        ["video", "h264"],
        ["audio", "aac"],
      ] as const) {
        const stream = streams.find((s) => s.codec_type === kind);
        expect(stream?.codec_name).toBe(codec);
        // Within 4 s of the recording's length as the owner lived it (start and stop included: on
        // a busy machine the indicator and "Recording saved" reach the page seconds after the
        // recorder acts; 2.2 s under the CPU hog).
        expect(Math.abs(Number(stream!.duration) - recordedMs / 1000)).toBeLessThanOrEqual(4);
      }
      expect((await loudness(path)).maxDb).toBeGreaterThan(-30);
      // Before the share a camera has the large spot; during it the screen has, both cameras in the strip.
      const before = await frameAt(path, 3, 640);
      expect([RED, BLUE].some((rgb) => near(before.pixel(LARGE_SPOT.x, LARGE_SPOT.y), rgb))).toBe(true);
      const during = await frameAt(path, (sharedFrom + sharedUntil) / 2000, 640);
      expect(greenish(during.pixel(LARGE_SPOT.x, LARGE_SPOT.y))).toBe(true);
      const strip = during.row(STRIP_Y);
      expect(strip.some((pixel) => near(pixel, RED))).toBe(true);
      expect(strip.some((pixel) => near(pixel, BLUE))).toBe(true);

      // On the room's timeline: the meeting, its chat and the recording with a player.
      const timeline = await ada.context.newPage();
      try {
        await timeline.goto("/t/acme");
        await timeline
          .getByRole("article", { name: "Standup" })
          .getByRole("button", { name: "History" })
          .click();
        const dialog = timeline.getByRole("dialog");
        await dialog.getByTestId("recording-entry").waitFor({ timeout: 30_000 });
        await dialog.locator("summary", { hasText: "Chat" }).first().click();
        await dialog.getByText("Recording the demo for Cy, who is away today.").waitFor({ timeout: 30_000 });
        const video = dialog.getByTestId("recording-player");
        await expect
          .poll(async () => (await player(timeline)).readyState, { timeout: 30_000 })
          .toBeGreaterThan(0);
        const loaded = await player(timeline);
        expect(loaded.error).toBeNull();
        expect(Math.abs(loaded.duration - recordedMs / 1000)).toBeLessThanOrEqual(2);

        // It plays: time advances.
        await video.evaluate((v: HTMLVideoElement) => {
          v.muted = true;
          return v.play();
        });
        await expect
          .poll(async () => (await player(timeline)).currentTime, { timeout: 30_000 })
          .toBeGreaterThan(1);
        // It seeks (the file is served with ranges), and plays on from there.
        await video.evaluate((v: HTMLVideoElement) => {
          v.currentTime = v.duration - 3;
        });
        await expect
          .poll(
            async () => {
              const now = await player(timeline);
              return !now.seeking && now.currentTime >= loaded.duration - 3;
            },
            { timeout: 30_000 },
          )
          .toBe(true);
        await video.evaluate((v: HTMLVideoElement) => v.pause());
        await picture(timeline, "recording-timeline");
      } finally {
        await timeline.close();
      }
    }));
  test("the team's settings say who may record and how long recordings are kept", () =>
    step("settings", async () => {
      const page = ada.page;
      await page.goto("/t/acme");
      const settings = page.locator("#team-settings");
      await settings.getByRole("switch", { name: /Members may record/ }).click();
      await page.getByText("Members can now record meetings").waitFor({ timeout: 15_000 });
      await settings.getByRole("switch", { name: /Delete old recordings/ }).click();
      await page.getByText("Recordings are now deleted after 90 days").waitFor({ timeout: 15_000 });
      await settings.getByLabel("Delete recordings after (days)").fill("30");
      await settings.getByRole("button", { name: "Save" }).last().click();
      await page.getByText("Recordings are now deleted after 30 days").waitFor({ timeout: 15_000 });
      expect(
        await trpcCall(app.url, ada.context, "recording.policy", { teamSlug: "acme" }, "query"),
      ).toMatchObject({
        membersMay: true,
        retentionDays: 30,
      });
      await settings.getByRole("switch", { name: /Members may record/ }).scrollIntoViewIfNeeded();
      await picture(page, "recording-team-settings");
    }));
});
