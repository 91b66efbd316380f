/**
 * Guests and the lobby in real browsers against the real livekit-server: a person without an
 * account opens a guest link, types a name, knocks, is admitted from inside the call by a
 * moderator, and appears in the call, the participant list, the team page's presence, /admin
 * and the meeting history marked as a guest; a denied guest, an expired and a withdrawn link get
 * clear pages. Skipped (and says so) without a livekit-server binary.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { createDatabase, schema } from "@parlor/db";
import { liveKitServerForSuite, type LiveKitServer } from "@parlor/api/testing/livekit-server";
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  docsScreenshot,
  FAKE_MEDIA_ARGS,
  inCall,
  launchBrowser,
  type PageProblems,
  RESULTS_DIR,
  type RunningApp,
  startApp,
  startAppOnLiveKit,
  trpcCall,
  watchProblems,
} from "./harness";

const binary = liveKitServerForSuite("The guests browser suite (apps/web/e2e/guests.test.ts)");
const CALL_TIMEOUT = 45_000;

let livekit: LiveKitServer;
let app: RunningApp;
let appEnv: Record<string, string>;
let hostBrowser: Browser;
let guestBrowser: Browser;
let host: BrowserContext;
let hostPage: Page;
let hostProblems: PageProblems;

const call = (context: BrowserContext, path: string, input?: unknown, kind?: "query" | "mutation") =>
  trpcCall(app.url, context, path, input, kind);

async function newGuestPage(): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await guestBrowser.newContext({
    baseURL: app.url,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  return { context, page, problems: watchProblems(page) };
}

async function withFailureShots<T>(name: string, pages: Page[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await mkdir(RESULTS_DIR, { recursive: true });
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: join(RESULTS_DIR, `guests-${name}-${i}.png`) }).catch(() => undefined);
    }
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n\nApp output:\n${app.output().slice(-3000)}`,
      { cause: error },
    );
  }
}

/** Opens a guest link and asks to join as `name`. */
async function knock(page: Page, url: string, name: string) {
  await page.goto(url);
  await page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 30_000 });
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Ask to join" }).click();
  await page.getByRole("heading", { name: "Waiting to be let in" }).waitFor({ timeout: 45_000 });
}

async function createLink(): Promise<{ id: string; url: string }> {
  return (await call(host, "room.createGuestLink", { teamSlug: "acme", roomSlug: "standup" })) as {
    id: string;
    url: string;
  };
}

