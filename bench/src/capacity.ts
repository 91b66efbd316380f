/**
 * Webhook and presence capacity (`pnpm bench`, or `pnpm bench -- --only=capacity`): against the
 * production build on the machine's Postgres, two app instances sharing one database and the
 * LiveKit double,
 *
 * 1. `admin.activeRooms` with 1,000 live rooms and 10,000 people, when presence is fresh and when
 *    it is older than the view's exactness window (it used to reconcile with LiveKit first);
 * 2. 1,000 open presence streams (`room.presenceChanges`, server-sent events), half on each
 *    instance, and the time from one webhook sent to one instance until each stream hears of it;
 * 3. a burst of 10,000 validly signed webhooks for 1,000 rooms (room_started, joins, leaves,
 *    some leaves before their joins, some redeliveries) sent 32 at a time to one instance:
 *    events per second, per-request latency, and whether presence is exactly right afterwards.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";

import postgres from "postgres";
import superjson from "superjson";

import { startApp, type RunningApp } from "./app";
import { createThrowawayDatabase } from "./databases";
import { percentile } from "./load";
import { signWebhook, startLiveKitDouble, webhookEvent, type LiveKitDouble } from "./livekit";
import { createParlorClient, type Session } from "./parlor-client";
import { MAIN_DATABASE_URL } from "./paths";
import { sendWebhook, seedScaleFixture, signUpPerson } from "./seed";
import { roomBurst } from "./webhook-burst";

/** The issue's targets, printed beside each figure. */
export const CAPACITY_TARGETS = {
  eventsPerSecond: 1000,
  webhookP99Ms: 100,
  streamDeliveryMs: 1000,
  activeRoomsP50Ms: 100,
};

const BURST_ROOMS = 1000;
const EVENTS_PER_ROOM = 10;
const BURST_IN_FLIGHT = 32;
const STREAMS = 1000;
/** The production caps (access.ts: 5 streams per session, 20 per user on each instance) are kept: many people, several sessions each. */
const STREAM_USERS = 50;
const SESSIONS_PER_USER = 4;
const STREAMS_PER_SESSION = STREAMS / (STREAM_USERS * SESSIONS_PER_USER);
const STREAM_ROUNDS = 3;

export interface Spread {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface CapacityResult {
  activeRooms: {
    rooms: number;
    participants: number;
    fresh: Spread;
    /** CPU per fresh view: the app's processes, its Postgres backends. */
    appCpuMsPerView: number;
    postgresCpuMsPerView: number;
    stale: Spread;
    /** Time from the stale answer until the reconciliation it started was recorded (health's age). */
    backgroundReconcileMs: number | null;
  };
  streams: {
    opened: number;
    perInstance: number[];
    /** Streams the server ended while they were being opened (e.g. its database did not answer in time), opened again. */
    reopened: number;
    rounds: { maxMs: number; received: number }[];
    delivery: Spread;
    missed: number;
  };
  burst: {
    events: number;
    rooms: number;
    inFlight: number;
    seconds: number;
    eventsPerSecond: number;
    /** CPU the app's processes and its Postgres backends spent per event (what the rate would be on cores of their own). */
    appCpuMsPerEvent: number;
    postgresCpuMsPerEvent: number;
    latency: Spread;
    statuses: Record<string, number>;
    expectedPresent: number;
    recordedPresent: number;
    listedPresent: number;
    missing: number;
    unexpected: number;
    exact: boolean;
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round1(percentile(sorted, 50)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1) ?? NaN),
  };
}

