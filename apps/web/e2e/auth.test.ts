/**
 * The foundation, as a person meets it: create an account, stay signed in across a reload, sign
 * out, get sent to sign in from a protected page, and land back on that page after signing in.
 */
import type { Browser } from "playwright-core";
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

test("sign up, stay signed in, sign out, and come back to the page asked for", async () => {
  const context = await newContext(browser, app.url);
  const page = await context.newPage();
  const problems = watchProblems(page);
  const email = `ada-${Date.now().toString(36)}@example.com`;
  const password = "correct horse battery staple";

  try {
    // A fresh instance: its first visitor is sent to sign up, told this account administers it.
    await page.goto("/");
    await page.waitForURL("**/sign-up");
    await page.getByRole("heading", { name: "Set up Parlor" }).waitFor();
    expect(await page.getByTestId("first-run").textContent()).toMatch(/administrator/);
    await screenshot(page, "first-run");

    // The shared schema checks the form before anything is sent.
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByText("Enter a valid email address").count()).toBe(1);

    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();

    // Lands on home, signed in.
    await page.waitForURL(`${app.url}/`);
    await page.getByRole("heading", { name: "Hi, Ada" }).waitFor();
    await page.getByText("You're not in a team yet").waitFor();
    await screenshot(page, "home");

    // Still signed in after a reload.
    await page.reload();
    await page.getByRole("heading", { name: "Hi, Ada" }).waitFor();

    // Sign out from the account menu.
    await page.getByRole("button", { name: /Account menu/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    // Once an account exists, sign-in is sign-in.
    await expect.poll(() => page.title()).toBe("Sign in · Parlor");
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    await screenshot(page, "sign-in");

    // A protected page sends a signed-out visitor to sign in, remembering where they were going.
    await page.goto("/settings");
    await page.waitForURL("**/sign-in?next=%2Fsettings");
    expect(new URL(page.url()).search).toBe("?next=%2Fsettings");

    // Signing in brings them back there.
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app.url}/settings`);
    await page.getByRole("heading", { name: "Settings" }).waitFor();

    expect(problems.list).toEqual([]);
  } catch (error) {
    await screenshot(page, "failure-auth").catch(() => {});
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n\nServer output:\n${app.output()}`,
      {
        cause: error,
      },
    );
  } finally {
    await context.close();
  }
});

test("never leaves the site after signing in, whatever next= says", async () => {
  const email = `grace-${Date.now().toString(36)}@example.com`;
  const password = "correct horse battery staple";
  const created = await fetch(`${app.url}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.url },
    body: JSON.stringify({ json: { email, password, name: "Grace Hopper" } }),
  });
  expect(created.status).toBe(200);

  const context = await newContext(browser, app.url);
  const page = await context.newPage();
  try {
    // Signing in with a next= that normalises to another host lands on Parlor's home page.
    await page.goto(`/sign-in?next=${encodeURIComponent("/.//evil.example/phish")}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app.url}/`);
    await page.getByRole("heading", { name: "Hi, Grace" }).waitFor();

    // Signed in already, the sign-in page redirects at once: still to Parlor.
    for (const next of ["/..//evil.example", "/%2e%2e//evil.example", "/sign-up/..//evil.example"]) {
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await page.waitForURL(`${app.url}/`);
      expect(new URL(page.url()).origin).toBe(app.url);
    }
  } finally {
    await context.close();
  }
});
