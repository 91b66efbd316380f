/**
 * The join path's connection lookup on the embedded database (PGlite), with and without named
 * prepared statements (@parlor/db's `withPreparedStatements`), measured in one process.
 *
 *   pnpm --filter @parlor/bench exec tsx src/pglite-statements.ts [--calls=2000]
 *
 * A PGlite database in a temporary folder gets Parlor's migrations, then 5 teams of 4 people with
 * 3 rooms each through Parlor's real API (services on the LiveKit double, as the API tests run).
 * `room.connectionDetails` is called once per person and room with Drizzle's query logger
 * recording the SQL text and parameters it sends; that exact statement (Drizzle's own `rowMode`
 * and parsers) is then sent `--calls` times to PGlite's own `query()` and as many times through the
 * wrapper, alternating call by call so that both see the same machine load, and the median and
 * 95th percentile per call are printed. Then the whole `room.connectionDetails` request is timed
 * the same way (a quarter as many times) through two instances of Parlor's services on the same
 * database, one on each client.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { PGlite, type QueryOptions, types } from "@electric-sql/pglite";
import { createDatabase, type Database, type DatabaseHandle, withPreparedStatements } from "@parlor/db";
import * as schema from "@parlor/db/schema";
import { startTestApp } from "@parlor/api/testing";
import { drizzle } from "drizzle-orm/pglite";

import { percentile } from "./load";

const calls = Number(process.argv.find((arg) => arg.startsWith("--calls="))?.split("=")[1] ?? 2000);

/** What drizzle's pglite driver passes to `query()` for a select with fields (session.js). */
const drizzleQueryConfig: QueryOptions = {
  rowMode: "array",
  parsers: Object.fromEntries(
    [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map(
      (type) => [type, (value: string) => value],
    ),
  ),
};

interface SentQuery {
  text: string;
  params: unknown[];
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), "parlor-pglite-statements-"));
  try {
    // Migrations through Parlor's own handle, then the folder is reopened with a client we hold.
    const migrator = createDatabase({ dataDir });
    await migrator.migrate();
    await migrator.close();

    const plain = new PGlite(dataDir);
    const prepared = withPreparedStatements(plain);
    let sent: SentQuery[] = [];
    /** Parlor's database handle on `client`, recording what drizzle sends. */
    const handleOn = (client: PGlite): DatabaseHandle => ({
      db: drizzle({
        client,
        schema,
        logger: { logQuery: (text, params) => sent.push({ text, params }) },
      }) as unknown as Database,
      driver: "pglite",
      migrate: async () => {},
      listen: (channel, onMessage, onListen) =>
        plain.listen(channel, onMessage).then((unlisten) => {
          onListen?.();
          return unlisten;
        }),
      ping: async () => true,
      close: async () => {},
    });
    const app = await startTestApp({
      database: handleOn(prepared),
      ratePolicies: { roomCreate: { limit: 10_000, windowSeconds: 3600 } },
    });
    // The same services on PGlite's own query(), for the whole request measured both ways.
    const plainApp = await startTestApp({ database: handleOn(plain), livekit: app.livekit });
    type Browser = ReturnType<typeof app.client>;
    const requests: Array<{ browsers: [Browser, Browser]; teamSlug: string; roomSlug: string }> = [];

    // 5 teams of 4 people, 3 rooms each, made the way a browser makes them.
    const lookups: SentQuery[] = [];
    let person = 0;
    for (let t = 0; t < 5; t++) {
      const owner = await app.signUp(`Owner ${t}`, undefined, `198.51.100.${++person}`);
      const { slug: teamSlug } = await owner.trpc.team.create.mutate({ name: `Team ${t}` });
      const members = [owner];
      for (let m = 0; m < 3; m++) {
        const member = await app.signUp(`Member ${t}-${m}`, undefined, `198.51.100.${++person}`);
        const { token } = await owner.trpc.team.createInvite.mutate({ teamSlug });
        await member.trpc.team.acceptInvite.mutate({ token });
        members.push(member);
      }
      for (let r = 0; r < 3; r++) {
        await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: `room-${r}` });
        for (const member of members) {
          const twin = plainApp.client(member.ip);
          for (const [name, value] of member.cookies) twin.cookies.set(name, value);
          requests.push({ browsers: [member, twin], teamSlug, roomSlug: `room-${r}` });
          sent = [];
          await member.trpc.room.connectionDetails.query({ teamSlug, roomSlug: `room-${r}` });
          const lookup = sent.find((query) => /from "rooms"/.test(query.text));
          if (!lookup) throw new Error("connectionDetails sent no room lookup");
          lookups.push(lookup);
        }
      }
    }
    const texts = new Set(lookups.map((lookup) => lookup.text));
    if (texts.size !== 1) throw new Error(`expected one lookup statement, saw ${texts.size}`);

    const timings = { plain: [] as number[], prepared: [] as number[] };
    const run = async (client: PGlite, { text, params }: SentQuery) => {
      const start = performance.now();
      const result = await client.query(text, params, drizzleQueryConfig);
      const elapsed = performance.now() - start;
      if (result.rows.length !== 1) throw new Error("the lookup found no room");
      return elapsed;
    };
    // Warm-up: the JIT, PGlite's caches, and the wrapper's one Parse.
    for (let i = 0; i < 100; i++) {
      const lookup = lookups[i % lookups.length] as SentQuery;
      await run(plain, lookup);
      await run(prepared, lookup);
    }
    for (let i = 0; i < calls; i++) {
      const lookup = lookups[i % lookups.length] as SentQuery;
      // Alternate which goes first, so neither always follows the other.
      if (i % 2 === 0) {
        timings.plain.push(await run(plain, lookup));
        timings.prepared.push(await run(prepared, lookup));
      } else {
        timings.prepared.push(await run(prepared, lookup));
        timings.plain.push(await run(plain, lookup));
      }
    }

    // The whole `room.connectionDetails` request through Parlor's tRPC handler (session cache,
    // lookup, token), a quarter as many times.
    const requestTimings = { plain: [] as number[], prepared: [] as number[] };
    const request = async (index: number, which: 0 | 1) => {
      const { browsers, teamSlug, roomSlug } = requests[index % requests.length]!;
      const start = performance.now();
      await browsers[which].trpc.room.connectionDetails.query({ teamSlug, roomSlug });
      return performance.now() - start;
    };
    for (let i = 0; i < 100; i++) {
      await request(i, 0);
      await request(i, 1);
    }
    for (let i = 0; i < calls / 4; i++) {
      const order = i % 2 === 0 ? ([1, 0] as const) : ([0, 1] as const);
      for (const which of order) {
        (which === 0 ? requestTimings.prepared : requestTimings.plain).push(await request(i, which));
      }
    }
    await plainApp.close();
    await app.close();
    await plain.close();

    const line = (name: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${name.padEnd(34)} median ${percentile(sorted, 50).toFixed(3)} ms   p95 ${percentile(sorted, 95).toFixed(3)} ms`;
    };
    console.log(
      `connection lookup on PGlite, ${calls} calls each, interleaved (${lookups.length} person/room pairs)`,
    );
    console.log(line("PGlite query() (unnamed statement)", timings.plain));
    console.log(line("withPreparedStatements", timings.prepared));
    console.log(`room.connectionDetails through the tRPC handler, ${calls / 4} requests each, interleaved`);
    console.log(line("PGlite query() (unnamed statement)", requestTimings.plain));
    console.log(line("withPreparedStatements", requestTimings.prepared));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
