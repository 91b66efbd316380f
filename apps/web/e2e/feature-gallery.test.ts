/**
 * The pictures of what happens in a call (docs/features.md), each one a checked state: the pinned
 * livekit-server on loopback, the production build, and three Chromium processes with a fake
 * camera and microphone (WebGL through SwiftShader, as on a machine without a GPU). Ada (the
 * team's owner) and Bea sit at 1280×800 screens; Cy has a 375×812 touch phone in the call and,
 * in the same browser, a 1280×800 window for the pre-join and the team page. Every picture is
 * taken in the light theme, in the dark one (the page's `prefers-color-scheme`, as a browser
 * context's `colorScheme` sets it) and on the phone, as `<feature>-light.png`, `-dark.png` and
 * `-phone.png` (in docs/screenshots with UPDATE_SCREENSHOTS=1, see SCREENSHOTS_DIR), after
 * asserting what it shows.
 *
 * It also proves, on the real server, that a device too slow for a background effect loses it
 * within seconds, with the notice, the choice back at None, and the others still receiving video.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  type CallPerson,
  SCREENSHOTS_DIR,
  fakeMediaArgs,
  inCall,
  newCallPerson,
  recordPeerConnections,
  type RunningApp,
  runStep,
  startAppOnLiveKit,
  trpcCall,
  videoFramesPresented,
  watchProblems,
  WEBGL_ARGS,
} from "./harness";

const binary = liveKitServerForSuite(
  "The feature gallery browser suite (apps/web/e2e/feature-gallery.test.ts)",
);

const PASSWORD = "correct horse battery staple";
const CALL_TIMEOUT = 60_000;
const PHONE = { width: 375, height: 812 };
const TOO_SLOW = "Background effect turned off: this device is too slow for it";
/** MediaPipe reports its CPU delegate through console.error; it is information, not a failure. */
const MEDIAPIPE_INFO = /INFO: Created TensorFlow Lite XNNPACK delegate for CPU/;

type Person = CallPerson;

let livekit: LiveKitServer;
let app: RunningApp;
let ada: Person; // the team's owner: a moderator
let bea: Person;
let cy: Person; // at 1280×800, never in the call: the pre-join and the team page
let cyPhone: Person; // the same account on a phone, in the call
const people = () => [ada, bea, cy, cyPhone].filter(Boolean);

// 10 frames a second from the fake camera: three browsers on a small machine keep up.
const signUp = (name: string) =>
  newCallPerson(app.url, name, PASSWORD, { browserArgs: [...fakeMediaArgs(10), ...WEBGL_ARGS] });

/** The same account in a phone-sized touch context of the same browser. */
async function onPhone(person: Person): Promise<Person> {
  const context = await person.browser.newContext({
    baseURL: app.url,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: "light",
    storageState: await person.context.storageState(),
  });
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  return { ...person, name: `${person.name} (phone)`, context, page, problems: watchProblems(page) };
}

const trpc = (context: BrowserContext, path: string, input?: unknown, kind?: "query" | "mutation") =>
  trpcCall(app.url, context, path, input, kind);

/** Runs a test body; on failure adds every page's picture and the servers' last words. */
const step = (name: string, body: () => Promise<void>) =>
  runStep(
    { suite: "gallery", name, people: people(), allowed: (p) => MEDIAPIPE_INFO.test(p), app, livekit },
    body,
  );

async function theme(page: Page, scheme: "light" | "dark") {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForFunction(
    (dark) => document.documentElement.classList.contains("dark") === dark,
    scheme === "dark",
  );
}

/** Saves the page (as its viewport shows it) as <SCREENSHOTS_DIR>/<name>.png. */
async function picture(page: Page, name: string) {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  // A page busy with a background effect (a second a frame here) is slow to hand over a frame.
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), timeout: 90_000 });
}

/** The light picture, then the dark one, of the same page; `between` may renew a passing state. */
async function lightAndDark(page: Page, feature: string, between?: () => Promise<void>) {
  await picture(page, `${feature}-light`);
  await theme(page, "dark");
  try {
    await between?.();
    await picture(page, `${feature}-dark`);
  } finally {
    await theme(page, "light");
  }
}

