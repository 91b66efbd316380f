/**
 * "A team always keeps an owner" under real concurrency (issue 10, point 7): two owners acting on
 * each other at the same moment, through the HTTP handler, as parallel requests. On Postgres each
 * request's transaction runs on its own pooled connection, so the interleavings are real.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GOOD_PASSWORD, startTestApp, type TestApp } from "./harness";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

const ITERATIONS = 25;
const DELETION_TRIALS = 20;

describe(`a team keeps an owner under races on ${testDriver()}`, () => {
  let app: TestApp;
  let first: Person, second: Person;
  let counter = 0;

  beforeAll(async () => {
    const plenty = { limit: 100_000, windowSeconds: 3600 };
    app = await startTestApp({
      ratePolicies: {
        teamCreate: plenty,
        inviteCreate: plenty,
        inviteAccept: plenty,
        signUpIp: plenty,
        signInIp: { ...plenty, backoff: { baseSeconds: 1, maxSeconds: 1 } },
      },
    });
    first = await app.signUp("Owner One");
    second = await app.signUp("Owner Two");
  });
  afterAll(() => app.close());

  /** A team both people own. */
  async function twoOwners() {
    const team = await first.trpc.team.create.mutate({ name: `Race ${++counter}` });
    const invite = await first.trpc.team.createInvite.mutate({ teamSlug: team.slug, role: "admin" });
    await second.trpc.team.acceptInvite.mutate({ token: invite.token });
    await first.trpc.team.changeRole.mutate({ teamSlug: team.slug, userId: second.user.id, role: "owner" });
    return team;
  }

  const owners = async (teamId: string) => {
    const [row] = await app.services.db
      .select({ n: count() })
      .from(schema.teamMembers)
      .where(and(eq(schema.teamMembers.teamId, teamId), eq(schema.teamMembers.role, "owner")));
    return row?.n ?? 0;
  };

  const races: [string, (slug: string) => Promise<unknown>[]][] = [
    [
      "both leave",
      (teamSlug) => [first.trpc.team.leave.mutate({ teamSlug }), second.trpc.team.leave.mutate({ teamSlug })],
    ],
    [
      "each demotes the other",
      (teamSlug) => [
        first.trpc.team.changeRole.mutate({ teamSlug, userId: second.user.id, role: "member" }),
        second.trpc.team.changeRole.mutate({ teamSlug, userId: first.user.id, role: "member" }),
      ],
    ],
    [
      "each removes the other",
      (teamSlug) => [
        first.trpc.team.removeMember.mutate({ teamSlug, userId: second.user.id }),
        second.trpc.team.removeMember.mutate({ teamSlug, userId: first.user.id }),
      ],
    ],
    [
      "one leaves while the other demotes themself",
      (teamSlug) => [
        first.trpc.team.leave.mutate({ teamSlug }),
        second.trpc.team.changeRole.mutate({ teamSlug, userId: second.user.id, role: "admin" }),
      ],
    ],
  ];

  /*
   * Issue 19, row 6: account deletion checked "someone else owns it" under the site-admin lock,
   * leaving under the team's row lock, so both could pass their checks at once. The deletion
   * reaches its check after a password hash (tens of ms), so the leave is started at delays
   * spread over that window, for the two transactions to overlap in some of the trials.
   */
  it(`one owner deletes their account while the other leaves: an owner is always left (${DELETION_TRIALS} runs)`, async () => {
    const member = await app.signUp("Member C");
    for (let i = 0; i < DELETION_TRIALS; i++) {
      const deleting = await app.signUp(`Deleting Owner ${i}`);
      const leaving = await app.signUp(`Leaving Owner ${i}`);
      const team = await deleting.trpc.team.create.mutate({ name: `Deletion race ${i}` });
      await app.addToTeam(deleting, team.slug, [
        [leaving, "admin"],
        [member, "member"],
      ]);
      await deleting.trpc.team.changeRole.mutate({
        teamSlug: team.slug,
        userId: leaving.user.id,
        role: "owner",
      });

      const leaveAfterMs = (i * 7) % 120;
      const results = await Promise.allSettled([
        deleting.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD }),
        new Promise((resolve) => setTimeout(resolve, leaveAfterMs)).then(() =>
          leaving.trpc.team.leave.mutate({ teamSlug: team.slug }),
        ),
      ]);
      const outcome = `run ${i} (leave after ${leaveAfterMs} ms): ${results.map((r) => r.status).join("/")}`;
      expect(await owners(team.id), outcome).toBe(1);
      expect(
        results.filter((r) => r.status === "fulfilled"),
        outcome,
      ).toHaveLength(1);
      for (const refused of results.filter((r) => r.status === "rejected")) {
        expect(String(refused.reason), outcome).toMatch(/only owner/);
      }
    }
  });

  for (const [name, race] of races) {
    it(`${name}: one succeeds, the other is refused, an owner is left (${ITERATIONS} runs)`, async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const team = await twoOwners();
        const results = await Promise.allSettled(race(team.slug));
        outcomes.push(results.map((r) => r.status).join("/"));
        expect(await owners(team.id), `run ${i}: ${outcomes.at(-1)}`).toBeGreaterThanOrEqual(1);
        expect(
          results.filter((r) => r.status === "fulfilled"),
          `run ${i}`,
        ).toHaveLength(1);
      }
    });
  }
});
