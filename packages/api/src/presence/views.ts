/**
 * What presence shows: who is in each room of a team (live, for the room list), the rooms in use
 * across the site (for admins), and a room's past meetings with who came and for how long.
 */
import { schema } from "@parlor/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";

import { isGuestIdentity } from "../lib/call";
import type { Services } from "../lib/services";
import { isUuid } from "./records";

// "prese"

export interface Present {
  identity: string;
  userId: string | null;
  /** The name chosen for the call. */
  name: string;
  /** The account's own name, for a Parlor user; shown beside a chosen name that differs. */
  accountName: string | null;
  joinedAt: Date;
  /** Joined through a guest link (see guests/logic.ts), without an account. */
  isGuest: boolean;
}

/** One connection as `presenceByRoom` reads it: identity, user id, chosen name, account name, joinedAt. */
type PresentRow = [
  identity: string,
  userId: string | null,
  name: string,
  accountName: string | null,
  joinedAt: string,
];

/** A room's people by joinedAt, one entry per person (even when connected from two tabs): their first connection. */
function toPresent(rows: PresentRow[]): Present[] {
  const connections = rows.map(([identity, userId, name, accountName, joinedAt]) => ({
    identity,
    userId,
    name,
    accountName,
    // ISO 8601 with an offset, in microseconds; Date keeps the milliseconds, as the driver's own parsing does.
    joinedAt: new Date(joinedAt),
    isGuest: isGuestIdentity(identity),
  }));
  connections.sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
  const seen = new Set<string>();
  return connections.filter((c) => !seen.has(c.identity) && seen.add(c.identity));
}

/**
 * Who is in each of the given rooms now (every room with someone in it when `roomIds` is "all"),
 * per the records, with the account behind each Parlor user.
 *
 * The database answers one row per room holding its connections as one JSON array: at a thousand
 * rooms of ten, parsing a thousand JSON values costs the app a fraction of reading, mapping and
 * grouping ten thousand rows. Not ordered there (`json_agg(... order by)` sorts each room apart,
 * which doubled the statement's time at that scale): `toPresent` sorts.
 */
export async function presenceByRoom(
  svc: Services,
  roomIds: string[] | "all",
): Promise<Map<string, Present[]>> {
  if (roomIds !== "all" && roomIds.length === 0) return new Map();
  const p = schema.participantSessions;
  const rows = await svc.db
    .select({
      roomId: p.roomId,
      people: sql<
        PresentRow[]
      >`json_agg(json_build_array(${p.identity}, ${p.userId}, ${p.name}, ${schema.users.name}, ${p.joinedAt}))`,
    })
    .from(p)
    .leftJoin(schema.users, eq(schema.users.id, p.userId))
    .where(roomIds === "all" ? isNull(p.leftAt) : and(inArray(p.roomId, roomIds), isNull(p.leftAt)))
    .groupBy(p.roomId);
  return new Map(rows.map((row) => [row.roomId, toPresent(row.people)]));
}

/**
 * Every meeting happening now across teams, with who is in it (for site admins). A room LiveKit
 * merely has open (someone opened its pre-join, nobody joined) is not a meeting and is not listed;
 * `createdAt` is when the meeting started: when its first person joined.
 */
export async function activeRooms(svc: Services) {
  const s = schema.roomSessions;
  const p = schema.participantSessions;
  const meetingsQuery = svc.db
    .select({
      roomId: schema.rooms.id,
      roomName: schema.rooms.livekitRoomName,
      roomSlug: schema.rooms.slug,
      displayName: schema.rooms.name,
      teamSlug: schema.teams.slug,
      teamName: schema.teams.name,
      createdAt: sql<Date>`(select min(${p.joinedAt}) from ${p} where ${p.roomSessionId} = ${s.id})`.mapWith(
        s.startedAt,
      ),
    })
    .from(s)
    .innerJoin(schema.rooms, eq(schema.rooms.id, s.roomId))
    .innerJoin(schema.teams, eq(schema.teams.id, schema.rooms.teamId))
    .where(
      and(
        isNull(s.endedAt),
        sql`exists (select 1 from ${p} where ${p.roomSessionId} = ${s.id} and ${p.leftAt} is null)`,
      ),
    )
    .orderBy(desc(s.startedAt));
  // Everyone present anywhere, read alongside: the same rows as asking for the meetings' rooms,
  // without waiting for the meetings first and sending their 1,000 ids back as parameters.
  const [meetings, presence] = await Promise.all([meetingsQuery, presenceByRoom(svc, "all")]);
  const seen = new Set<string>();
  return meetings
    .filter((m) => !seen.has(m.roomId) && seen.add(m.roomId))
    .map((m) => {
      const participants = presence.get(m.roomId) ?? [];
      return { ...m, numParticipants: participants.length, participants };
    })
    .filter((m) => m.numParticipants > 0);
}