async function timed(count: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time (user + system, ms) of the given processes, or of every process in group `pgid`, from /proc. */
function cpuMs(select: { pgid: number } | { pids: number[] }): number {
  const pids =
    "pids" in select ? select.pids.map(String) : readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if ("pgid" in select && Number(fields[2]) !== select.pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // Gone.
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The Postgres backends serving Parlor's pools on this database (their CPU is Postgres' share of the work). */
async function parlorBackends(sql: postgres.Sql): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = 'parlor'`;
  return rows.map((r) => r.pid);
}

/** CPU spent by the app (all its processes) and by its Postgres backends while `run` runs. */
async function measureCpu<T>(
  app: RunningApp,
  sql: postgres.Sql,
  run: () => Promise<T>,
): Promise<{ result: T; appMs: number; postgresMs: number }> {
  const before = new Map((await parlorBackends(sql)).map((pid) => [pid, cpuMs({ pids: [pid] })]));
  const appBefore = cpuMs({ pgid: app.pid });
  const result = await run();
  const appMs = cpuMs({ pgid: app.pid }) - appBefore;
  // Backends opened during the run count from zero; any that closed during it are not counted.
  let postgresMs = 0;
  for (const pid of await parlorBackends(sql)) postgresMs += cpuMs({ pids: [pid] }) - (before.get(pid) ?? 0);
  return { result, appMs, postgresMs };
}

export async function runCapacity(options: { log: (line: string) => void }): Promise<CapacityResult> {
  const { log } = options;
  const livekit = await startLiveKitDouble({
    apiKey: "benchkey",
    apiSecret: "bench-secret-that-is-long-enough-0123456789",
  });
  const database = await createThrowawayDatabase(MAIN_DATABASE_URL);
  const apps: RunningApp[] = [];
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  try {
    const appOptions = {
      databaseUrl: database.url,
      livekit: { wsUrl: livekit.wsUrl, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
    };
    apps.push(await startApp(appOptions));
    apps.push(await startApp(appOptions));
    const [a, b] = apps as [RunningApp, RunningApp];
    log(`capacity: instances on ${a.url} and ${b.url}, one database`);
    const client = createParlorClient(a.url);
    const admin = await signUpPerson(client, "admin");
    if (!admin.user.isAdmin) throw new Error("capacity: the first account must be the site admin");

    log("capacity: 1,000 live rooms with 10,000 people (bulk SQL, mirrored in the LiveKit double)");
    const scale = await seedScaleFixture(a.url, database.url, livekit, admin);
    const activeRooms = await measureActiveRooms(a, client, admin, sql, scale);

    log(`capacity: ${STREAMS} presence streams over two instances`);
    const streams = await measureStreams(apps, livekit, admin, log);

    log(
      `capacity: ${BURST_ROOMS * EVENTS_PER_ROOM} signed webhooks for ${BURST_ROOMS} rooms, ${BURST_IN_FLIGHT} in flight`,
    );
    const burst = await measureBurst(a, livekit, admin, sql);
    return { activeRooms, streams, burst };
  } catch (error) {
    for (const app of apps) console.error(app.output().slice(-3000));
    throw error;
  } finally {
    await sql.end({ timeout: 5 });
    for (const app of apps) await app.stop();
    await livekit.close();
    await database.drop();
  }
}

async function measureActiveRooms(
  app: RunningApp,
  client: ReturnType<typeof createParlorClient>,
  admin: Session,
  sql: postgres.Sql,
  scale: { rooms: number; participants: number },
): Promise<CapacityResult["activeRooms"]> {
  const query = async () => {
    const rooms = await client.query<{ numParticipants: number }[]>("admin.activeRooms", undefined, admin);
    if (rooms.length !== scale.rooms) throw new Error(`admin.activeRooms listed ${rooms.length} rooms`);
  };
  const reconciledAt = async () =>
    (await sql<{ value: string }[]>`select value from app_state where key = 'presence.reconciled_at'`)[0]
      ?.value;
  const waitForReconciliation = async (after: string | undefined) => {
    const start = performance.now();
    while (performance.now() - start < 30_000) {
      const now = await reconciledAt();
      if (now && now !== after) return performance.now() - start;
      await sleep(20);
    }
    return null;
  };
  const ageOut = () =>
    sql`update app_state set value = '2000-01-01T00:00:00.000Z' where key = 'presence.reconciled_at'`;

  // The first view reconciles (never reconciled yet); warm up, then measure with fresh presence.
  await query();
  await waitForReconciliation(undefined);
  await timed(3, query);
  const freshRun = await measureCpu(app, sql, () => timed(20, query));
  const fresh = freshRun.result;

  // Presence older than the exactness window: each sample starts from a stale record.
  const stale: number[] = [];
  let backgroundReconcileMs: number | null = null;
  for (let i = 0; i < 5; i++) {
    await ageOut();
    const start = performance.now();
    await query();
    const answered = performance.now() - start;
    stale.push(answered);
    const took = await waitForReconciliation("2000-01-01T00:00:00.000Z");
    if (took !== null) backgroundReconcileMs = Math.max(backgroundReconcileMs ?? 0, took + answered);
  }
  return {
    rooms: scale.rooms,
    participants: scale.participants,
    fresh: spread(fresh),
    appCpuMsPerView: Math.round(freshRun.appMs / fresh.length),
    postgresCpuMsPerView: Math.round(freshRun.postgresMs / fresh.length),
    stale: spread(stale),
    backgroundReconcileMs: backgroundReconcileMs === null ? null : Math.round(backgroundReconcileMs),
  };
}

interface OpenStream {
  request: ClientRequest;
  connected: Promise<void>;
  /** Resolves with the arrival time (performance.now()) of the next data message. */
  next(): Promise<number>;
  /** Data messages received so far. */
  received(): number;
  /** Forgets messages received and not yet taken by `next`. */
  drain(): void;
  /** Whether the server closed it or it failed (a browser would open it again). */
  ended(): boolean;
}

/** Opens one tRPC subscription over server-sent events, as httpSubscriptionLink does. */
function openStream(baseUrl: string, path: string, input: unknown, cookie: string): OpenStream {
  const url = `${baseUrl}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  let onConnected!: () => void;
  let rejectConnected!: (error: Error) => void;
  let ended = false;
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    rejectConnected = reject;
  });
  const onFailed = (error: Error) => {
    ended = true;
    rejectConnected(error);
  };
  const arrivals: number[] = [];
  let count = 0;
  let waiter: ((at: number) => void) | null = null;
  const request = httpRequest(url, { headers: { cookie, accept: "text/event-stream" }, agent: false });
  request.on("response", (response) => {
    if (response.statusCode !== 200) {
      onFailed(new Error(`${path} answered ${response.statusCode}`));
      response.resume();
      return;
    }
    let buffer = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(message)?.[1];
        if (event === "connected") onConnected();
        else if (event === "serialized-error" || event === "return")
          onFailed(new Error(`${path} closed: ${message}`));
        else if (!event && /^data: /m.test(message)) {
          count++;
          if (waiter) {
            const resolve = waiter;
            waiter = null;
            resolve(at);
          } else arrivals.push(at);
        }
      }
    });
  });
  request.on("error", (error) => onFailed(error));
  request.end();
  return {
    request,
    connected,
    next: () => {
      const queued = arrivals.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise<number>((resolve) => (waiter = resolve));
    },
    received: () => count,
    ended: () => ended,
    drain: () => void arrivals.splice(0),
  };
}

