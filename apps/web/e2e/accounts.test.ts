/**
 * Accounts as people meet them: a forgotten password reset through a real SMTP exchange (the
 * test receives the email), and a site admin finding a user in /admin/users and disabling the
 * account, which signs that person out and refuses their sign-in with a clear message.
 */
import { linkIn, startSmtpInbox, type SmtpInbox } from "@parlor/api/testing/smtp-inbox";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

import {
  docsScreenshot,
  launchBrowser,
  newContext,
  screenshot,
  startApp,
  watchProblems,
  type RunningApp,
} from "./harness";

const PASSWORD = "correct horse battery staple";

let app: RunningApp;
let browser: Browser;
let inbox: SmtpInbox;

/** Calls a procedure over HTTP as a browser would (same origin), keeping the session cookie. */
function apiClient(baseUrl: string) {
  let cookie = "";
  return async function call<T>(path: string, input: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ json: input }),
    });
    const setCookie = response.headers.getSetCookie()[0];
    if (setCookie) cookie = setCookie.split(";")[0]!;
    const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
    if (!response.ok || !body.result)
      throw new Error(`${path}: ${response.status} ${JSON.stringify(body.error)}`);
    return body.result.data.json;
  };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

beforeAll(async () => {
  inbox = await startSmtpInbox();
  [app, browser] = await Promise.all([
    startApp({ SMTP_URL: inbox.url, MAIL_FROM: "Parlor <parlor@parlor.test>" }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await inbox?.close();
});

test("/favicon.ico leads to the app's icon, not a 404 (a console error in Chromium)", async () => {
  const response = await fetch(`${app.url}/favicon.ico`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/svg/);
});

test("forgot password: the emailed link sets a new password, then sign in with it", async () => {
  const call = apiClient(app.url);
  const email = "grace@example.com";
  await call("auth.signUp", { email: "root@example.com", password: PASSWORD, name: "Rosa Root" });
  await apiClient(app.url)("auth.signUp", { email, password: PASSWORD, name: "Grace Hopper" });

  const context = await newContext(browser, app.url);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.waitForURL("**/forgot-password");
    await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    await page.getByLabel("Email").fill(email);
    await docsScreenshot(page, "forgot-password");
    await page.getByRole("button", { name: "Email me a reset link" }).click();
    await page.getByText("a link to choose a new password is on its way").waitFor();
    await screenshot(page, "forgot-password-sent");

    const { url } = linkIn(await inbox.waitFor(email), app.url, "/reset-password/");
    await page.goto(url);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await page.getByText(`For ${email}.`).waitFor();
    await page.getByRole("textbox", { name: "New password" }).fill("short");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("Use at least 8 characters.").waitFor();
    await page.getByRole("textbox", { name: "New password" }).fill("a whole new passphrase");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.waitForURL("**/sign-in?reset=done");
    await page.getByText("Your password was changed").waitFor();
    await screenshot(page, "password-reset-done");

    // The link is used up.
    await page.goto(url);
    await page.getByRole("heading", { name: "This link can't be used" }).waitFor();
    await page.getByRole("link", { name: "Get a new link" }).waitFor();

    await signIn(page, email, "a whole new passphrase");
    await page.waitForURL(`${app.url}/`);
    expect(problems.list).toEqual([]);
  } catch (error) {
    await screenshot(page, "failure-forgot-password").catch(() => {});
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

test("a site admin finds a user and disables the account: signed out, sign-in refused", async () => {
  const root = apiClient(app.url);
  await root("auth.signIn", { email: "root@example.com", password: PASSWORD });
  // A few people in a few teams, for a realistic list.
  const people = [
    ["Ada Lovelace", "ada@example.com"],
    ["Alan Turing", "alan@example.com"],
    ["Katherine Johnson", "katherine@example.com"],
  ] as const;
  const { slug } = await root<{ slug: string }>("team.create", { name: "Analytical Engines" });
  const design = await root<{ slug: string }>("team.create", { name: "Design Review" });
  for (const [name, email] of people) {
    const person = apiClient(app.url);
    await person("auth.signUp", { email, password: PASSWORD, name });
    const { token } = await root<{ token: string }>("team.createInvite", { teamSlug: slug });
    await person("team.acceptInvite", { token });
    if (name !== "Alan Turing") {
      const invite = await root<{ token: string }>("team.createInvite", {
        teamSlug: design.slug,
        role: "admin",
      });
      await person("team.acceptInvite", { token: invite.token });
    }
  }

  const adminContext = await newContext(browser, app.url);
  const admin = await adminContext.newPage();
  const victimContext = await newContext(browser, app.url);
  const victim = await victimContext.newPage();
  const problems = watchProblems(admin);
  try {
    await signIn(victim, "alan@example.com", PASSWORD);
    await victim.waitForURL(`${app.url}/`);

    await signIn(admin, "root@example.com", PASSWORD);
    await admin.waitForURL(`${app.url}/`);
    await admin.goto("/admin");
    await admin
      .getByRole("navigation", { name: "Site administration" })
      .getByRole("link", { name: "Users" })
      .click();
    await admin.waitForURL("**/admin/users");
    const table = admin.getByRole("table");
    await table.getByText("Katherine Johnson").waitFor();
    await expect.poll(() => table.getByRole("row").count()).toBe(6); // header + 5 people
    await docsScreenshot(admin, "admin-users");

    await admin.getByLabel("Search users").fill("turing");
    await expect.poll(() => table.getByRole("row").count()).toBe(2);
    await admin.getByRole("button", { name: "Actions for Alan Turing" }).click();
    await admin.getByRole("menuitem", { name: "Disable account" }).click();
    await admin.getByRole("button", { name: "Disable account" }).click();
    await admin.getByText("Alan Turing's account is disabled").waitFor();
    await table.getByText("Disabled").waitFor();

    // Alan's open session is over: the next page load sends him to sign in, which refuses him.
    await victim.reload();
    await victim.waitForURL("**/sign-in**");
    await signIn(victim, "alan@example.com", PASSWORD);
    await victim.getByText("This account has been disabled by a site administrator").waitFor();
    await screenshot(victim, "sign-in-disabled");

    await admin.getByLabel("Search users").fill("");
    await admin
      .getByRole("navigation", { name: "Site administration" })
      .getByRole("link", { name: "Teams" })
      .click();
    await admin.waitForURL("**/admin/teams");
    await admin.getByText("Analytical Engines").waitFor();
    await screenshot(admin, "admin-teams");
    expect(problems.list).toEqual([]);
  } catch (error) {
    await screenshot(admin, "failure-admin-users").catch(() => {});
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n\nServer output:\n${app.output()}`,
      {
        cause: error,
      },
    );
  } finally {
    await adminContext.close();
    await victimContext.close();
  }
});

test("owners rename and delete their team; people delete their own account", async () => {
  const owner = apiClient(app.url);
  await owner("auth.signUp", { email: "olive@example.com", password: PASSWORD, name: "Olive Owner" });
  const { slug } = await owner<{ slug: string }>("team.create", { name: "Moonshots" });

  const context = await newContext(browser, app.url);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    await signIn(page, "olive@example.com", PASSWORD);
    await page.waitForURL(`${app.url}/`);
    await page.goto(`/t/${slug}`);
    const settings = page.getByRole("region", { name: "Team settings" });
    await settings.getByLabel("Team name").fill("Moonshot Factory");
    await settings.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { level: 1, name: /Moonshot Factory/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/t/${slug}`);

    // The sole owner cannot delete their account while the team depends on them.
    await page.goto("/settings");
    await page.getByRole("button", { name: "Delete account" }).click();
    const accountDialog = page.getByRole("dialog");
    await accountDialog.getByLabel("Your password").fill(PASSWORD);
    await accountDialog.getByRole("button", { name: "Delete my account" }).click();
    await accountDialog.getByText("You are the only owner of Moonshot Factory").waitFor();
    await accountDialog.getByRole("button", { name: "Cancel" }).click();

    await page.goto(`/t/${slug}`);
    await settings.getByRole("button", { name: "Delete team" }).click();
    const teamDialog = page.getByRole("dialog");
    const confirm = teamDialog.getByRole("button", { name: "Delete team" });
    expect(await confirm.isDisabled()).toBe(true);
    await teamDialog.getByLabel(/to confirm/).fill("Moonshot Factory");
    await screenshot(page, "team-delete-confirm");
    await confirm.click();
    await page.waitForURL(`${app.url}/`);
    await page.getByText("You're not in a team yet").waitFor();

    await page.goto("/settings");
    await page.getByRole("button", { name: "Delete account" }).click();
    await accountDialog.getByLabel("Your password").fill(PASSWORD);
    await accountDialog.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL("**/sign-in");
    await signIn(page, "olive@example.com", PASSWORD);
    await page.getByText("That email and password do not match an account.").waitFor();
    expect(problems.list.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
  } catch (error) {
    await screenshot(page, "failure-self-service").catch(() => {});
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

test("without SMTP, sign-in and forgot password say to ask the site admin", async () => {
  const plain = await startApp();
  // An instance with an account (a fresh one sends sign-in's visitors to create the first one).
  const created = await fetch(`${plain.url}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: plain.url },
    body: JSON.stringify({
      json: { email: "first@example.com", password: "correct horse battery staple", name: "First" },
    }),
  });
  expect(created.status).toBe(200);
  const context = await newContext(browser, plain.url);
  const page = await context.newPage();
  try {
    await page.goto("/sign-in");
    await page.getByText("Forgot it? Ask your site administrator for a password reset link.").waitFor();
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByText("Ask your site administrator").waitFor();
    expect(await page.getByRole("button", { name: "Email me a reset link" }).count()).toBe(0);
    await screenshot(page, "forgot-password-no-smtp");
  } finally {
    await context.close();
    await plain.stop();
  }
});
