/**
 * In-process profile of LiveKit webhook ingestion: no Next.js, no HTTP, just
 * `handleLiveKitWebhook(services, new Request(...))` on a throw-away Postgres database, fed the same
 * kind of signed burst as the bench's `measureBurst` (capacity.ts): per room room_started, seven
 * joins of team members, two leaves; every 10th room a leave before its join, every 20th room a
 * redelivered room_started. 32 in flight. Prints events/s, p50/p99 per event, CPU per event
 * (process.cpuUsage of this process; its Postgres backends' from /proc), whether presence came
 * out exact, and SQL statements per event type (the database's onQuery).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm --filter @parlor/bench profile:webhooks [rounds] [--count]
 *
 * Each round seeds a fresh team of 100 rooms and sends its 1,000 events; the first round warms up
 * and is not reported. `--count` first sends one round one event at a time, attributing statements
 * to event types. `--api <dir>` loads another checkout's packages/api (e.g. an export of the
 * base commit with this one's node_modules linked in) for an interleaved before/after comparison.
 * With `node --cpu-prof --import tsx src/webhook-profile.ts` the .cpuprofile shows where the time went.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

import { createTestDatabase } from "@parlor/db/testing";
import { signWebhook } from "@parlor/api/testing/webhook-sender";
import type * as ParlorApi from "@parlor/api/server";
import postgres from "postgres";

import { roomBurst } from "./webhook-burst";

const ROOMS = 100;
const JOINS_PER_ROOM = 7;
const IN_FLIGHT = 32;
const API_KEY = "profile-key";
const API_SECRET = "profile-secret-that-is-long-enough-for-hs256";

const args = process.argv.slice(2);
const apiAt = args.indexOf("--api");
const apiDir = apiAt >= 0 ? resolve(args[apiAt + 1]!) : resolve(import.meta.dirname, "../../packages/api");
const rounds = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--api") ?? 4);

if (!process.env.DATABASE_URL) throw new Error("set DATABASE_URL to a Postgres server");
process.env.TEST_DB_DRIVER = "postgres";

type Api = typeof ParlorApi;
type Services = ParlorApi.Services;
// The plumbing moved into src/lib/; an older checkout passed with --api still has it at src/.
const plumbing = (name: string) =>
  existsSync(`${apiDir}/src/lib/${name}.ts`) ? `${apiDir}/src/lib/${name}.ts` : `${apiDir}/src/${name}.ts`;
const { loadConfig } = (await import(plumbing("config"))) as Api;
const { createServices } = (await import(plumbing("services"))) as Api;
const { handleLiveKitWebhook } = (await import(`${apiDir}/src/http.ts`)) as Api;
const { createLogger } = (await import(`${apiDir}/src/lib/logger.ts`)) as {
  createLogger: (level: string) => Services["logger"];
};

/** Statements run, by the kind of event being applied when they ran. */
let current = "setup";
const statements = new Map<string, number>();
const database = await createTestDatabase({
  onQuery: () => statements.set(current, (statements.get(current) ?? 0) + 1),
});
const sql = postgres(database.url!, { max: 2, onnotice: () => {} });
const config = loadConfig({
  // Never called unless a join must be enforced (none here are).
  LIVEKIT_URL: "ws://127.0.0.1:9",
  LIVEKIT_API_KEY: API_KEY,
  LIVEKIT_API_SECRET: API_SECRET,
  LOG_LEVEL: "info",
});
const services: Services = createServices(config, { database, logger: createLogger("warn") });

const [owner] = await sql<{ id: string }[]>`
  insert into users (email, name, password_hash) values (${`owner-${randomUUID()}@profile.test`}, 'Owner', 'x')
  returning id`;

interface Signed {
  kind: string;
  body: string;
  authorization: string;
}