describe.skipIf(!binary)("guests and the lobby in a real call", () => {
  beforeAll(async () => {
    ({ livekit, app, appEnv } = await startAppOnLiveKit(binary));
    hostBrowser = await launchBrowser(FAKE_MEDIA_ARGS);
    guestBrowser = await launchBrowser(FAKE_MEDIA_ARGS);
    host = await hostBrowser.newContext({
      baseURL: app.url,
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
      deviceScaleFactor: 1,
    });
    hostPage = await host.newPage();
    hostProblems = watchProblems(hostPage);
    // Ada: the instance's first account (site admin) and the team's owner.
    await call(host, "auth.signUp", {
      name: "Ada",
      email: `ada-${Date.now().toString(36)}@example.com`,
      password: "correct horse battery staple",
    });
    await call(host, "team.create", { name: "Acme" });
    await call(host, "room.ensure", { teamSlug: "acme", roomSlug: "standup" });
  });

  afterAll(async () => {
    await hostBrowser?.close().catch(() => undefined);
    await guestBrowser?.close().catch(() => undefined);
    await app?.stop();
    await livekit?.stop();
  });

  test("an expired, a withdrawn and an unknown guest link each get a clear page", async () => {
    const guest = await newGuestPage();
    await withFailureShots("links", [guest.page], async () => {
      const withdrawn = await createLink();
      await call(host, "room.revokeGuestLink", {
        teamSlug: "acme",
        roomSlug: "standup",
        linkId: withdrawn.id,
      });
      await guest.page.goto(withdrawn.url);
      await guest.page.getByRole("heading", { name: "This guest link was withdrawn" }).waitFor();
      await expect
        .poll(() => guest.page.getByTestId("guest-link-problem").textContent())
        .toContain("for a new link");

      await guest.page.goto(`/g/${"x".repeat(32)}`);
      await guest.page.getByRole("heading", { name: "This guest link doesn't work" }).waitFor();

      // Expire a link in the database (the app is stopped around it on the embedded database).
      const expiring = await createLink();
      const env = app.database.env;
      const restart = "PGLITE_DATA_DIR" in env;
      if (restart) await app.stop({ keepDatabase: true });
      const database = createDatabase(
        "DATABASE_URL" in env
          ? { url: env.DATABASE_URL, maxConnections: 1 }
          : { dataDir: env.PGLITE_DATA_DIR },
      );
      try {
        await database.db
          .update(schema.guestLinks)
          .set({ expiresAt: new Date(Date.now() - 1000) })
          .where(eq(schema.guestLinks.id, expiring.id));
      } finally {
        await database.close();
      }
      if (restart) app = await startApp(appEnv, { port: app.port, database: app.database });
      await guest.page.goto(expiring.url);
      await guest.page.getByRole("heading", { name: "This guest link has expired" }).waitFor();
      await docsScreenshot(guest.page, "guest-link-expired");
    });
    await guest.context.close();
  });

  test("a guest knocks, is admitted from inside the call and shows as a guest in the call, the list, the team page, /admin and the history", async () => {
    const guest = await newGuestPage();
    await withFailureShots("admit", [hostPage, guest.page], async () => {
      // Ada is in the call; she makes a guest link from the team page.
      const teamPage = await host.newPage();
      await teamPage.goto("/t/acme");
      const card = teamPage.getByRole("article", { name: "Standup" });
      await card.getByRole("button", { name: "Guests" }).click();
      await teamPage.getByRole("button", { name: "Create guest link" }).click();
      const url = (await teamPage.getByTestId("guest-link-url").textContent())!.trim();
      expect(url).toMatch(/\/g\/[A-Za-z0-9_-]{20,}$/);
      await teamPage.keyboard.press("Escape");

      await hostPage.goto("/t/acme/standup");
      await hostPage.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: 30_000 });
      await expect
        .poll(() => hostPage.getByTestId("join-button").isEnabled(), { timeout: 45_000 })
        .toBe(true);
      await hostPage.getByTestId("join-button").click();
      await inCall(hostPage).waitFor({ timeout: CALL_TIMEOUT });

      // Gus, without an account, knocks; his own camera preview stays on while he waits.
      await knock(guest.page, url, "Gus");
      await expect
        .poll(() => guest.page.locator("video").evaluate((v: HTMLVideoElement) => v.videoWidth), {
          timeout: 45_000,
        })
        .toBeGreaterThan(0);
      await docsScreenshot(guest.page, "guest-waiting");

      // Ada sees the knock at once, in the call and on the team page.
      await hostPage.getByText("Gus (guest) asks to join").waitFor({ timeout: 45_000 });
      await teamPage.getByTestId("team-lobby").getByText("Gus").waitFor({ timeout: 45_000 });
      await hostPage.getByTestId("control-participants").click();
      await hostPage.getByTestId("lobby").getByText("Gus").waitFor();
      await docsScreenshot(hostPage, "lobby-request");
      await hostPage.getByTestId("lobby").getByRole("button", { name: "Admit" }).click();

      // Gus goes into the call without a reload.
      await inCall(guest.page).waitFor({ timeout: CALL_TIMEOUT });
      await hostPage.getByText("2 in the call").waitFor({ timeout: CALL_TIMEOUT });
      await hostPage.getByTestId("participant-list").getByText("(guest)").waitFor();
      await hostPage.getByText("Gus (guest)").first().waitFor();
      await expect.poll(() => hostPage.getByText("asks to join").count()).toBe(0);

      // The team page's presence, /admin and the history mark him as a guest.
      await card
        .getByText(/(and Gus \(guest\) are here|^Gus \(guest\) and .* are here)/)
        .waitFor({ timeout: 45_000 });
      const admin = await host.newPage();
      await admin.goto("/admin");
      await admin.getByText("Gus").first().waitFor({ timeout: 45_000 });
      await admin.getByText("(guest)").first().waitFor();
      await docsScreenshot(admin, "admin-guest");
      await card.getByRole("button", { name: "History" }).click();
      await teamPage
        .getByRole("list", { name: "Attendees" })
        .getByText("(guest)")
        .first()
        .waitFor({ timeout: 45_000 });
      await admin.close();
      await teamPage.close();

      // Someone about to join sees him as a guest in the pre-join's "who is here".
      const preJoin = await host.newPage();
      await preJoin.goto("/t/acme/standup");
      await expect
        .poll(() => preJoin.getByTestId("who-is-here").textContent(), { timeout: 20_000 })
        .toMatch(/Gus\s*\(guest\)/);
      await preJoin.close();

      // Gus raises his hand and writes in the chat, as members do.
      await guest.page.getByTestId("control-hand").click();
      await hostPage
        .getByTestId("participant-list")
        .locator('[data-identity^="guest-"]')
        .getByTestId("hand-raised")
        .waitFor({ timeout: 20_000 });
      await guest.page.getByTestId("control-chat").click();
      await guest.page.getByPlaceholder("Message everyone").fill("Hello from Gus");
      await guest.page.getByRole("button", { name: "Send message" }).click();
      await hostPage.getByRole("button", { name: "Chat, 1 unread" }).click({ timeout: 20_000 });
      await hostPage.getByLabel("Chat messages").getByText("Hello from Gus").waitFor();

      // Ada ends the meeting: Gus reads that it ended, with no Rejoin that could not work.
      await hostPage.getByTestId("control-participants").click();
      await hostPage.getByRole("button", { name: "End meeting for everyone" }).click();
      await hostPage.getByRole("button", { name: "End meeting", exact: true }).click();
      const over = guest.page.getByTestId("guest-call-over");
      await over.waitFor({ timeout: 20_000 });
      expect(await over.getAttribute("data-kind")).toBe("ended");
      // Who ended it, when the server's notice beat its disconnection (they race).
      await over.getByText(/(Ada ended the meeting|The meeting was ended) for everyone\./).waitFor();
      expect(await over.getByRole("button").count()).toBe(0);
      await hostPage.getByRole("heading", { name: "You ended the meeting" }).waitFor({ timeout: 20_000 });

      // Ada goes back in, with the participant panel (and its lobby) open, for the tests that follow.
      await hostPage.goto("/t/acme/standup");
      await expect
        .poll(() => hostPage.getByTestId("join-button").isEnabled(), { timeout: 30_000 })
        .toBe(true);
      await hostPage.getByTestId("join-button").click();
      await inCall(hostPage).waitFor({ timeout: CALL_TIMEOUT });
      await hostPage.getByTestId("control-participants").click();
      await hostPage.getByTestId("lobby").waitFor();
    });
    await guest.context.close();
    // Joined, written in, ended and rejoined on a busy machine: more than the default minute.
  }, 180_000);

  test("a denied guest gets a clear page", async () => {
    const guest = await newGuestPage();
    await withFailureShots("deny", [hostPage, guest.page], async () => {
      const link = await createLink();
      await knock(guest.page, link.url, "Dan");
      await hostPage.getByText("Dan (guest) asks to join").waitFor({ timeout: 45_000 });
      await hostPage.getByTestId("lobby").getByRole("button", { name: "Deny" }).click();
      await guest.page.getByRole("heading", { name: "You were not let in" }).waitFor({ timeout: 45_000 });
      await docsScreenshot(guest.page, "guest-denied");
    });
    await guest.context.close();
  });

  test("a locked room makes a member knock, and a moderator lets them in from the call", async () => {
    const member = await newGuestPage();
    await withFailureShots("lock", [hostPage, member.page], async () => {
      await call(member.context, "auth.signUp", {
        name: "Max",
        email: `max-${Date.now().toString(36)}@example.com`,
        password: "correct horse battery staple",
      });
      const invite = (await call(host, "team.createInvite", { teamSlug: "acme", role: "member" })) as {
        token: string;
      };
      await call(member.context, "team.acceptInvite", { token: invite.token });

      // Ada, in the call, locks the room from the participant panel.
      const lobby = hostPage.getByTestId("lobby");
      if (!(await lobby.isVisible())) await hostPage.getByTestId("control-participants").click();
      await lobby.getByRole("switch").click();
      await lobby.getByText("Locked: everyone else has to ask to join").waitFor({ timeout: 45_000 });

      await member.page.goto("/t/acme/standup");
      await member.page.getByRole("heading", { name: "This room is locked" }).waitFor({ timeout: 30_000 });
      await member.page.getByRole("button", { name: "Ask to join" }).click();
      await member.page.getByRole("heading", { name: "Waiting to be let in" }).waitFor({ timeout: 45_000 });
      await lobby.getByText("Max").waitFor({ timeout: 45_000 });
      await docsScreenshot(hostPage, "lobby-locked");
      await lobby.getByRole("button", { name: "Admit" }).click();

      // Admitted, Max goes straight into the call, as a guest does: no second Join to press.
      await inCall(member.page).waitFor({ timeout: CALL_TIMEOUT });
      await hostPage.getByTestId("participant-list").getByText("Max").waitFor({ timeout: CALL_TIMEOUT });

      await lobby.getByRole("switch").click();
      await lobby.getByText("Members join directly").waitFor({ timeout: 45_000 });
    });
    await member.context.close();
  });

  test("a guest who stops waiting leaves the lobby at once and can ask again", async () => {
    const guest = await newGuestPage();
    await withFailureShots("stop-waiting", [hostPage, guest.page], async () => {
      const link = await createLink();
      await knock(guest.page, link.url, "Wes");
      await hostPage.getByText("Wes (guest) asks to join").waitFor({ timeout: 45_000 });
      await hostPage.getByTestId("lobby").getByText("Wes").waitFor();
      await guest.page.getByTestId("guest-stop-waiting").click();
      await guest.page.getByRole("heading", { name: "You stopped waiting" }).waitFor({ timeout: 45_000 });
      // The moderators' lobby list forgets the request without anyone answering it.
      await expect
        .poll(() => hostPage.getByTestId("lobby").getByText("Wes").count(), { timeout: 45_000 })
        .toBe(0);
      await guest.page.getByRole("button", { name: "Ask to join again" }).click();
      await guest.page.getByRole("heading", { name: "Ready to join?" }).waitFor();
      await guest.page.getByLabel("Your name").fill("Wes");
      await guest.page.getByRole("button", { name: "Ask to join" }).click();
      await guest.page.getByRole("heading", { name: "Waiting to be let in" }).waitFor({ timeout: 45_000 });
      await hostPage.getByTestId("lobby").getByText("Wes").waitFor({ timeout: 45_000 });
      await hostPage.getByTestId("lobby").getByRole("button", { name: "Deny" }).click();
      await guest.page.getByRole("heading", { name: "You were not let in" }).waitFor({ timeout: 45_000 });
    });
    await guest.context.close();
    // livekit-client's own notes on a connection torn down under it (another test's guest leaving
    // as a track of theirs arrives): nothing the page shows.
    const teardownNoise =
      /data channel|DataChannel|Tried to add a track for a participant, that's not present/;
    expect(hostProblems.list.filter((p) => !teardownNoise.test(p))).toEqual([]);
  });
});