async function openPreJoin(person: Person, room = "weekly-sync") {
  await person.page.goto(`/t/acme/${room}`);
  await person.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 30_000 });
  await expect.poll(() => person.page.getByTestId("join-button").isEnabled(), { timeout: 30_000 }).toBe(true);
}

async function joinCall(person: Person) {
  await openPreJoin(person);
  await person.page.getByTestId("join-button").click({ timeout: 60_000 });
  await inCall(person.page).waitFor({ timeout: CALL_TIMEOUT });
}

const tile = (viewer: Person, of: Person) =>
  viewer.page.locator(`[data-identity="${of.id}"][data-source="camera"]`);

/** Waits until the `<video>` matching `selector` has presented `frames` new frames. */
async function framesShown(page: Page, selector: string, frames: number, timeout = 30_000) {
  await expect
    .poll(() => videoFramesPresented(page, selector, 2500), { timeout, message: `${selector} plays` })
    .toBeGreaterThanOrEqual(frames);
}

/** Whether the camera track the page sends is a processor's output (no capture device's label). */
const sendsProcessedVideo = (page: Page) =>
  page.evaluate(async () => {
    const labels = (await navigator.mediaDevices.enumerateDevices()).map((d) => d.label).filter(Boolean);
    for (const connection of (window as unknown as { __peerConnections: RTCPeerConnection[] })
      .__peerConnections) {
      if (connection.connectionState === "closed") continue;
      for (const sender of connection.getSenders())
        if (sender.track?.kind === "video" && sender.track.readyState === "live")
          return !labels.includes(sender.track.label);
    }
    return null;
  });

/**
 * Sharp edges in the current frame of the `<video>` matching `selector` (neighbouring pixels whose
 * green differs by more than 60): the fake camera's test pattern has hundreds; blurred, or
 * replaced by a background picture (the segmenter finds no person in it), none. NaN without a
 * playing video or for a blank (all dark) frame, so that neither "the effect is on" nor "the raw
 * camera is back" can be read from a picture that shows nothing.
 */
const sharpEdges = (page: Page, selector: string) =>
  page.evaluate(
    ({ selector, blankBelow }) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      if (!video?.videoWidth) return NaN;
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true })!;
      context.drawImage(video, 0, 0);
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      let edges = 0;
      let brightest = 0;
      for (let y = 0; y < height; y += 2)
        for (let x = 0; x < width - 1; x++) {
          const i = (y * width + x) * 4;
          if (Math.abs(data[i + 1]! - data[i + 5]!) > 60) edges++;
          brightest = Math.max(brightest, data[i]!, data[i + 1]!, data[i + 2]!);
        }
      return brightest < blankBelow ? NaN : edges;
    },
    { selector, blankBelow: BLANK_BELOW },
  );
/** A frame whose brightest pixel is darker than this shows nothing (a black preview). */
const BLANK_BELOW = 40;
const EFFECT_EDGES = 50;
/** The same in the middle of a video on a picture (a third of the frame at screen size): the raw camera gives 50 to 100 there. */
const EFFECT_EDGES_IN_PICTURE = 10;

/**
 * Sharp edges, as `sharpEdges` counts them, in the middle of `box` (clear of the controls and
 * labels laid over a video) in the PNG `picture` of a page drawn at `scale` device pixels.
 */
const sharpEdgesInPicture = (
  page: Page,
  picture: Buffer,
  box: { x: number; y: number; width: number; height: number },
  scale: number,
) =>
  page.evaluate(
    async ({ png, box, scale, blankBelow }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const [x, y] = [(box.x + box.width * 0.15) * scale, (box.y + box.height * 0.2) * scale];
      const [width, height] = [Math.round(box.width * 0.7 * scale), Math.round(box.height * 0.45 * scale)];
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d", { willReadFrequently: true })!;
      context.drawImage(image, x, y, width, height, 0, 0, width, height);
      const { data } = context.getImageData(0, 0, width, height);
      let edges = 0;
      let brightest = 0;
      for (let row = 0; row < height; row += 2)
        for (let column = 0; column < width - 1; column++) {
          const i = (row * width + column) * 4;
          if (Math.abs(data[i + 1]! - data[i + 5]!) > 60) edges++;
          brightest = Math.max(brightest, data[i]!, data[i + 1]!, data[i + 2]!);
        }
      return brightest < blankBelow ? NaN : edges;
    },
    { png: picture.toString("base64"), box, scale, blankBelow: BLANK_BELOW },
  );

