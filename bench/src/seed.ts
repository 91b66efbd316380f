/**
 * Test data, made through Parlor's real HTTP API where a person would make it (accounts, teams,
 * invites, rooms, LiveKit's signed webhooks), and in bulk SQL only for the presence fixture of
 * 1,000 live rooms and 10,000 participants, which the LiveKit double is given too so that
 * reconciliation finds both sides agreeing.
 */
import { randomBytes } from "node:crypto";

import postgres from "postgres";

import { signWebhook, webhookEvent, type LiveKitDouble } from "./livekit";
import { createParlorClient, type ParlorClient, type Session } from "./parlor-client";

export const PASSWORD = "correct horse battery staple";

/** A documentation-range address per simulated person (sign-ups are limited per address). */
const addressFor = (n: number) => `198.51.100.${(n % 250) + 1}`;

export interface Joiner {
  session: Session;
  teamSlug: string;
  roomSlug: string;
  /** LiveKit room name, for checks. */
  roomName: string;
}

export interface Fixture {
  admin: Session;
  joiners: Joiner[];
  teams: { slug: string; owner: Session; rooms: string[] }[];
}

let people = 0;
const runId = randomBytes(3).toString("hex");

export async function signUpPerson(client: ParlorClient, label: string): Promise<Session> {
  const n = people++;
  return client.signUp(`${label}-${runId}-${n}@bench.parlor.test`, PASSWORD, `${label} ${n}`, addressFor(n));
}