async function measureStreams(
  apps: RunningApp[],
  livekit: LiveKitDouble,
  admin: Session,
  log: (line: string) => void,
): Promise<CapacityResult["streams"]> {
  const [a] = apps as [RunningApp, RunningApp];
  const client = createParlorClient(a.url);
  const team = await client.mutate<{ slug: string }>(
    "team.create",
    { name: `Streams ${randomUUID().slice(0, 6)}` },
    admin,
  );
  const invite = await client.mutate<{ token: string }>(
    "team.createInvite",
    { teamSlug: team.slug, maxUses: STREAM_USERS },
    admin,
  );
  const room = await client.mutate<{ slug: string }>(
    "room.create",
    { teamSlug: team.slug, name: "Watched" },
    admin,
  );
  const { roomName } = await client.mutate<{ roomName: string }>(
    "room.ensure",
    { teamSlug: team.slug, roomSlug: room.slug },
    admin,
  );

  // Sessions: each person signs up (one session) and signs in again for the others.
  const sessions: { cookie: string; app: RunningApp }[] = [];
  for (let u = 0; u < STREAM_USERS; u++) {
    const person = await signUpPerson(client, "watcher");
    await client.mutate("team.acceptInvite", { token: invite.token }, person);
    for (let s = 0; s < SESSIONS_PER_USER; s++) {
      const cookie = s === 0 ? person.cookie : await signIn(a.url, person.user.email, `198.18.${u}.${s + 1}`);
      sessions.push({ cookie, app: apps[s % apps.length]! });
    }
  }
  log(`capacity: ${sessions.length} sessions made; opening ${STREAMS} streams`);
  const perInstance = apps.map(() => 0);
  const slots: { session: (typeof sessions)[number]; stream: OpenStream }[] = [];
  const open = (session: (typeof sessions)[number]) =>
    openStream(session.app.url, "room.presenceChanges", { teamSlug: team.slug }, session.cookie);
  let reopened = 0;
  /** Opens again the streams the server ended (as the web client does), not counting them as heard. */
  const reopenEnded = () => {
    for (const slot of slots) {
      if (!slot.stream.ended()) continue;
      slot.stream.request.destroy();
      slot.stream = open(slot.session);
      slot.stream.connected.catch(() => undefined);
      reopened++;
    }
  };
  const streams = () => slots.map((slot) => slot.stream);
  try {
    // 50 at a time, as people arrive, rather than 1,000 in the same millisecond.
    for (let first = 0; first < sessions.length * STREAMS_PER_SESSION; first += 50) {
      const batch: Promise<void>[] = [];
      for (let i = first; i < first + 50 && i < sessions.length * STREAMS_PER_SESSION; i++) {
        const session = sessions[Math.floor(i / STREAMS_PER_SESSION)]!;
        const stream = open(session);
        slots.push({ session, stream });
        perInstance[apps.indexOf(session.app)]!++;
        batch.push(stream.connected.catch(() => undefined));
      }
      await Promise.race([
        Promise.all(batch),
        sleep(60_000).then(() => {
          throw new Error("capacity: 50 streams did not connect within a minute");
        }),
      ]);
    }
    reopenEnded();
    const double = livekit.rooms.get(roomName)!;
    const eventRoom = { sid: double.sid, name: roomName, creationTime: double.creationTime };
    // "connected" comes before a stream has checked its access and started listening: changes
    // until every stream has heard one prove each is attached before timing starts.
    await sendWebhook(a.url, livekit, webhookEvent("room_started", { room: eventRoom }));
    for (let warmup = 0; streams().some((s) => s.received() === 0); warmup++) {
      reopenEnded();
      if (warmup === 120) {
        const deaf = streams().filter((s) => s.received() === 0).length;
        throw new Error(`capacity: ${deaf} streams heard no change in a minute`);
      }
      await sleep(500);
      await sendWebhook(
        a.url,
        livekit,
        webhookEvent("participant_joined", {
          room: eventRoom,
          participant: { sid: `PA_warmup_${warmup}`, identity: `warmup-${warmup}` },
        }),
      );
    }
    await sleep(500);
    for (const stream of streams()) stream.drain();

    const rounds: CapacityResult["streams"]["rounds"] = [];
    const delivery: number[] = [];
    let missed = 0;
    for (let r = 0; r < STREAM_ROUNDS; r++) {
      const participant = { sid: `PA_watch_${r}`, identity: `watched-${r}`, name: `Watched ${r}` };
      const event = webhookEvent(r % 2 === 0 ? "participant_joined" : "participant_left", {
        room: eventRoom,
        participant:
          r % 2 === 0
            ? participant
            : { ...participant, sid: `PA_watch_${r - 1}`, identity: `watched-${r - 1}` },
      });
      const body = JSON.stringify(event);
      const authorization = await signWebhook(body, livekit.apiKey, livekit.apiSecret);
      const arrivals = streams().map((s) => Promise.race([s.next(), sleep(10_000).then(() => null)]));
      const sent = performance.now();
      const response = await fetch(`${a.url}/api/livekit/webhook`, {
        method: "POST",
        headers: { "content-type": "application/webhook+json", authorization },
        body,
      });
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      const times = (await Promise.all(arrivals)).map((at) => (at === null ? null : at - sent));
      const received = times.filter((t): t is number => t !== null);
      missed += times.length - received.length;
      delivery.push(...received);
      rounds.push({ maxMs: round1(Math.max(...received)), received: received.length });
      await sleep(200);
    }
    return { opened: slots.length, perInstance, reopened, rounds, delivery: spread(delivery), missed };
  } finally {
    for (const stream of streams()) stream.request.destroy();
  }
}