/**
 * Picks a background effect and takes the picture once its frames are on screen (the first ones,
 * while the model loads, are the camera's own). On a device too slow for it (this 2-core runner)
 * the effect switches itself off within seconds, usually before the picture is taken: the
 * picture is kept only if it shows the effect (no sharp edges where the video is), else it is not
 * taken (said in the log), the effect having been seen on screen. One try: on this runner a second
 * and a third missed as the first did, every time, and cost the suite four minutes a run.
 */
async function pictureWithEffect(
  page: Page,
  effect: string,
  video: string,
  name: string,
  {
    scale = 1,
    beforePicture,
  }: {
    scale?: number;
    beforePicture?: () => Promise<void>;
  } = {},
): Promise<void> {
  const radio = page.getByRole("radio", { name: effect });
  if ((await radio.getAttribute("aria-checked")) !== "true") await radio.click();
  await expect
    .poll(() => sharpEdges(page, video), { timeout: 60_000, interval: 200 })
    .toBeLessThan(EFFECT_EDGES);
  await beforePicture?.();
  const box = (await page.locator(video).boundingBox())!;
  const shot = await page.screenshot({ timeout: 90_000 });
  const edges =
    (await sharpEdgesInPicture(page, shot, box, scale)) * (EFFECT_EDGES / EFFECT_EDGES_IN_PICTURE);
  if (!(edges < EFFECT_EDGES)) {
    // The effect was on screen (asserted above), only the picture came too late.
    console.log(`${name}: the picture missed the effect (${edges} sharp edges), not taken`);
    return;
  }
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  await writeFile(join(SCREENSHOTS_DIR, `${name}.png`), shot);
}

