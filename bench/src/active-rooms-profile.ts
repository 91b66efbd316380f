/**
 * `pnpm --filter @parlor/bench profile:active-rooms [--runs=30] [--rooms=1000] [--per-room=10] [--compare=<module>]`:
 * times `admin.activeRooms` in-process on Postgres, in parts: `activeRooms(svc)` (the database
 * and the grouping; with this process's CPU and the Postgres backends' CPU in it), the
 * transformer's `serialize`, and the JSON.stringify tRPC then does; then the whole call as the
 * app serves it (`handleTRPCRequest` with a site admin's session cookie, the body read as text;
 * not Next's own layer nor compression).
 *
 * Seeds the bench's scale fixture (1,000 live rooms × 10 people, as seed.ts' `seedScaleFixture`
 * writes it) into a throw-away database on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and drops it afterwards. Prints p50/p99 per part (Postgres CPU: the mean, its clock ticks being
 * 10 ms). `--compare` names another module exporting `activeRooms` (a path relative to this file,
 * e.g. an older presence.ts saved with `git show <ref>:packages/api/src/presence.ts >
 * packages/api/src/presence-old.ts` and `--compare=../../packages/api/src/presence-old.ts`): both
 * run interleaved, so a busy machine slows both alike. Run under `node --cpu-prof --import tsx`
 * to see where the time goes within a part.
 */
import { readFileSync } from "node:fs";

import { createServices, handleTRPCRequest, loadConfig, TRPC_ENDPOINT } from "@parlor/api/server";
import { createDatabase } from "@parlor/db";
import { createThrowawayDatabase } from "@parlor/db/testing";
import postgres from "postgres";

// Internals the package does not export: the parts being timed.
import { transformer } from "../../packages/api/src/lib/transformer";
import { activeRooms } from "../../packages/api/src/presence";
import { batchRequest } from "./parlor-client";

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split("=")[1]) : fallback;
};
const runs = arg("runs", 30);
const roomCount = arg("rooms", 1000);
const perRoom = arg("per-room", 10);
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The scale fixture in bulk SQL: one team, `roomCount` rooms each with an open session of `perRoom` people. */
async function seed(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const now = Math.floor(Date.now() / 1000);
  try {
    const [admin] = await sql<{ id: string }[]>`
      insert into users (email, name, password_hash, is_admin)
      values ('admin@parlor.test', 'Admin', 'x', true) returning id`;
    const [team] = await sql<{ id: string }[]>`
      insert into teams (slug, name) values ('scale', 'Scale') returning id`;
    const rooms = Array.from({ length: roomCount }, (_, i) => ({
      slug: `room-${String(i).padStart(4, "0")}`,
      name: `Room ${i}`,
      livekit_room_name: `parlor-scale-${i}`,
      sid: `RM_scale_${i}`,
    }));
    const inserted = await sql<{ id: string; slug: string }[]>`
      insert into rooms (team_id, slug, name, livekit_room_name, created_by, empty_timeout_seconds, departure_timeout_seconds, max_participants)
      select ${team!.id}::uuid, r.slug, r.name, r.livekit_room_name, ${admin!.id}::uuid, 300, 30, 100
      from jsonb_to_recordset(${sql.json(rooms.map(({ slug, name, livekit_room_name }) => ({ slug, name, livekit_room_name })))})
        as r(slug text, name text, livekit_room_name text)
      returning id, slug`;
    const idBySlug = new Map(inserted.map((r) => [r.slug, r.id]));
    const sessions = await sql<{ id: string; room_id: string }[]>`
      insert into room_sessions (room_id, livekit_room_sid, started_at)
      select r.room_id, r.sid, to_timestamp(${now})
      from jsonb_to_recordset(${sql.json(rooms.map((r) => ({ room_id: idBySlug.get(r.slug)!, sid: r.sid })))})
        as r(room_id uuid, sid text)
      returning id, room_id`;
    const sessionByRoom = new Map(sessions.map((s) => [s.room_id, s.id]));
    const people = rooms.flatMap((room, i) => {
      const roomId = idBySlug.get(room.slug)!;
      return Array.from({ length: perRoom }, (_, p) => ({
        room_session_id: sessionByRoom.get(roomId)!,
        room_id: roomId,
        identity: `scale-${i}-${p}`,
        name: `Person ${i}.${p}`,
        participant_sid: `PA_scale_${i}_${p}`,
      }));
    });
    for (let offset = 0; offset < people.length; offset += 2000) {
      await sql`
        insert into participant_sessions (room_session_id, room_id, identity, name, participant_sid, joined_at)
        select p.room_session_id, p.room_id, p.identity, p.name, p.participant_sid, to_timestamp(${now})
        from jsonb_to_recordset(${sql.json(people.slice(offset, offset + 2000))})
          as p(room_session_id uuid, room_id uuid, identity text, name text, participant_sid text)`;
    }
    // Presence counts as just reconciled, so the call starts no reconciliation with LiveKit.
    await sql`insert into app_state (key, value) values ('presence.reconciled_at', '2100-01-01T00:00:00.000Z')`;
    await sql`analyze`;
    return admin!.id;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU time (ms) the given processes have used so far, from /proc (Linux; in 10 ms clock ticks). */
function processCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A backend that ended in between: its time is lost, not an error.
    }
  }
  return ticks * 10;
}

