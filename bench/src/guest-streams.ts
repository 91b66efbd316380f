/**
 * `pnpm --filter @parlor/bench guest-streams [--streams=500] [--changes=10] [--samples=20]`
 * (`TEST_DB_DRIVER=postgres DATABASE_URL=postgres://… pnpm --filter @parlor/bench guest-streams` on Postgres):
 * how the team page's queries (`team.list`, `room.list`) answer while guests' status streams are
 * open and the team's presence changes (issue 19, row 5). Runs the API in-process on PGlite, or with
 * TEST_DB_DRIVER=postgres on a throw-away database on the Postgres at DATABASE_URL, with the LiveKit double.
 *
 * Opens `--streams` guest status streams (guests through 100-guest links, 10 per network address,
 * the caps a real instance keeps), then times `team.list` and `room.list` idle, and again while
 * `--changes` presence changes of the team (the room locked and unlocked) arrive back to back.
 * Prints the p50 and the worst time of each, and how many status reads the changes cost.
 */
import { createTestDatabase, testDriver } from "@parlor/db/testing";
import { startTestApp } from "@parlor/api/testing";

import { createContext } from "../../packages/api/src/lib/context";
import { createCaller } from "../../packages/api/src/root";

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split("=")[1]) : fallback;
};
const streamCount = arg("streams", 500);
const changes = arg("changes", 10);
const samples = arg("samples", 20);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function main() {
  let statusReads = 0;
  const database = await createTestDatabase({
    onQuery: (query) => {
      if (/from "guest_sessions"/.test(query)) statusReads++;
    },
  });
  const unlimited = { limit: 1_000_000, windowSeconds: 3600 };
  const app = await startTestApp({
    database,
    ratePolicies: { guestJoinIp: unlimited, guestJoinLink: unlimited, guestLinkCreate: unlimited },
  });
  try {
    const owner = await app.signUp("Olivia Owner");
    const teamSlug = (await owner.trpc.team.create.mutate({ name: "Streams" })).slug;
    const room = { teamSlug, roomSlug: "lobby" };
    await owner.trpc.room.ensure.mutate(room);
    for (const slug of ["standup", "design", "retro"]) {
      await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: slug });
    }

    const controllers: AbortController[] = [];
    let link = await owner.trpc.room.createGuestLink.mutate(room);
    for (let i = 0; i < streamCount; i++) {
      if (i > 0 && i % 100 === 0) link = await owner.trpc.room.createGuestLink.mutate(room);
      const guest = app.client(`198.51.${Math.floor(i / 10)}.${i % 10}`);
      await guest.trpc.guest.join.mutate({ token: link.token, name: `Guest ${i}` });
      const controller = new AbortController();
      const ctx = createContext(app.services, {
        headers: new Headers({ cookie: `parlor_guest=${guest.cookies.get("parlor_guest")}` }),
        peerAddress: guest.ip,
      });
      const updates = await createCaller(ctx, { signal: controller.signal }).guest.statusChanges();
      const iterator = updates[Symbol.asyncIterator]();
      await iterator.next();
      // Keep reading, as a browser does, so each change reaches every stream.
      void (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next());
      })().catch(() => undefined);
      controllers.push(controller);
    }

    const time = async (call: () => Promise<unknown>) => {
      const started = performance.now();
      await call();
      return performance.now() - started;
    };
    const measure = async (during: boolean) => {
      const team: number[] = [];
      const rooms: number[] = [];
      let changing: Promise<void> = Promise.resolve();
      if (during) {
        changing = (async () => {
          for (let c = 0; c < changes; c++) {
            await owner.trpc.room.setLocked.mutate({ ...room, locked: c % 2 === 0 });
          }
        })();
      }
      for (let s = 0; s < samples; s++) {
        team.push(await time(() => owner.trpc.team.list.query()));
        rooms.push(await time(() => owner.trpc.room.list.query({ teamSlug })));
      }
      await changing;
      return { team, rooms };
    };

    const idle = await measure(false);
    statusReads = 0;
    const busy = await measure(true);
    const readsDuringChanges = statusReads;
    for (const controller of controllers) controller.abort();

    const line = (what: string, values: number[]) =>
      `${what.padEnd(44)} ${percentile(values, 50).toFixed(1).padStart(8)} ${Math.max(...values)
        .toFixed(1)
        .padStart(8)}`;
    console.log(
      `guest status streams on ${testDriver()}: ${streamCount} open, ${changes} presence changes, ${samples} samples each`,
    );
    console.log(`${"".padEnd(44)} ${"p50 ms".padStart(8)} ${"max ms".padStart(8)}`);
    console.log(line("team.list, idle", idle.team));
    console.log(line("room.list (4 rooms), idle", idle.rooms));
    console.log(line("team.list, during presence changes", busy.team));
    console.log(line("room.list (4 rooms), during presence changes", busy.rooms));
    console.log(
      `guest status reads for ${changes} changes with ${streamCount} streams open: ${readsDuringChanges}`,
    );
  } finally {
    await app.close();
    await database.close();
  }
}

await main();
process.exit(0);