type Interval = [start: number, end: number];

/** The total length of a set of intervals, overlaps counted once. */
function coveredMs(intervals: Interval[]): number {
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

/**
 * Past and current meetings of one room, newest first, with who attended. A meeting starts when
 * the first person joins and ends when the last one leaves, so a room only opened (a pre-join,
 * nobody joined) is no meeting. Nobody is credited with more than the meeting lasted: each
 * person's connections are clipped to the meeting and overlapping ones (two tabs) count once.
 */
export async function roomHistory(svc: Services, roomId: string, limit: number) {
  const p = schema.participantSessions;
  const sessions = await svc.db
    .select()
    .from(schema.roomSessions)
    .where(
      and(
        eq(schema.roomSessions.roomId, roomId),
        sql`exists (select 1 from ${p} where ${p.roomSessionId} = ${schema.roomSessions.id})`,
      ),
    )
    .orderBy(desc(schema.roomSessions.startedAt))
    .limit(limit);
  if (sessions.length === 0) return [];
  const attendance = await svc.db
    .select({
      roomSessionId: p.roomSessionId,
      identity: p.identity,
      userId: p.userId,
      name: p.name,
      accountName: schema.users.name,
      joinedAt: p.joinedAt,
      leftAt: p.leftAt,
    })
    .from(p)
    .leftJoin(schema.users, eq(schema.users.id, p.userId))
    .where(
      inArray(
        p.roomSessionId,
        sessions.map((s) => s.id),
      ),
    )
    .orderBy(p.joinedAt);
  const now = svc.clock().getTime();
  const meetings = sessions.map((session) =>
    meetingOf(
      session,
      attendance.filter((a) => a.roomSessionId === session.id),
      now,
    ),
  );
  return meetings.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

/** One connection as the room's history reads it. */
interface Attendance {
  identity: string;
  userId: string | null;
  name: string;
  accountName: string | null;
  joinedAt: Date;
  leftAt: Date | null;
}

/**
 * One meeting (a room lifetime) with who came and for how long: an ongoing meeting lasts until
 * now, an ended one until the room ended or its last person left; each person's connections are
 * clipped to the meeting and their overlaps counted once.
 */
function meetingOf(session: typeof schema.roomSessions.$inferSelect, rows: Attendance[], now: number) {
  // Leaves come in LiveKit's whole seconds, joins to the millisecond (for the access rule): stays
  // are counted on the seconds, so that a leave is never before the join it closes.
  const joinedAt = (a: Attendance) => Math.floor(a.joinedAt.getTime() / 1000) * 1000;
  const roomEnd = session.endedAt?.getTime() ?? Infinity;
  const ongoing = !session.endedAt && rows.some((a) => a.leftAt === null);
  const end = ongoing ? now : Math.min(roomEnd, Math.max(...rows.map((a) => a.leftAt?.getTime() ?? roomEnd)));
  // A join recorded after the room finished (webhooks out of order) starts nothing after its end.
  const start = Math.min(end, ...rows.map(joinedAt));
  const clip = (from: number, to: number): Interval => [
    Math.min(Math.max(from, start), end),
    Math.max(Math.min(to, end), start),
  ];
  const byPerson = new Map<
    string,
    {
      identity: string;
      name: string;
      accountName: string | null;
      /** A Parlor user (the identity is a user id) whose account was deleted since. */
      formerMember: boolean;
      isGuest: boolean;
      firstJoinedAt: Date;
      spans: Interval[];
    }
  >();
  for (const a of rows) {
    const span = clip(joinedAt(a), a.leftAt?.getTime() ?? end);
    const entry = byPerson.get(a.identity);
    if (entry) entry.spans.push(span);
    else
      byPerson.set(a.identity, {
        identity: a.identity,
        name: a.name,
        formerMember: a.userId === null && isUuid(a.identity),
        accountName: a.accountName,
        isGuest: isGuestIdentity(a.identity),
        firstJoinedAt: a.joinedAt,
        spans: [span],
      });
  }
  return {
    id: session.id,
    startedAt: new Date(start),
    endedAt: ongoing ? null : new Date(end),
    durationSeconds: Math.round(Math.max(0, end - start) / 1000),
    attendees: [...byPerson.values()].map(({ spans, ...person }) => ({
      ...person,
      secondsPresent: Math.round(coveredMs(spans) / 1000),
    })),
  };
}