type ActiveRooms = typeof activeRooms;
const compareWith = process.argv.find((a) => a.startsWith("--compare="))?.split("=")[1];
const variants: Record<string, ActiveRooms> = { current: activeRooms };
if (compareWith)
  variants.compared = ((await import(compareWith)) as { activeRooms: ActiveRooms }).activeRooms;

const database = await createThrowawayDatabase(serverUrl, "parlor_profile");
const handle = createDatabase({ url: database.url });
const observer = postgres(serverUrl, { max: 1, onnotice: () => {} });
try {
  await handle.migrate();
  const adminId = await seed(database.url);
  const svc = createServices(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent" }), {
    database: handle,
  });
  const backends = async () =>
    (
      await observer<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database.name}`
    ).map((r) => r.pid);
  const parts = () => ({
    query: [] as number[],
    "query cpu": [] as number[],
    serialize: [] as number[],
    stringify: [] as number[],
    total: [] as number[],
  });
  const measured = Object.fromEntries(Object.keys(variants).map((name) => [name, parts()]));
  const postgresCpu = Object.fromEntries(Object.keys(variants).map((name) => [name, 0]));
  let bytes = 0;
  const names = Object.keys(variants);
  const warmUp = 3 * names.length;
  for (let i = 0; i < warmUp + runs * names.length; i++) {
    const name = names[i % names.length]!;
    const pids = await backends();
    const pg0 = processCpuMs(pids);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rooms = await variants[name]!(svc);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const pg = processCpuMs(pids) - pg0;
    const serialized = transformer.serialize(rooms);
    const t2 = performance.now();
    const body = JSON.stringify(serialized);
    const t3 = performance.now();
    if (rooms.length !== roomCount) throw new Error(`${name}: activeRooms listed ${rooms.length} rooms`);
    bytes = body.length;
    if (i < warmUp) continue;
    const m = measured[name]!;
    m.query.push(t1 - t0);
    m["query cpu"].push((cpu.user + cpu.system) / 1000);
    m.serialize.push(t2 - t1);
    m.stringify.push(t3 - t2);
    m.total.push(t3 - t0);
    postgresCpu[name]! += pg;
  }
  console.log(
    `${roomCount} rooms × ${perRoom} people, ${runs} runs each, answer ${(bytes / 1024).toFixed(0)} KiB`,
  );
  for (const name of names) {
    console.log(name === "current" ? "current code:" : `compared (${compareWith}):`);
    for (const [part, values] of Object.entries(measured[name]!))
      console.log(
        `  ${part.padEnd(10)} p50 ${percentile(values, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(values, 99).toFixed(1).padStart(6)} ms`,
      );
    console.log(`  postgres cpu mean ${(postgresCpu[name]! / runs).toFixed(1)} ms`);
  }

  const { cookie } = await svc.sessions.create(adminId, false);
  const call = batchRequest("admin.activeRooms", "query", undefined);
  const requestMs: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const response = await handleTRPCRequest(
      svc,
      new Request(`http://parlor.test${call.path}`, {
        headers: { accept: "application/json", cookie: `${cookie.name}=${cookie.value}` },
      }),
    );
    const body = await response.text();
    if (response.status !== 200)
      throw new Error(`admin.activeRooms: HTTP ${response.status} ${body.slice(0, 200)}`);
    if (i >= 3) requestMs.push(performance.now() - t0);
  }
  console.log(
    `whole call (${TRPC_ENDPOINT}/admin.activeRooms, current code): p50 ${percentile(requestMs, 50).toFixed(1)} ms   p99 ${percentile(requestMs, 99).toFixed(1)} ms`,
  );
} finally {
  await observer.end({ timeout: 5 });
  await handle.close();
  await database.drop();
}