/** Sends one LiveKit webhook the way LiveKit does (signed with the API secret). */
export async function sendWebhook(
  baseUrl: string,
  livekit: LiveKitDouble,
  event: ReturnType<typeof webhookEvent>,
) {
  const body = JSON.stringify(event);
  const response = await fetch(`${baseUrl}/api/livekit/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/webhook+json",
      authorization: await signWebhook(body, livekit.apiKey, livekit.apiSecret),
    },
    body,
  });
  if (response.status !== 200)
    throw new Error(`webhook ${event.event} answered ${response.status}: ${await response.text()}`);
}

/**
 * Marks a room live with someone in it, as LiveKit would: the participant is put in the double's
 * room and the room_started and participant_joined webhooks are delivered.
 */
export async function openRoom(
  baseUrl: string,
  livekit: LiveKitDouble,
  roomName: string,
  person: { identity: string; name: string },
) {
  const room = livekit.rooms.get(roomName);
  if (!room) throw new Error(`the double has no room ${roomName}: ensure it first`);
  const participant = livekit.join(roomName, person);
  const eventRoom = { sid: room.sid, name: room.name, creationTime: room.creationTime };
  await sendWebhook(baseUrl, livekit, webhookEvent("room_started", { room: eventRoom }));
  await sendWebhook(
    baseUrl,
    livekit,
    webhookEvent("participant_joined", {
      room: eventRoom,
      participant: {
        sid: participant.sid,
        identity: participant.identity,
        name: participant.name,
        joinedAt: participant.joinedAt,
      },
    }),
  );
}

/**
 * The join-path fixture: `teams` teams of `perTeam` people (an owner who invites the rest), each
 * team with `roomsPerTeam` rooms that are live with someone in them. Every person is a joiner of
 * one room of their team. The first account made is the site admin.
 */
export async function seedJoinFixture(
  baseUrl: string,
  livekit: LiveKitDouble,
  options: { teams?: number; perTeam?: number; roomsPerTeam?: number } = {},
): Promise<Fixture> {
  const client = createParlorClient(baseUrl);
  const teamCount = options.teams ?? 5;
  const perTeam = options.perTeam ?? 10;
  const roomsPerTeam = options.roomsPerTeam ?? 2;

  const admin = await signUpPerson(client, "admin");
  if (!admin.user.isAdmin)
    throw new Error("the bench needs a fresh database: its first account must be the site admin");

  const teams: Fixture["teams"] = [];
  const joiners: Joiner[] = [];
  for (let t = 0; t < teamCount; t++) {
    const owner = await signUpPerson(client, "owner");
    const team = await client.mutate<{ slug: string }>(
      "team.create",
      { name: `Bench team ${t} ${runId}` },
      owner,
    );
    const invite = await client.mutate<{ token: string }>(
      "team.createInvite",
      { teamSlug: team.slug },
      owner,
    );
    const members: Session[] = [owner];
    for (let m = 1; m < perTeam; m++) {
      const member = await signUpPerson(client, "member");
      await client.mutate("team.acceptInvite", { token: invite.token }, member);
      members.push(member);
    }
    const rooms: { slug: string; roomName: string }[] = [];
    for (let r = 0; r < roomsPerTeam; r++) {
      const room = await client.mutate<{ slug: string }>(
        "room.create",
        { teamSlug: team.slug, name: `Standup ${r}` },
        owner,
      );
      const ensured = await client.mutate<{ roomName: string }>(
        "room.ensure",
        { teamSlug: team.slug, roomSlug: room.slug },
        owner,
      );
      await openRoom(baseUrl, livekit, ensured.roomName, {
        identity: `guest-${team.slug}-${r}`,
        name: `Guest ${r}`,
      });
      rooms.push({ slug: room.slug, roomName: ensured.roomName });
    }
    members.forEach((session, i) => {
      const room = rooms[i % rooms.length]!;
      joiners.push({ session, teamSlug: team.slug, roomSlug: room.slug, roomName: room.roomName });
    });
    teams.push({ slug: team.slug, owner, rooms: rooms.map((r) => r.slug) });
  }
  return { admin, joiners, teams };
}

export interface ScaleFixture {
  teamSlug: string;
  rooms: number;
  participants: number;
}

/**
 * 1,000 live rooms with 10 people each in one team of the admin's (the worst case for both
 * `room.list` and `admin.activeRooms`), written in bulk SQL, and the same rooms and people in
 * the LiveKit double with the same sids.
 */
export async function seedScaleFixture(
  baseUrl: string,
  databaseUrl: string,
  livekit: LiveKitDouble,
  admin: Session,
  options: { rooms?: number; perRoom?: number } = {},
): Promise<ScaleFixture> {
  const roomCount = options.rooms ?? 1000;
  const perRoom = options.perRoom ?? 10;
  const client = createParlorClient(baseUrl);
  const team = await client.mutate<{ id: string; slug: string }>(
    "team.create",
    { name: `Scale ${runId}` },
    admin,
  );
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const now = Math.floor(Date.now() / 1000);
  try {
    const rooms = Array.from({ length: roomCount }, (_, i) => ({
      slug: `room-${String(i).padStart(4, "0")}`,
      name: `Room ${i}`,
      livekitRoomName: `parlor-scale-${runId}-${i}`,
      sid: `RM_scale_${runId}_${i}`,
    }));
    const inserted = await sql<{ id: string; slug: string }[]>`
      insert into rooms (team_id, slug, name, livekit_room_name, created_by, empty_timeout_seconds, departure_timeout_seconds, max_participants)
      select ${team.id}::uuid, r.slug, r.name, r.livekit_room_name, ${admin.user.id}::uuid, 300, 30, 100
      from jsonb_to_recordset(${sql.json(rooms.map((r) => ({ slug: r.slug, name: r.name, livekit_room_name: r.livekitRoomName })))})
        as r(slug text, name text, livekit_room_name text)
      returning id, slug`;
    const idBySlug = new Map(inserted.map((r) => [r.slug, r.id]));
    const sessions = await sql<{ id: string; room_id: string }[]>`
      insert into room_sessions (room_id, livekit_room_sid, started_at)
      select r.room_id, r.sid, to_timestamp(${now})
      from jsonb_to_recordset(${sql.json(rooms.map((r) => ({ room_id: idBySlug.get(r.slug), sid: r.sid })))})
        as r(room_id uuid, sid text)
      returning id, room_id`;
    const sessionByRoom = new Map(sessions.map((s) => [s.room_id, s.id]));
    const people: {
      room_session_id: string;
      room_id: string;
      identity: string;
      name: string;
      participant_sid: string;
    }[] = [];
    for (const [i, room] of rooms.entries()) {
      const roomId = idBySlug.get(room.slug)!;
      for (let p = 0; p < perRoom; p++) {
        people.push({
          room_session_id: sessionByRoom.get(roomId)!,
          room_id: roomId,
          identity: `scale-${i}-${p}`,
          name: `Person ${i}.${p}`,
          participant_sid: `PA_scale_${runId}_${i}_${p}`,
        });
      }
    }
    for (let offset = 0; offset < people.length; offset += 2000) {
      const chunk = people.slice(offset, offset + 2000);
      await sql`
        insert into participant_sessions (room_session_id, room_id, identity, name, participant_sid, joined_at)
        select p.room_session_id, p.room_id, p.identity, p.name, p.participant_sid, to_timestamp(${now})
        from jsonb_to_recordset(${sql.json(chunk)})
          as p(room_session_id uuid, room_id uuid, identity text, name text, participant_sid text)`;
    }
    await sql`analyze`;

    // The same truth on LiveKit's side.
    for (const [i, room] of rooms.entries()) {
      livekit.rooms.set(room.livekitRoomName, {
        sid: room.sid,
        name: room.livekitRoomName,
        emptyTimeout: 300,
        departureTimeout: 30,
        maxParticipants: 100,
        metadata: "",
        creationTime: now,
        participants: new Map(
          Array.from({ length: perRoom }, (_, p) => [
            `scale-${i}-${p}`,
            {
              sid: `PA_scale_${runId}_${i}_${p}`,
              identity: `scale-${i}-${p}`,
              name: `Person ${i}.${p}`,
              attributes: {},
              joinedAt: now,
              tracks: [],
            },
          ]),
        ),
      });
    }
    return { teamSlug: team.slug, rooms: roomCount, participants: people.length };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
