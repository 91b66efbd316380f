/**
 * `pnpm --filter @parlor/bench profile:active-rooms [--runs=30] [--rooms=1000] [--per-room=10] [--compare=<module>] [--compare-transformer=<module>]`:
 * times `admin.activeRooms` in-process on Postgres, in parts: `activeRooms(svc)` (the database
 * and the grouping; with this process's CPU and the Postgres backends' CPU in it), the
 * transformer's `serialize`, and the JSON.stringify tRPC then does; then the whole call as the
 * app serves it (`handleTRPCRequest` with a site admin's session cookie, the body read as text;
 * not Next's own layer nor compression).
 *
 * Seeds the bench's scale fixture (1,000 live rooms × 10 people, as seed.ts' `seedScaleFixture`
 * writes it) into a throw-away database on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and drops it afterwards. Prints p50/p99 per part (Postgres CPU: the mean, its clock ticks being
 * 10 ms). `--compare` names another module exporting `activeRooms`, `--compare-transformer` one
 * exporting `transformer` (paths relative to this file, e.g. an older presence module saved with
 * `git show <ref>:packages/api/src/presence/views.ts > packages/api/src/presence/old.ts` and
 * `--compare=../../packages/api/src/presence/old.ts`): both run interleaved, so a busy machine
 * slows both alike; compare CPU times rather than wall times when it is busy, and run it with
 * `node --expose-gc --import tsx src/active-rooms-profile.ts` so that each run starts from a
 * collected heap (else one variant's garbage is collected during the other's run). Run under `node --cpu-prof --import tsx`
 * to see where the time goes within a part.
 */
import { readFileSync } from "node:fs";

import { createServices, handleTRPCRequest, loadConfig, TRPC_ENDPOINT } from "@parlor/api/server";
import { createDatabase } from "@parlor/db";
import { createThrowawayDatabase } from "@parlor/db/testing";
import postgres from "postgres";

// Internals the package does not export: the parts being timed.
import { transformer } from "../../packages/api/src/lib/transformer";
import { activeRooms } from "../../packages/api/src/presence/views";
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

interface Variant {
  activeRooms: typeof activeRooms;
  transformer: typeof transformer;
}
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const comparePresence = option("compare");
const compareTransformer = option("compare-transformer");
const variants: Record<string, Variant> = { current: { activeRooms, transformer } };
if (comparePresence || compareTransformer)
  variants.compared = {
    activeRooms: comparePresence ? ((await import(comparePresence)) as Variant).activeRooms : activeRooms,
    transformer: compareTransformer
      ? ((await import(compareTransformer)) as Variant).transformer
      : transformer,
  };

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
  type Part = "query" | "serialize" | "stringify" | "total";
  const partNames: Part[] = ["query", "serialize", "stringify", "total"];
  const parts = () =>
    Object.fromEntries(
      partNames.map((part) => [part, { wall: [] as number[], cpu: [] as number[] }]),
    ) as Record<Part, { wall: number[]; cpu: number[] }>;
  const names = Object.keys(variants);
  const measured = Object.fromEntries(names.map((name) => [name, parts()]));
  const postgresCpu = Object.fromEntries(names.map((name) => [name, 0]));
  let bytes = 0;
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const warmUp = 3 * names.length;
  for (let i = 0; i < warmUp + runs * names.length; i++) {
    const name = names[i % names.length]!;
    const variant = variants[name]!;
    // With --expose-gc: each run starts from a collected heap, so that no run pays for the
    // garbage the one before left (interleaved variants would otherwise swap their costs).
    (globalThis as { gc?: () => void }).gc?.();
    const pids = await backends();
    const pg0 = processCpuMs(pids);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rooms = await variant.activeRooms(svc);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const pg = processCpuMs(pids) - pg0;
    const serialized = variant.transformer.serialize(rooms);
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const body = JSON.stringify(serialized);
    const t3 = performance.now();
    const used = {
      query: cpuMs(c0) - cpuMs(c1),
      serialize: cpuMs(c1) - cpuMs(c2),
      stringify: cpuMs(c2),
      total: cpuMs(c0),
    };
    if (rooms.length !== roomCount) throw new Error(`${name}: activeRooms listed ${rooms.length} rooms`);
    bytes = Math.max(bytes, body.length);
    if (i < warmUp) continue;
    const m = measured[name]!;
    const wall = { query: t1 - t0, serialize: t2 - t1, stringify: t3 - t2, total: t3 - t0 };
    for (const part of partNames) {
      m[part].wall.push(wall[part]);
      m[part].cpu.push(used[part]);
    }
    postgresCpu[name]! += pg;
  }
  console.log(
    `${roomCount} rooms × ${perRoom} people, ${runs} runs each, answer up to ${(bytes / 1024).toFixed(0)} KiB; p50 (p99) in ms`,
  );
  for (const name of names) {
    console.log(
      name === "current"
        ? "current code:"
        : `compared (presence: ${comparePresence ?? "current"}, transformer: ${compareTransformer ?? "current"}):`,
    );
    const at = (values: number[]) =>
      `${percentile(values, 50).toFixed(1).padStart(6)} (${percentile(values, 99).toFixed(1).padStart(6)})`;
    for (const part of partNames) {
      const { wall, cpu } = measured[name]![part];
      console.log(`  ${part.padEnd(10)} wall ${at(wall)}   this process's cpu ${at(cpu)}`);
    }
    console.log(`  postgres backends' cpu during the query: mean ${(postgresCpu[name]! / runs).toFixed(1)}`);
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
  // The throw-away database goes whatever else fails (drop closes what is still connected).
  await Promise.allSettled([observer.end({ timeout: 5 }), handle.close()]);
  await database.drop();
}
