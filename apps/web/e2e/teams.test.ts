/**
 * Teams as people use them: an owner creates a team and an invite link; someone new opens the
 * link, creates an account from it, comes back to it and joins; the owner then sees them, makes
 * them an admin, and is told why they cannot leave as the only owner.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

import { launchBrowser, newContext, screenshot, startApp, watchProblems, type RunningApp } from "./harness";

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const PASSWORD = "correct horse battery staple";
const unique = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

async function fillSignUp(page: Page, name: string) {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.split(" ")[0]!.toLowerCase()}-${unique()}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

test("create a team, invite someone, and manage them", async () => {
  const ownerContext = await newContext(browser, app.url);
  const guestContext = await newContext(browser, app.url, { width: 375, height: 800 });
  const owner = await ownerContext.newPage();
  const guest = await guestContext.newPage();
  const ownerProblems = watchProblems(owner);
  const guestProblems = watchProblems(guest);

  try {
    // The owner creates a team from the empty home page and is taken to it.
    await owner.goto("/sign-up");
    await fillSignUp(owner, "Grace Hopper");
    await owner.getByLabel("Team name").fill("Compiler Club");
    await owner.getByRole("button", { name: "Create team" }).click();
    await owner.waitForURL("**/t/compiler-club");
    await owner.getByRole("heading", { name: "No rooms yet" }).waitFor();

    // An invite link for members.
    await owner.getByRole("button", { name: "Create invite link" }).click();
    const inviteUrl = await owner.getByLabel(/New invite link/).inputValue();
    expect(inviteUrl).toMatch(new RegExp(`^${app.url}/invite/[A-Za-z0-9_-]{16,}$`));
    const invitePath = new URL(inviteUrl).pathname;

    // Someone new opens it, creates an account from it, and is brought back to join.
    await guest.goto(invitePath);
    await guest.getByRole("heading", { name: "Join Compiler Club" }).waitFor();
    await guest.getByRole("link", { name: "Create an account" }).click();
    await guest.waitForURL(`**/sign-up?next=${encodeURIComponent(invitePath)}`);
    // The sign-up says which team, and who invited; the team is joined without pressing Join again.
    await guest.getByRole("heading", { name: "Join Compiler Club" }).waitFor();
    await guest.getByText("Grace Hopper invited you to Compiler Club").waitFor();
    await fillSignUp(guest, "Alan Turing");
    await guest.waitForURL("**/t/compiler-club");
    await guest.getByRole("heading", { name: /Compiler Club/ }).waitFor();
    // Members see the team, not its management.
    expect(await guest.getByRole("button", { name: "Create invite link" }).count()).toBe(0);
    // Opening the invite again: already in, nothing to join.
    await guest.goto(invitePath);
    await guest.getByRole("heading", { name: "You're already in Compiler Club" }).waitFor();
    await guest.getByRole("link", { name: "Open Compiler Club" }).click();
    await guest.waitForURL("**/t/compiler-club");

    // The owner sees the new member and makes them an admin.
    await owner.reload();
    await owner.getByText("Alan Turing").waitFor();
    await owner.getByRole("combobox", { name: "Role of Alan Turing" }).click();
    await owner.getByRole("option", { name: "Admin" }).click();
    await owner.getByText("Alan Turing is now an admin").waitFor();
    await screenshot(owner, "team");

    // The only owner is told up front why they cannot leave, with no button that would fail.
    await owner.getByRole("button", { name: "Leave team" }).click();
    const dialog = owner.getByTestId("sole-owner-leave");
    await dialog.getByText("You're its only owner").waitFor();
    expect(await dialog.getByRole("button", { name: "Leave team" }).count()).toBe(0);
    await dialog.getByRole("button", { name: "OK" }).click();

    expect([...ownerProblems.list, ...guestProblems.list]).toEqual([]);
  } catch (error) {
    await screenshot(owner, "failure-teams-owner").catch(() => {});
    await screenshot(guest, "failure-teams-guest").catch(() => {});
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n\nServer output:\n${app.output()}`,
      {
        cause: error,
      },
    );
  } finally {
    await ownerContext.close();
    await guestContext.close();
  }
});
