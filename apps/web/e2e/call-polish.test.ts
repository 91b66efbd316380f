/**
 * The in-call polish a newcomer's walk asked for (issue 23), on the production build and the
 * pinned livekit-server: three Chromium processes with a fake camera and microphone; Cy, the
 * team's owner, is on a 375×812 phone. The pre-join's Join is on the phone's first screen; a
 * three-person call fits one page of the phone's grid; the participant list's "Lower hand" stays
 * inside its row; the call offers its link and a guest link; the chat badge forgets nothing
 * and recounts nothing across a rejoin; and ordinary use (joining, raising hands, leaving,
 * ending the meeting) leaves no data-channel complaints from LiveKit in any console. Pictures go to the
 * ignored test-results/ folder (looked at when the suite was written).
 */
import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  type CallPerson,
  fakeMediaArgs,
  inCall,
  newCallPerson,
  recordPeerConnections,
  type RunningApp,
  runStep,
  screenshot,
  startAppOnLiveKit,
  trpcCall,
  watchProblems,
} from "./harness";

const binary = liveKitServerForSuite("The call polish browser suite (apps/web/e2e/call-polish.test.ts)");

const PASSWORD = "correct horse battery staple";
const CALL_TIMEOUT = 60_000;
const PHONE = { width: 375, height: 812 };
/**
 * What livekit-client says when the server tears a connection down under it (removed, meeting
 * ended): the server's notice comes first, the page leaves on its own, and the server closes the
 * room once they have (closeRoomAfterNotice), so none of it shows. Its peer connections' warning
 * about a renegotiation that ran after they closed is not logged, only their errors are
 * (call-connection.ts).
 */
const LIVEKIT_NOISE =
  /data channel '\w+' closed unexpectedly|DataChannel error|could not createOffer with closed peer connection/;

let livekit: LiveKitServer;
let app: RunningApp;
let ada: CallPerson;
let bea: CallPerson;
let cy: CallPerson; // the team's owner, in the call on a phone
/** LiveKit's warnings (not only errors) seen by any page during the suite. */
const noise: string[] = [];
const people = () => [ada, bea, cy].filter(Boolean);

function watchLiveKitNoise(person: CallPerson) {
  person.page.on("console", (message) => {
    if (LIVEKIT_NOISE.test(message.text())) noise.push(`${person.name}: ${message.text()}`);
  });
}

const step = (name: string, body: () => Promise<void>) =>
  runStep({ suite: "call-polish", name, people: people(), app, livekit }, body);

const signUp = (name: string) => newCallPerson(app.url, name, PASSWORD, { browserArgs: fakeMediaArgs(10) });

/** The same account in a phone-sized touch context of its browser. */
async function onPhone(person: CallPerson): Promise<CallPerson> {
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
  await person.context.close();
  const page = await context.newPage();
  return { ...person, context, page, problems: watchProblems(page) };
}

async function openPreJoin(page: Page) {
  await page.goto("/t/acme/weekly");
  await page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId("join-button").isEnabled(), { timeout: 30_000 }).toBe(true);
}

async function joinCall(person: CallPerson) {
  await openPreJoin(person.page);
  await person.page.getByTestId("join-button").click();
  await inCall(person.page).waitFor({ timeout: CALL_TIMEOUT });
}

const cameraTiles = (page: Page) => page.locator('[data-layout] [data-source="camera"]');

