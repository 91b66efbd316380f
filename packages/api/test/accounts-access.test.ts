/**
 * Who may call each procedure added for accounts and instance administration: every procedure
 * against every kind of caller, on a fresh set of people per procedure, through the HTTP handler.
 */
import { testDriver } from "@parlor/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorOf, GOOD_PASSWORD, startTestApp, TEST_ORIGIN, type TestApp, type TestClient } from "./harness";
import { startSmtpInbox, type SmtpInbox } from "./smtp-inbox";

const ACTORS = ["signedOut", "member", "admin", "otherTeam", "siteAdmin", "owner"] as const;
type ActorName = (typeof ACTORS)[number];
type Outcome = "OK" | string;
type Person = Awaited<ReturnType<TestApp["signUp"]>>;

interface World {
  teamSlug: string;
  teamName: string;
  spareTeam: { slug: string; name: string };
  target: Person;
  people: Record<Exclude<ActorName, "signedOut">, Person>;
}

const everyone = (outcome: Outcome) =>
  Object.fromEntries(ACTORS.map((a) => [a, outcome])) as Record<ActorName, Outcome>;
const siteAdminOnly = { ...everyone("FORBIDDEN"), signedOut: "UNAUTHORIZED", siteAdmin: "OK" };
const ownerOnly = {
  signedOut: "UNAUTHORIZED",
  member: "FORBIDDEN",
  admin: "FORBIDDEN",
  otherTeam: "NOT_FOUND",
  siteAdmin: "NOT_FOUND",
  owner: "OK",
};

describe(`who may call the account and administration procedures, on ${testDriver()}`, () => {
  let app: TestApp;
  let inbox: SmtpInbox;
  let root: Person;
  let n = 0;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    app = await startTestApp({
      env: { SMTP_URL: inbox.url, MAIL_FROM: "parlor@parlor.test", APP_URL: TEST_ORIGIN },
      // Many sign-ups and requests from one simulated address: limits are tested elsewhere.
      ratePolicies: {
        signUpIp: { limit: 10_000, windowSeconds: 3600 },
        passwordResetEmail: { limit: 10_000, windowSeconds: 3600 },
        passwordResetIp: { limit: 10_000, windowSeconds: 3600 },
      },
    });
    root = await app.signUp("Root"); // the first account: a site admin who stays one
  });
  afterAll(async () => {
    await app.close();
    await inbox.close();
  });

  async function makeWorld(): Promise<World> {
    const id = ++n;
    const [owner, admin, member, otherTeam, siteAdmin, target] = await Promise.all(
      ["Owner", "Admin", "Member", "Other", "SiteAdmin", "Target"].map((name) => app.signUp(`${name} ${id}`)),
    );
    const teamName = `Team ${id}`;
    const { slug: teamSlug } = await owner!.trpc.team.create.mutate({ name: teamName });
    await app.addToTeam(owner!, teamSlug, [
      [admin!, "admin"],
      [member!, "member"],
    ]);
    await otherTeam!.trpc.team.create.mutate({ name: `Elsewhere ${id}` });
    await root.trpc.admin.setSiteAdmin.mutate({ userId: siteAdmin!.user.id, isAdmin: true });
    const spare = await root.trpc.team.create.mutate({ name: `Spare ${id}` });
    return {
      teamSlug,
      teamName,
      spareTeam: { slug: spare.slug, name: spare.name },
      target: target!,
      people: { owner: owner!, admin: admin!, member: member!, otherTeam: otherTeam!, siteAdmin: siteAdmin! },
    };
  }

  const resetToken = async (world: World) =>
    (await root.trpc.admin.createPasswordResetLink.mutate({ userId: world.target.user.id })).url
      .split("/")
      .at(-1)!;

  const matrix: {
    procedure: string;
    expected: Record<ActorName, Outcome>;
    call: (client: TestClient["trpc"], world: World, actor: ActorName) => Promise<unknown>;
  }[] = [
    {
      procedure: "auth.capabilities",
      expected: everyone("OK"),
      call: (c) => c.auth.capabilities.query(),
    },
    {
      procedure: "auth.requestPasswordReset",
      expected: everyone("OK"),
      call: (c, w) => c.auth.requestPasswordReset.mutate({ email: w.target.email }),
    },
    {
      procedure: "auth.checkPasswordReset",
      expected: everyone("OK"),
      call: async (c, w) => c.auth.checkPasswordReset.query({ token: await resetToken(w) }),
    },
    {
      procedure: "auth.resetPassword",
      expected: everyone("OK"),
      call: async (c, w) =>
        c.auth.resetPassword.mutate({ token: await resetToken(w), password: "fresh secret words 7" }),
    },
    {
      procedure: "auth.deleteAccount (each deletes their own; sole owners must hand over first)",
      expected: {
        ...everyone("OK"),
        signedOut: "UNAUTHORIZED",
        owner: "BAD_REQUEST",
        otherTeam: "BAD_REQUEST",
      },
      call: (c) => c.auth.deleteAccount.mutate({ password: GOOD_PASSWORD }),
    },
    {
      procedure: "team.rename",
      expected: ownerOnly,
      call: (c, w, actor) => c.team.rename.mutate({ teamSlug: w.teamSlug, name: `Renamed by ${actor}` }),
    },
    {
      procedure: "team.delete",
      expected: ownerOnly,
      call: (c, w) => c.team.delete.mutate({ teamSlug: w.teamSlug, confirmName: w.teamName }),
    },
    {
      procedure: "team.sendInvite",
      expected: { ...ownerOnly, admin: "OK" },
      call: (c, w, actor) =>
        c.team.sendInvite.mutate({ teamSlug: w.teamSlug, email: `${actor}-${n}@example.com` }),
    },
    {
      procedure: "admin.users",
      expected: siteAdminOnly,
      call: (c) => c.admin.users.query({}),
    },
    {
      procedure: "admin.setSiteAdmin",
      expected: siteAdminOnly,
      call: (c, w) => c.admin.setSiteAdmin.mutate({ userId: w.target.user.id, isAdmin: true }),
    },
    {
      procedure: "admin.setDisabled",
      expected: siteAdminOnly,
      call: (c, w) => c.admin.setDisabled.mutate({ userId: w.target.user.id, disabled: true }),
    },
    {
      procedure: "admin.createPasswordResetLink",
      expected: siteAdminOnly,
      call: (c, w) => c.admin.createPasswordResetLink.mutate({ userId: w.target.user.id }),
    },
    {
      procedure: "admin.teams",
      expected: siteAdminOnly,
      call: (c) => c.admin.teams.query({}),
    },
    {
      procedure: "admin.deleteTeam",
      expected: siteAdminOnly,
      call: (c, w) =>
        c.admin.deleteTeam.mutate({ teamSlug: w.spareTeam.slug, confirmName: w.spareTeam.name }),
    },
  ];

  it.each(matrix)("$procedure", async ({ expected, call }) => {
    const world = await makeWorld();
    const outcomes: Partial<Record<ActorName, Outcome>> = {};
    for (const actor of ACTORS) {
      const client = actor === "signedOut" ? app.client().trpc : world.people[actor].trpc;
      try {
        await call(client, world, actor);
        outcomes[actor] = "OK";
      } catch (error) {
        outcomes[actor] = (await errorOf(Promise.reject(error))).code ?? "?";
      }
    }
    expect(outcomes).toEqual(expected);
  });
});