/** A team of ROOMS rooms whose members join and leave: the burst's events, signed, in send order. */
async function seedRound(): Promise<{ events: Signed[]; teamId: string; expected: Set<string> }> {
  const tag = randomUUID().slice(0, 8);
  const [team] = await sql<{ id: string }[]>`
    insert into teams (name, slug) values (${`Profile ${tag}`}, ${`profile-${tag}`})
    returning id`;
  const rooms = Array.from({ length: ROOMS }, (_, i) => ({
    slug: `room-${i}`,
    name: `Room ${i}`,
    livekit_room_name: `parlor-profile-${tag}-${i}`,
    sid: `RM_profile_${tag}_${i}`,
  }));
  await sql`
    insert into rooms (team_id, slug, name, livekit_room_name, created_by, empty_timeout_seconds, departure_timeout_seconds, max_participants)
    select ${team!.id}::uuid, r.slug, r.name, r.livekit_room_name, ${owner!.id}::uuid, 300, 30, 100
    from jsonb_to_recordset(${sql.json(rooms.map(({ slug, name, livekit_room_name }) => ({ slug, name, livekit_room_name })))})
      as r(slug text, name text, livekit_room_name text)`;
  const people = rooms.flatMap((_, i) =>
    Array.from({ length: JOINS_PER_ROOM }, (_, p) => ({
      id: randomUUID(),
      email: `p-${tag}-${i}-${p}@profile.test`,
      name: `Person ${i}.${p}`,
    })),
  );
  await sql`
    insert into users (id, email, name, password_hash)
    select p.id, p.email, p.name, 'x' from jsonb_to_recordset(${sql.json(people)}) as p(id uuid, email text, name text)`;
  await sql`
    insert into team_members (team_id, user_id, role)
    select ${team!.id}::uuid, p.id, 'member' from jsonb_to_recordset(${sql.json(people.map(({ id }) => ({ id })))}) as p(id uuid)`;
  await sql`analyze`;

  const base = Math.floor(Date.now() / 1000) - 900;
  const expected = new Set<string>();
  const perRoom = rooms.map((room, index) => {
    const { events, present } = roomBurst({
      index,
      room,
      people: people.slice(index * JOINS_PER_ROOM, (index + 1) * JOINS_PER_ROOM),
      base,
      sidPrefix: `PA_profile_${tag}`,
    });
    for (const key of present) expected.add(key);
    return events;
  });
  const order = perRoom[0]!.flatMap((_, step) => perRoom.map((list) => list[step]!));
  const seen = new Set<string>();
  const events: Signed[] = [];
  for (const event of order) {
    const body = JSON.stringify(event);
    const kind = seen.has(event.id) ? "redelivery" : event.event;
    seen.add(event.id);
    events.push({ kind, body, authorization: await signWebhook(body, API_KEY, API_SECRET, 600) });
  }
  return { events, teamId: team!.id, expected };
}

/** CPU (ms) so far of the app's Postgres backends (application_name 'parlor'), by pid. */
async function backendCpuMs(): Promise<Map<number, number>> {
  const backends = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = 'parlor'`;
  const cpu = new Map<number, number>();
  for (const { pid } of backends) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // utime + stime; USER_HZ 100
    } catch {
      // Gone.
    }
  }
  return cpu;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function runRound(report: boolean) {
  const { events, teamId, expected } = await seedRound();
  statements.clear();
  const latencies: number[] = [];
  const kinds = new Map<string, number>();
  let next = 0;
  let failures = 0;
  const backendsBefore = await backendCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < events.length; i = next++) {
        const { kind, body, authorization } = events[i]!;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const sent = performance.now();
        // Statement counts are attributed only when one event is in flight (see countStatements).
        if ((await deliver(body, authorization)) !== 200) failures++;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  let postgresMs = 0;
  for (const [pid, ms] of await backendCpuMs()) postgresMs += ms - (backendsBefore.get(pid) ?? 0);
  const present = await sql<{ key: string }[]>`
    select r.livekit_room_name || '/' || p.identity as key
    from participant_sessions p join rooms r on r.id = p.room_id
    where r.team_id = ${teamId} and p.left_at is null`;
  const exact = present.length === expected.size && present.every((r) => expected.has(r.key));
  latencies.sort((a, b) => a - b);
  if (report) {
    console.log(
      JSON.stringify({
        api: apiDir,
        events: events.length,
        eventsPerSecond: Math.round(events.length / seconds),
        p50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
        p99Ms: Math.round(percentile(latencies, 0.99) * 10) / 10,
        cpuMsPerEvent: Math.round(((cpu.user + cpu.system) / 1000 / events.length) * 1000) / 1000,
        postgresCpuMsPerEvent: Math.round((postgresMs / events.length) * 1000) / 1000,
        failures,
        exact,
      }),
    );
  }
}

/** Hands one signed event to the webhook handler as the route would; resolves to the status. */
async function deliver(body: string, authorization: string): Promise<number> {
  const response = await handleLiveKitWebhook(
    services,
    new Request("http://parlor.test/api/livekit/webhook", {
      method: "POST",
      headers: { "content-type": "application/webhook+json", authorization },
      body,
    }),
  );
  await response.arrayBuffer();
  return response.status;
}

/** Statements per event type, sending one event at a time so that each statement is attributed. */
async function countStatements() {
  const { events } = await seedRound();
  statements.clear();
  const kinds = new Map<string, number>();
  for (const { kind, body, authorization } of events) {
    current = kind;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    await deliver(body, authorization);
    // Let the coalesced presence announcement go out, so it is counted apart.
    current = "announcement";
    await new Promise((r) => setImmediate(r));
  }
  current = "other";
  const perKind = Object.fromEntries(
    [...kinds].map(([kind, n]) => [kind, Math.round(((statements.get(kind) ?? 0) / n) * 100) / 100]),
  );
  console.log(
    JSON.stringify({ statementsPerEvent: perKind, announcements: statements.get("announcement") ?? 0 }),
  );
}

try {
  if (args.includes("--count")) await countStatements();
  for (let round = 0; round <= rounds; round++) await runRound(round > 0);
} finally {
  // Let the last coalesced presence announcements go out before the database closes.
  await new Promise((r) => setTimeout(r, 200));
  await sql.end({ timeout: 5 });
  await database.close();
}
