/**
 * Sessions are cached in each web instance's memory, so a signed-in request needs no database
 * round trip for its session. These tests run TWO app instances (two service sets, each with its
 * own cache, on one database) and prove that whatever ends access on one is refused on the other
 * at once (a second when idle): the database announces it (triggers → NOTIFY), every instance drops it.
 */
import { createDatabase, type DatabaseHandle } from "@parlor/db";
import { createTestDatabase, testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { defaultSessionCachePolicy } from "../src/lib/lucia";
import { GOOD_PASSWORD, startTestApp, type TestApp } from "./harness";

/** A third of the cache's lifetime: a refusal sooner than this came from the announcement. */
const PROMPT_MS = defaultSessionCachePolicy.ttlMs / 3;

type Browser = ReturnType<TestApp["client"]>;

describe(`the session cache across two instances on ${testDriver()}`, () => {
  let database: DatabaseHandle & { url?: string };
  let databaseB: DatabaseHandle;
  let a: TestApp, b: TestApp;
  let admin: Awaited<ReturnType<TestApp["signUp"]>>;
  let teamSlug: string;
  /** Statements instance B sent (on PGlite, both instances share one handle: read it between calls). */
  let queriesB: string[] = [];

  beforeAll(async () => {
    const onQuery = (query: string) => queriesB.push(query);
    database = await createTestDatabase(testDriver() === "pglite" ? { onQuery } : {});
    databaseB = database.url ? createDatabase({ url: database.url, onQuery }) : database;
    a = await startTestApp({ database });
    b = await startTestApp({ database: databaseB, livekit: a.livekit });
    admin = await a.signUp("Ada Admin");
    teamSlug = (await admin.trpc.team.create.mutate({ name: "Cache" })).slug;
    await b.services.presenceBus.ready();
  });
  afterAll(async () => {
    await b?.close();
    if (databaseB !== database) await databaseB?.close();
    await a?.close();
    await database?.close();
  });

  /** The same browser (cookie jar) talking to instance B. */
  function onB(browser: Browser): Browser {
    const twin = b.client(browser.ip);
    for (const [name, value] of browser.cookies) twin.cookies.set(name, value);
    return twin;
  }

  /** A member of the team, signed in on A, whose session instance B has validated and cached. */
  async function cachedMember(name: string) {
    const person = await a.signUp(name);
    await person.trpc.team.acceptInvite.mutate({
      token: (await admin.trpc.team.createInvite.mutate({ teamSlug })).token,
    });
    const twin = onB(person);
    // Twice: B starts listening on its first lookup and caches only once it listens.
    for (let i = 0; i < 2; i++) expect(await twin.trpc.auth.me.query()).toMatchObject({ id: person.user.id });
    return { ...person, twin };
  }

  /**
   * Milliseconds until `refused` holds on instance B. A second when idle; the bound is generous for
   * a busy machine but well under the cache's lifetime, so only the announcement can meet it.
   */
  async function refusedPromptly(refused: () => Promise<boolean>): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < PROMPT_MS) {
      if (await refused()) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`instance B still accepted the session ${PROMPT_MS / 1000} s later`);
  }

  const signedOut = (twin: Browser) => async () => (await twin.trpc.auth.me.query()) === null;

  it("needs no database round trip for a cached session", async () => {
    const person = await cachedMember("Cora Cached");
    queriesB = [];
    expect(await person.twin.trpc.auth.me.query()).toMatchObject({ id: person.user.id });
    expect(queriesB.filter((q) => q.includes('from "sessions"'))).toEqual([]);
  });

  it("refuses a session signed out on the other instance", async () => {
    const person = await cachedMember("Sam Signout");
    await person.trpc.auth.signOut.mutate();
    const ms = await refusedPromptly(signedOut(person.twin));
    expect(ms).toBeLessThan(PROMPT_MS);
  });

  it("refuses the other sessions after a password change on the other instance", async () => {
    const person = await cachedMember("Pat Password");
    const otherBrowser = a.client();
    await otherBrowser.trpc.auth.signIn.mutate({ email: person.email, password: GOOD_PASSWORD });
    const otherOnB = onB(otherBrowser);
    expect(await otherOnB.trpc.auth.me.query()).not.toBeNull();
    await person.trpc.auth.changePassword.mutate({
      currentPassword: GOOD_PASSWORD,
      newPassword: "another long enough passphrase",
    });
    await refusedPromptly(signedOut(otherOnB));
    // The session that changed it stays signed in.
    expect(await person.twin.trpc.auth.me.query()).toMatchObject({ id: person.user.id });
  });

  it("refuses a disabled account's session, and a deleted account's", async () => {
    const disabled = await cachedMember("Dina Disabled");
    await admin.trpc.admin.setDisabled.mutate({ userId: disabled.user.id, disabled: true });
    await refusedPromptly(signedOut(disabled.twin));

    const deleted = await a.signUp("Dan Deleted");
    const twin = onB(deleted);
    expect(await twin.trpc.auth.me.query()).not.toBeNull();
    await deleted.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD });
    await refusedPromptly(signedOut(twin));
  });

  it("sees a site admin flag taken back on the other instance", async () => {
    const person = await cachedMember("Ivy Interim");
    await admin.trpc.admin.setSiteAdmin.mutate({ userId: person.user.id, isAdmin: true });
    await refusedPromptly(async () => (await person.twin.trpc.auth.me.query())?.isAdmin === true);
    await admin.trpc.admin.setSiteAdmin.mutate({ userId: person.user.id, isAdmin: false });
    await refusedPromptly(async () => (await person.twin.trpc.auth.me.query())?.isAdmin === false);
  });

  it("refuses a join token to a member removed on the other instance", async () => {
    const person = await cachedMember("Remy Removed");
    const roomSlug = "standup";
    await admin.trpc.room.ensure.mutate({ teamSlug, roomSlug });
    await person.twin.trpc.room.connectionDetails.query({ teamSlug, roomSlug });
    await admin.trpc.team.removeMember.mutate({ teamSlug, userId: person.user.id });
    await refusedPromptly(() =>
      person.twin.trpc.room.connectionDetails.query({ teamSlug, roomSlug }).then(
        () => false,
        () => true,
      ),
    );
  });
});