async function signIn(baseUrl: string, email: string, address: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/trpc/auth.signIn?batch=1`, {
    method: "POST",
    headers: {
      origin: new URL(baseUrl).origin,
      "content-type": "application/json",
      "x-forwarded-for": address,
    },
    body: JSON.stringify({ 0: superjson.serialize({ email, password: "correct horse battery staple" }) }),
  });
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .find((pair) => /auth_session=/.test(pair));
  if (response.status !== 200 || !cookie) throw new Error(`auth.signIn answered ${response.status}`);
  return cookie;
}

interface BurstEvent {
  body: string;
  authorization: string;
}

async function measureBurst(
  app: RunningApp,
  livekit: LiveKitDouble,
  admin: Session,
  sql: postgres.Sql,
): Promise<CapacityResult["burst"]> {
  const client = createParlorClient(app.url);
  const team = await client.mutate<{ id: string; slug: string }>(
    "team.create",
    { name: `Burst ${randomUUID().slice(0, 6)}` },
    admin,
  );
  const tag = randomUUID().slice(0, 8);
  const rooms = Array.from({ length: BURST_ROOMS }, (_, i) => ({
    slug: `burst-${String(i).padStart(4, "0")}`,
    name: `Burst ${i}`,
    livekit_room_name: `parlor-burst-${tag}-${i}`,
    sid: `RM_burst_${tag}_${i}`,
  }));
  await sql`
    insert into rooms (team_id, slug, name, livekit_room_name, created_by, empty_timeout_seconds, departure_timeout_seconds, max_participants)
    select ${team.id}::uuid, r.slug, r.name, r.livekit_room_name, ${admin.user.id}::uuid, 300, 30, 100
    from jsonb_to_recordset(${sql.json(rooms.map(({ slug, name, livekit_room_name }) => ({ slug, name, livekit_room_name })))})
      as r(slug text, name text, livekit_room_name text)`;

  // The people are real members of the team, so each join also runs the access check on joins.
  const joinsPerRoom = 7;
  const people = rooms.flatMap((_, i) =>
    Array.from({ length: joinsPerRoom }, (_, p) => ({
      id: randomUUID(),
      email: `burst-${tag}-${i}-${p}@bench.parlor.test`,
      name: `Burst person ${i}.${p}`,
    })),
  );
  for (let offset = 0; offset < people.length; offset += 2000) {
    const chunk = people.slice(offset, offset + 2000);
    await sql`
      insert into users (id, email, name, password_hash)
      select p.id, p.email, p.name, 'not-a-password'
      from jsonb_to_recordset(${sql.json(chunk)}) as p(id uuid, email text, name text)`;
    await sql`
      insert into team_members (team_id, user_id, role)
      select ${team.id}::uuid, p.id, 'member'
      from jsonb_to_recordset(${sql.json(chunk.map(({ id }) => ({ id })))}) as p(id uuid)`;
  }
  await sql`analyze`;

  // Each room's events (webhook-burst.ts), with who is present after them.
  const base = Math.floor(Date.now() / 1000) - 900;
  const expected = new Set<string>();
  const perRoom: object[][] = rooms.map((room, index) => {
    const { events, present } = roomBurst({
      index,
      room,
      people: people.slice(index * joinsPerRoom, (index + 1) * joinsPerRoom),
      base,
      sidPrefix: `PA_burst_${tag}`,
    });
    for (const key of present) expected.add(key);
    return events;
  });
  // Rooms in blocks of 100, their events interleaved: what a busy LiveKit sends.
  const order: object[] = [];
  for (let block = 0; block < BURST_ROOMS; block += 100) {
    const lists = perRoom.slice(block, block + 100);
    for (let step = 0; step < EVENTS_PER_ROOM; step++) for (const list of lists) order.push(list[step]!);
  }
  const signed: BurstEvent[] = [];
  for (const event of order) {
    const body = JSON.stringify(event);
    signed.push({ body, authorization: await signWebhook(body, livekit.apiKey, livekit.apiSecret, 600) });
  }

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const cpu = await measureCpu(app, sql, () =>
    Promise.all(
      Array.from({ length: BURST_IN_FLIGHT }, async () => {
        for (let i = next++; i < signed.length; i = next++) {
          const { body, authorization } = signed[i]!;
          const sent = performance.now();
          const response = await fetch(`${app.url}/api/livekit/webhook`, {
            method: "POST",
            headers: { "content-type": "application/webhook+json", authorization },
            body,
          });
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;

  const recorded = await sql<{ room: string; identity: string }[]>`
    select r.livekit_room_name as room, p.identity
    from participant_sessions p join rooms r on r.id = p.room_id
    where r.team_id = ${team.id} and p.left_at is null`;
  const recordedSet = new Set(recorded.map((r) => `${r.room}/${r.identity}`));
  const missing = [...expected].filter((key) => !recordedSet.has(key)).length;
  const unexpected = [...recordedSet].filter((key) => !expected.has(key)).length;
  const listed = await client.query<{ participants: unknown[] }[]>(
    "room.list",
    { teamSlug: team.slug },
    admin,
  );
  const listedPresent = listed.reduce((n, r) => n + r.participants.length, 0);
  return {
    events: signed.length,
    rooms: BURST_ROOMS,
    inFlight: BURST_IN_FLIGHT,
    seconds: round1(seconds),
    eventsPerSecond: Math.round(signed.length / seconds),
    appCpuMsPerEvent: Math.round((cpu.appMs / signed.length) * 100) / 100,
    postgresCpuMsPerEvent: Math.round((cpu.postgresMs / signed.length) * 100) / 100,
    latency: spread(latencies),
    statuses,
    expectedPresent: expected.size,
    recordedPresent: recorded.length,
    listedPresent,
    missing,
    unexpected,
    exact:
      missing === 0 &&
      unexpected === 0 &&
      recorded.length === expected.size &&
      listedPresent === expected.size,
  };
}

const mark = (met: boolean) => (met ? "met" : "MISSED");

export function formatCapacity(
  result: CapacityResult,
  table: (h: string[], r: (string | number)[][]) => string,
) {
  const { activeRooms, streams, burst } = result;
  const t = CAPACITY_TARGETS;
  const rows: (string | number)[][] = [
    [
      `webhook burst: events/s (${burst.events} events, ${burst.rooms} rooms, ${burst.inFlight} in flight, one instance)`,
      burst.eventsPerSecond,
      `≥ ${t.eventsPerSecond}`,
      mark(burst.eventsPerSecond >= t.eventsPerSecond),
    ],
    ["webhook burst: response p50 ms", burst.latency.p50Ms, "", ""],
    [
      "webhook burst: response p99 ms",
      burst.latency.p99Ms,
      `< ${t.webhookP99Ms}`,
      mark(burst.latency.p99Ms < t.webhookP99Ms),
    ],
    [
      `webhook burst: presence afterwards (expected ${burst.expectedPresent}, recorded ${burst.recordedPresent}, room.list ${burst.listedPresent})`,
      burst.exact ? "exact" : `${burst.missing} missing, ${burst.unexpected} extra`,
      "exact",
      mark(burst.exact),
    ],
    [
      `presence streams: delivery p99 ms (${streams.opened} streams, ${streams.perInstance.join(" + ")} on two instances, ${streams.rounds.length} changes)`,
      streams.delivery.p99Ms,
      `< ${t.streamDeliveryMs}`,
      mark(streams.delivery.p99Ms < t.streamDeliveryMs && streams.missed === 0),
    ],
    [
      `presence streams: delivery max ms (${streams.missed} deliveries missed)`,
      streams.delivery.maxMs,
      `< ${t.streamDeliveryMs}`,
      mark(streams.delivery.maxMs < t.streamDeliveryMs && streams.missed === 0),
    ],
    [
      `admin.activeRooms p50 ms, presence fresh (${activeRooms.rooms} rooms, ${activeRooms.participants} people)`,
      activeRooms.fresh.p50Ms,
      `< ${t.activeRoomsP50Ms}`,
      mark(activeRooms.fresh.p50Ms < t.activeRoomsP50Ms),
    ],
    [
      "admin.activeRooms p50 ms, presence older than the window",
      activeRooms.stale.p50Ms,
      `< ${t.activeRoomsP50Ms}`,
      mark(activeRooms.stale.p50Ms < t.activeRoomsP50Ms),
    ],
  ];
  const lines = [
    "Webhook and presence capacity (production build, Postgres, LiveKit double; two instances for the streams)",
    table(["figure", "value", "target", ""], rows),
    `  webhook statuses: ${JSON.stringify(burst.statuses)}; ${burst.seconds} s; p50 ${burst.latency.p50Ms} ms, p99 ${burst.latency.p99Ms} ms, max ${burst.latency.maxMs} ms`,
    `  CPU per webhook: app ${burst.appCpuMsPerEvent} ms, its Postgres backends ${burst.postgresCpuMsPerEvent} ms (so at most ~${Math.round(1000 / burst.appCpuMsPerEvent)} events/s for one app process on a core of its own)`,
    `  streams: ${streams.reopened} ended by the server while opening and opened again; per change, slowest delivery ${streams.rounds.map((r) => `${r.maxMs} ms (${r.received} received)`).join(", ")}; p50 ${streams.delivery.p50Ms} ms`,
    `  admin.activeRooms: fresh p50 ${activeRooms.fresh.p50Ms} / p99 ${activeRooms.fresh.p99Ms} ms over ${activeRooms.fresh.samples} (CPU per view: app ${activeRooms.appCpuMsPerView} ms, Postgres ${activeRooms.postgresCpuMsPerView} ms); older than the window p50 ${activeRooms.stale.p50Ms} / max ${activeRooms.stale.maxMs} ms over ${activeRooms.stale.samples}; reconciliation recorded ${activeRooms.backgroundReconcileMs ?? "never"} ms after such a view was asked for`,
  ];
  return lines.join("\n");
}
