/**
 * Issue 19, row 11: a cookie whose percent-encoding is broken (`%E0%A4%A`) made `decodeURIComponent`
 * throw, and the API answered 500 with a URIError stack in the log at error level. It is someone
 * else's garbage, not Parlor's failure: it counts as no cookie, and is noted at warn, without a stack.
 */
import { Writable } from "node:stream";

import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger } from "../src/lib/logger";
import { errorOf, startTestApp, type TestApp } from "./harness";

const MALFORMED = "%E0%A4%A";

describe(`malformed percent-encoding in cookies, on ${testDriver()}`, () => {
  let app: TestApp;
  let linkToken: string;
  const lines: { level: number; msg: string; err?: unknown; stack?: unknown }[] = [];

  beforeAll(async () => {
    const logger = createLogger(
      "info",
      new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
    );
    app = await startTestApp({ logger });
    const owner = await app.signUp("Olive Owner");
    const { slug: teamSlug } = await owner.trpc.team.create.mutate({ name: "Encodings" });
    const room = { teamSlug, roomSlug: "lobby" };
    await owner.trpc.room.ensure.mutate(room);
    linkToken = (await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: true })).token;
  });
  afterAll(() => app.close());

  const withCookie = (name: string) => {
    const browser = app.client();
    browser.cookies.set(name, MALFORMED);
    return browser;
  };

  it("a broken guest cookie counts as none: guest.status says how to get a pass, guest.preview works", async () => {
    lines.length = 0;
    const browser = withCookie("parlor_guest");
    const status = await errorOf(browser.trpc.guest.status.query());
    expect(status.code).toBe("UNAUTHORIZED");
    expect(status.message).toMatch(/Open the guest link again/);
    expect(await browser.trpc.guest.preview.query({ token: linkToken })).toMatchObject({ guest: null });
    // And a pass can be had through the link, replacing the broken cookie.
    expect(await browser.trpc.guest.join.mutate({ token: linkToken, name: "Gus Guest" })).toMatchObject({
      status: "waiting",
    });
    expect((await browser.trpc.guest.status.query()).status).toBe("waiting");

    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toContain("malformed cookie ignored");
    for (const warning of warnings) expect(JSON.stringify(warning)).not.toMatch(/stack|URIError/);
  });

  it("a broken session cookie counts as signed out", async () => {
    lines.length = 0;
    expect(await withCookie("auth_session").trpc.auth.me.query()).toBeNull();
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