describe.skipIf(!binary)(
  "the feature gallery: a real call's features, pictured",
  { timeout: 600_000 },
  () => {
    beforeAll(async () => {
      ({ livekit, app } = await startAppOnLiveKit(binary));
      ada = await signUp("Ada");
      bea = await signUp("Bea");
      cy = await signUp("Cy");
      await trpc(ada.context, "team.create", { name: "Acme" });
      await trpc(ada.context, "room.create", { teamSlug: "acme", name: "Weekly sync" });
      const invite = (await trpc(ada.context, "team.createInvite", { teamSlug: "acme" })) as {
        token: string;
      };
      for (const person of [bea, cy]) {
        await person.page.goto(`/invite/${invite.token}`);
        await person.page.getByRole("button", { name: "Join Acme" }).click();
        await person.page.waitForURL(`${app.url}/t/acme`, { timeout: 45_000 });
      }
      cyPhone = await onPhone(cy);
    }, 240_000);

    afterAll(async () => {
      for (const person of [ada, bea, cy]) await person?.browser.close().catch(() => undefined);
      await app?.stop();
      await livekit?.stop();
    });

    test("the pre-join shows who is already in the call", () =>
      step("who-is-here", async () => {
        await joinCall(ada);
        await joinCall(bea);
        await openPreJoin(cy);
        const here = cy.page.getByTestId("who-is-here");
        await here.getByText("2 people are in the call").waitFor({ timeout: 30_000 });
        const names = here.getByRole("list", { name: "In the call now" });
        await names.getByText("Ada", { exact: true }).waitFor();
        await names.getByText("Bea", { exact: true }).waitFor();
        await openPreJoin(cyPhone);
        await cyPhone.page.getByTestId("who-is-here").getByText("2 people are in the call").waitFor();
        // On the phone it is in the first screenful, under the preview.
        const box = (await cyPhone.page.getByTestId("who-is-here").boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
        await lightAndDark(cy.page, "prejoin-who-is-here");
        await picture(cyPhone.page, "prejoin-who-is-here-phone");
      }));

    test("the pre-join's preview shows the background effect; noise suppression is a switch beside it", () =>
      step("prejoin-effects", async () => {
        const preview = '[data-testid="camera-preview"] video';
        // The preview, the choices and the noise suppression switch in one screen.
        const scrollTo = (page: Page, y: number) => () => page.evaluate((y) => window.scrollTo(0, y), y);
        const noise = cy.page.getByTestId("noise-suppression");
        if ((await noise.getAttribute("aria-checked")) !== "true") await noise.click();
        await expect.poll(() => noise.getAttribute("aria-checked")).toBe("true");
        await pictureWithEffect(cy.page, "Strong blur", preview, "prejoin-effects-light", {
          beforePicture: scrollTo(cy.page, 48),
        });
        await theme(cy.page, "dark");
        try {
          await pictureWithEffect(cy.page, "Strong blur", preview, "prejoin-effects-dark", {
            beforePicture: scrollTo(cy.page, 48),
          });
        } finally {
          await theme(cy.page, "light");
        }
        // One preview at a time in Cy's browser (they share its GPU process, here emulated on the CPU).
        await cy.page.goto("/t/acme");
        // On the phone the preview comes first, the choices below the join panel.
        await pictureWithEffect(cyPhone.page, "Dusk", preview, "prejoin-effects-phone", {
          scale: 2,
          beforePicture: scrollTo(cyPhone.page, 0),
        });
        // Nobody else's choice changes: the phone joins without an effect.
        const none = cyPhone.page.getByRole("radio", { name: "None" });
        if ((await none.getAttribute("aria-checked")) !== "true") await none.click();
      }));

    test("chat: written in the call, seen by everyone, kept after a reload", () =>
      step("chat", async () => {
        await cyPhone.page.getByTestId("join-button").click({ timeout: 60_000 });
        await inCall(cyPhone.page).waitFor({ timeout: CALL_TIMEOUT });
        await ada.page.getByText("3 in the call").waitFor({ timeout: 30_000 });

        await ada.page.getByTestId("control-chat").click();
        const adaBox = ada.page.getByPlaceholder("Message everyone");
        await adaBox.fill("Morning! Today's notes: https://example.com/notes/weekly");
        await ada.page.getByRole("button", { name: "Send message" }).click();
        await bea.page.getByRole("button", { name: "Chat, 1 unread" }).waitFor({ timeout: 45_000 });
        await bea.page.getByTestId("control-chat").click();
        await bea.page.getByPlaceholder("Message everyone").fill("Thanks, I'll take the first item.");
        await bea.page.keyboard.press("Enter");
        await cyPhone.page.getByTestId("control-chat").click();
        await cyPhone.page.getByText("Thanks, I'll take the first item.").waitFor({ timeout: 45_000 });
        await cyPhone.page.getByPlaceholder("Message everyone").fill("On my phone today, camera on.");
        await cyPhone.page.getByRole("button", { name: "Send message" }).click();
        for (const person of [ada, bea, cyPhone])
          await person.page
            .getByTestId("chat-message")
            .getByText("On my phone today, camera on.")
            .waitFor({ timeout: 45_000 });
        await expect(
          ada.page.getByRole("link", { name: "https://example.com/notes/weekly" }).count(),
        ).resolves.toBe(1);

        // The chat is stored: Bea reloads (she leaves and joins again) and finds it there. The
        // others are told, and the toast leaves their message box free (it sits above the control
        // bar, where toasts used to go). The toast lasts 3 s, so each page watches for it itself
        // from before the reload: a busy test runner may look only after it has gone.
        const toastGaps = [ada, cyPhone].map((person) => ({
          person,
          gap: person.page.evaluate(
            () =>
              new Promise<number | null>((resolve) => {
                let last: number | null = null;
                let seen = false;
                // Never seen within a generous minute: null, and the test says so.
                setTimeout(() => resolve(last), 60_000);
                const look = () => {
                  const toast = [...document.querySelectorAll("[data-sonner-toast]")].find((t) =>
                    t.textContent?.includes("Bea joined"),
                  );
                  const composer = document.querySelector('[data-testid="chat-panel"] form');
                  if (toast && composer) {
                    seen = true;
                    const [t, c] = [toast.getBoundingClientRect(), composer.getBoundingClientRect()];
                    last = c.y - (t.y + t.height);
                    // Once it has slid in: above the message box.
                    if (last >= 0) return resolve(last);
                  } else if (seen) {
                    return resolve(last);
                  }
                  requestAnimationFrame(look);
                };
                look();
              }),
          ),
        }));
        await bea.page.reload();
        await joinCall(bea);
        for (const { person, gap } of toastGaps) {
          const measured = await gap;
          expect(measured, `${person.name}'s "Bea joined" toast is above the message box`).not.toBeNull();
          expect(measured!).toBeGreaterThanOrEqual(0);
        }
        await bea.page.getByTestId("control-chat").click();
        await bea.page.getByText("Morning! Today's notes:").waitFor({ timeout: 45_000 });
        await expect(bea.page.getByTestId("chat-message").count()).resolves.toBe(3);
        await bea.page.getByRole("button", { name: "Close chat" }).click();

        await expect.poll(() => ada.page.getByTestId("chat-message").count()).toBe(3);
        await lightAndDark(ada.page, "chat");
        await picture(cyPhone.page, "chat-phone");
        await ada.page.getByRole("button", { name: "Close chat" }).click();
        await cyPhone.page.getByRole("button", { name: "Close chat" }).click();
      }));

    test("the room's history holds the meeting's chat, while it goes on", () =>
      step("chat-history", async () => {
        const openHistory = async (page: Page) => {
          await page.goto("/t/acme");
          await page
            .getByRole("article", { name: "Weekly sync" })
            .getByRole("button", { name: "History" })
            .click();
          const dialog = page.getByRole("dialog");
          await dialog.getByText("Happening now").waitFor({ timeout: 45_000 });
          await dialog.getByText("Chat", { exact: true }).click();
          await dialog.getByText("On my phone today, camera on.").waitFor({ timeout: 45_000 });
          await dialog.getByText("Thanks, I'll take the first item.").waitFor();
          return dialog;
        };
        const history = await openHistory(cy.page);
        await lightAndDark(cy.page, "chat-history");
        // Search over the room's chat: every word, any case, marked in what it found.
        await history.getByRole("searchbox", { name: "Search this room's chat" }).fill("FIRST item");
        const found = history.getByRole("list", { name: "Chat search results" }).getByRole("listitem");
        await expect
          .poll(() => found.allInnerTexts())
          .toEqual([expect.stringContaining("Thanks, I'll take the first item.")]);
        await expect.poll(() => found.locator("mark").allInnerTexts()).toEqual(["first", "item"]);
        await lightAndDark(cy.page, "chat-search");
        await history.getByRole("searchbox", { name: "Search this room's chat" }).fill("nothing like this");
        await history.getByText("Nothing in this room's chat matches “nothing like this”.").waitFor();
        // Cy's phone is in the call: the history opens in another tab of it.
        const tab = await cyPhone.context.newPage();
        try {
          await openHistory(tab);
          await picture(tab, "chat-history-phone");
        } finally {
          await tab.close();
        }
        await cy.page.keyboard.press("Escape");
      }));

    test("raised hands: numbered on the tiles, first in the participant list, a toast for the moderator", () =>
      step("hands", async () => {
        await bea.page.getByRole("button", { name: "Raise your hand" }).click();
        await ada.page.getByText("Bea raised their hand").waitFor({ timeout: 45_000 });
        await cyPhone.page.getByRole("button", { name: "Raise your hand" }).click();
        const cyToast = ada.page.getByText("Cy raised their hand");
        await cyToast.waitFor({ timeout: 45_000 });
        // Keeps the toasts up (Sonner pauses them while the pointer is over them).
        await cyToast.hover();
        await tile(ada, bea).getByRole("img", { name: "Hand raised, first in line" }).waitFor();
        await tile(ada, cy).getByRole("img", { name: "Hand raised, number 2 in line" }).waitFor();
        await ada.page.getByTestId("control-participants").click();
        const rows = ada.page.getByTestId("participant-list").locator("li[data-identity]");
        await expect
          .poll(() => rows.evaluateAll((items) => items.map((li) => li.getAttribute("data-identity"))))
          .toEqual([bea.id, cy.id, ada.id]);
        await tile(cyPhone, cy).getByTestId("tile-hand").waitFor();
        await lightAndDark(ada.page, "hands");
        await picture(cyPhone.page, "hands-phone");

        // The moderator lowers Bea's hand from the list; Cy lowers her own.
        await ada.page.getByRole("button", { name: "Lower Bea's hand" }).click();
        await ada.page.mouse.move(640, 300);
        await cyPhone.page.getByRole("button", { name: "Lower your hand" }).click();
        await expect.poll(() => ada.page.getByTestId("tile-hand").count(), { timeout: 45_000 }).toBe(0);
        await bea.page.getByRole("button", { name: "Raise your hand" }).waitFor();
        await ada.page.getByRole("button", { name: "Close participants" }).click();
      }));

    test("reactions float over the sender's tile for everyone", () =>
      step("reactions", async () => {
        const react = async (emoji: string) => {
          await bea.page.getByTestId("control-reactions").click();
          await bea.page.getByRole("menuitem", { name: `React with ${emoji}` }).click();
        };
        const mine = tile(bea, bea).getByTestId("reaction");
        await react("🎉");
        await mine.getByText("🎉").waitFor({ timeout: 30_000 });
        await picture(bea.page, "reactions-light");
        await theme(bea.page, "dark");
        try {
          await react("👏");
          await mine.getByText("👏").waitFor({ timeout: 30_000 });
          await picture(bea.page, "reactions-dark");
        } finally {
          await theme(bea.page, "light");
        }
        await cyPhone.page.getByTestId("control-more").click();
        await cyPhone.page.getByRole("menuitem", { name: "React with ❤️" }).click();
        await tile(cyPhone, cy).getByTestId("reaction").getByText("❤️").waitFor({ timeout: 30_000 });
        await picture(cyPhone.page, "reactions-phone");
        // …and everyone else sees them (sent lossy, they never arrived).
        await react("👍");
        await tile(ada, bea).getByTestId("reaction").getByText("👍").waitFor({ timeout: 30_000 });
      }));

    test("keyboard shortcuts: ? lists them, Ctrl+D turns the microphone off and on", () =>
      step("shortcuts", async () => {
        await ada.page.keyboard.press("Control+d");
        await ada.page.getByRole("button", { name: "Turn microphone on" }).waitFor({ timeout: 30_000 });
        await ada.page.keyboard.press("Control+d");
        await ada.page.getByRole("button", { name: "Turn microphone off" }).waitFor({ timeout: 30_000 });

        await ada.page.keyboard.press("?");
        const dialog = ada.page.getByRole("dialog", { name: "Keyboard shortcuts" });
        await dialog.getByText("Raise or lower your hand").waitFor();
        await expect(dialog.locator("kbd").filter({ hasText: "Ctrl" }).count()).resolves.toBeGreaterThan(0);
        await lightAndDark(ada.page, "shortcuts");
        await ada.page.keyboard.press("Escape");

        await cyPhone.page.getByTestId("control-more").click();
        await cyPhone.page.getByRole("menuitem", { name: "Keyboard shortcuts" }).click();
        const phoneDialog = cyPhone.page.getByRole("dialog", { name: "Keyboard shortcuts" });
        await phoneDialog.waitFor();
        await picture(cyPhone.page, "shortcuts-phone");
        await phoneDialog.getByRole("button", { name: "Close", exact: true }).last().click();
        await phoneDialog.waitFor({ state: "detached" });
      }));

    test("on a phone the control bar keeps five buttons; More holds the rest, inside the screen", () =>
      step("more-menu", async () => {
        const bar = cyPhone.page.getByRole("toolbar", { name: "Call controls" });
        const buttons = bar.locator("button");
        let visibleButtons = 0;
        for (let i = 0; i < (await buttons.count()); i++)
          if (await buttons.nth(i).isVisible()) visibleButtons++;
        expect(visibleButtons).toBe(6); // microphone, camera, hand, chat, More, Leave
        // Measured before the menu opens (it hides the rest of the page from the accessibility tree).
        const moreBox = (await cyPhone.page.getByTestId("control-more").boundingBox())!;
        await cyPhone.page.getByTestId("control-more").click();
        const menu = cyPhone.page.getByRole("menu");
        try {
          await menu.getByRole("menuitem", { name: "Participants (3)" }).waitFor();
          await menu.getByRole("menuitem", { name: "Settings" }).waitFor();
          await menu.getByRole("menuitem", { name: "React with 👍" }).waitFor();
          // Measured where it comes to rest: it slides in, slowly on a busy machine.
          await menu.evaluate((el) =>
            Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)),
          );
          const box = (await menu.boundingBox())!;
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.y).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
          // Above the More button, inside the screen.
          expect(box.y + box.height).toBeLessThanOrEqual(moreBox.y);
          await picture(cyPhone.page, "more-menu-phone");
          await theme(cyPhone.page, "dark");
          try {
            await picture(cyPhone.page, "more-menu-phone-dark");
          } finally {
            await theme(cyPhone.page, "light");
          }
        } finally {
          // Closed even when a check above failed: an open menu blocks the page for the steps after.
          await cyPhone.page.keyboard.press("Escape");
          await menu.waitFor({ state: "hidden" });
        }
      }));

    test("in the call's settings: the background and noise suppression; a device too slow for the effect loses it within seconds, and the others keep receiving video", () =>
      step("call-effects", async () => {
        const settings = async (person: Person) => {
          if (person === cyPhone) {
            await person.page.getByTestId("control-more").click();
            await person.page.getByRole("menuitem", { name: "Settings" }).click();
          } else await person.page.getByTestId("control-settings").click();
          const dialog = person.page.getByRole("dialog", { name: "Settings" });
          const noise = dialog.getByTestId("noise-suppression");
          if ((await noise.getAttribute("aria-checked")) !== "true") await noise.click();
          await expect.poll(() => noise.getAttribute("aria-checked")).toBe("true");
          return dialog;
        };
        const ownVideo = (person: Person) => `[data-identity="${person.id}"][data-source="camera"] video`;

        // Two in the call from here: less for this small machine to carry.
        await cyPhone.page.getByTestId("control-leave").click();
        await ada.page.getByText("2 in the call").waitFor({ timeout: 45_000 });
        const dialog = await settings(ada);
        const chosenAt = Date.now();
        await dialog.getByRole("radio", { name: "Strong blur" }).click();
        // What Ada sends is the blur's output (for a few seconds)…
        await expect.poll(() => sendsProcessedVideo(ada.page), { timeout: 60_000, interval: 200 }).toBe(true);
        // This machine (2 shared cores, no GPU, WebGL on SwiftShader) takes about a second a
        // frame for the blur, far over the 40 ms budget: the effect goes off by itself, and says
        // so (a toast, and the line under the choices, which stays).
        await dialog.getByRole("status").getByText(TOO_SLOW).waitFor({ timeout: 90_000 });
        const offAfter = (Date.now() - chosenAt) / 1000;
        await expect
          .poll(() => dialog.getByRole("radio", { name: "None" }).getAttribute("aria-checked"))
          .toBe("true");
        await expect.poll(() => sendsProcessedVideo(ada.page), { timeout: 15_000 }).toBe(false);
        // Bea keeps receiving Ada's camera, the raw one now.
        await framesShown(bea.page, ownVideo(ada), 5);
        await expect
          .poll(() => sharpEdges(bea.page, ownVideo(ada)), { timeout: 30_000, interval: 200 })
          .toBeGreaterThan(EFFECT_EDGES);
        console.log(`strong blur switched off ${offAfter.toFixed(1)} s after it was chosen`);
        // The old rule waited for 90 frames: a minute and a half or more at this machine's pace.
        expect(offAfter).toBeLessThan(60);
        await picture(ada.page, "effect-too-slow-light");

        await ada.page.keyboard.press("Escape");
      }));
  },
);