describe.skipIf(!binary)("the call's polish, on a phone and beside it", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    ({ livekit, app } = await startAppOnLiveKit(binary));
    cy = await signUp("Cy");
    ada = await signUp("Ada");
    bea = await signUp("Bea");
    await trpcCall(app.url, cy.context, "team.create", { name: "Acme" });
    for (const person of [ada, bea]) {
      const invite = (await trpcCall(app.url, cy.context, "team.createInvite", { teamSlug: "acme" })) as {
        token: string;
      };
      await trpcCall(app.url, person.context, "team.acceptInvite", { token: invite.token });
    }
    await trpcCall(app.url, cy.context, "room.ensure", { teamSlug: "acme", roomSlug: "weekly" });
    cy = await onPhone(cy);
    for (const person of people()) watchLiveKitNoise(person);
  }, 240_000);

  afterAll(async () => {
    for (const person of people()) await person.browser.close().catch(() => undefined);
    await app?.stop();
    await livekit?.stop();
  });

  test("on the phone's pre-join, Join now is on the first screen", () =>
    step("prejoin-phone", async () => {
      await openPreJoin(cy.page);
      const join = cy.page.getByTestId("join-button");
      const box = (await join.boundingBox())!;
      expect(await cy.page.evaluate(() => window.scrollY)).toBe(0);
      expect(box.y).toBeGreaterThan(0);
      expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
      // The settings scroll under the join bar, which stays where it is.
      await cy.page.mouse.wheel(0, 400);
      await expect.poll(() => cy.page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
      const after = (await join.boundingBox())!;
      expect(after.y + after.height).toBeLessThanOrEqual(PHONE.height);
      await cy.page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(cy.page, "call-polish-prejoin-phone");
    }));

  test("a three-person call fits one page of the phone's grid", () =>
    step("three-on-phone", async () => {
      await joinCall(ada);
      await joinCall(bea);
      await joinCall(cy);
      await expect.poll(() => cameraTiles(cy.page).count(), { timeout: CALL_TIMEOUT }).toBe(3);
      // Measured together, once the grid has settled: a tile may be re-rendered as tracks arrive.
      await expect
        .poll(async () => {
          const boxes = await cameraTiles(cy.page).evaluateAll((tiles) =>
            tiles
              .map((tile) => tile.getBoundingClientRect())
              .map((r) => ({ bottom: r.bottom, width: r.width })),
          );
          return boxes.length === 3 && boxes.every((b) => b.bottom <= PHONE.height && b.width > 300);
        })
        .toBe(true);
      expect(await cy.page.getByLabel("Next page of participants").count()).toBe(0);
      await screenshot(cy.page, "call-polish-three-on-phone");
    }));

  test("on the phone, 'Lower hand' stays inside the raised hand's row, clear of the avatar", () =>
    step("lower-hand", async () => {
      await bea.page.getByTestId("control-hand").click();
      await cy.page.getByTestId("control-more").click();
      await cy.page.getByRole("menuitem", { name: /Participants/ }).click();
      const row = cy.page.getByTestId("participant-list").locator(`[data-identity="${bea.id}"]`);
      const lower = row.getByRole("button", { name: "Lower Bea's hand" });
      await lower.waitFor({ timeout: 20_000 });
      const [rowBox, buttonBox, avatarBox] = [
        (await row.boundingBox())!,
        (await lower.boundingBox())!,
        (await row.locator("span").first().boundingBox())!,
      ];
      expect(buttonBox.x).toBeGreaterThanOrEqual(avatarBox.x + avatarBox.width);
      expect(buttonBox.x + buttonBox.width).toBeLessThanOrEqual(rowBox.x + rowBox.width);
      await screenshot(cy.page, "call-polish-lower-hand-phone");
      await lower.click();
      await expect.poll(() => row.getByTestId("hand-raised").count(), { timeout: 20_000 }).toBe(0);
    }));

  test("the participants panel offers the room's link and, to its owner, a guest link", () =>
    step("invite", async () => {
      const invite = cy.page.getByTestId("call-invite");
      await invite.getByRole("button", { name: "Copy link" }).waitFor();
      await invite.getByRole("button", { name: "Guest link" }).click();
      await cy.page.getByRole("dialog").getByRole("heading", { name: "Invite guests to Weekly" }).waitFor();
      await screenshot(cy.page, "call-polish-guest-link-phone");
      await cy.page.keyboard.press("Escape");
      // A plain member (the team does not let members make guest links) copies the room's link only.
      await ada.page.getByTestId("control-participants").click();
      await ada.page.getByTestId("call-invite").getByRole("button", { name: "Copy link" }).waitFor();
      expect(
        await ada.page.getByTestId("call-invite").getByRole("button", { name: "Guest link" }).count(),
      ).toBe(0);
    }));

  test("after leaving and rejoining, the chat badge does not count what was already read", () =>
    step("chat-badge", async () => {
      await ada.page.getByTestId("control-chat").click();
      await ada.page.getByPlaceholder("Message everyone").fill("Agenda is in the doc");
      await ada.page.getByRole("button", { name: "Send message" }).click();
      await bea.page.getByRole("button", { name: "Chat, 1 unread" }).click({ timeout: 20_000 });
      await bea.page.getByLabel("Chat messages").getByText("Agenda is in the doc").waitFor();
      await bea.page.getByTestId("control-leave").click();
      await bea.page.waitForURL(`${app.url}/t/acme`, { timeout: 20_000 });
      // Written while she was away: the one message she has not read.
      await ada.page.getByPlaceholder("Message everyone").fill("One more thing");
      await ada.page.getByRole("button", { name: "Send message" }).click();
      await ada.page.getByLabel("Chat messages").getByText("One more thing").waitFor();
      await joinCall(bea);
      // The stored chat loads both at once: only the new one counts.
      const label = () => bea.page.getByTestId("control-chat").getAttribute("aria-label");
      await expect.poll(label, { timeout: 20_000 }).toMatch(/unread/);
      expect(await label()).toBe("Chat, 1 unread");
    }));

  test("the owner ends the meeting: each ending in words for that person, no data-channel complaints", () =>
    step("end", async () => {
      await cy.page.getByRole("button", { name: "End meeting for everyone" }).click();
      await cy.page.getByRole("button", { name: "End meeting", exact: true }).click();
      for (const [person, heading] of [
        [cy, "You ended the meeting"],
        [ada, "The meeting has ended"],
        [bea, "The meeting has ended"],
      ] as const) {
        const ended = person.page.getByTestId("room-failure");
        await ended.waitFor({ timeout: 20_000 });
        await person.page.getByRole("heading", { name: heading }).waitFor();
        expect(await ended.getByRole("button").count()).toBe(0);
      }
      // Who ended it, when the server's notice beat its disconnection (they race).
      await ada.page.getByText(/^(Cy ended the meeting|The meeting was ended) for everyone\./).waitFor();
      await screenshot(cy.page, "call-polish-ended-phone");
      expect(noise).toEqual([]);
    }));
});
