/** The recordings table as the recorder and the procedures change it. */
import { schema, type Database, type RecordingState } from "@parlor/db";
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";

export const ACTIVE_STATES = ["starting", "recording", "stopping"] as const satisfies RecordingState[];

/** The recorder wrote its first picture: the recording is on, and belongs to the meeting now live. */
export async function markRecording(db: Database, id: string, at: Date) {
  await db
    .update(schema.recordings)
    .set({
      state: sql`case when ${schema.recordings.state} = 'starting' then 'recording'::recording_state else ${schema.recordings.state} end`,
      startedAt: at,
      heartbeatAt: at,
      roomSessionId: sql`coalesce(${schema.recordings.roomSessionId}, (
        select s.id from ${schema.roomSessions} s
        where s.room_id = ${schema.recordings.roomId} and s.ended_at is null
        order by s.started_at desc limit 1))`,
    })
    .where(eq(schema.recordings.id, id));
}

export async function heartbeat(db: Database, ids: string[], at: Date) {
  if (ids.length === 0) return;
  await db
    .update(schema.recordings)
    .set({ heartbeatAt: at })
    .where(and(inArray(schema.recordings.id, ids), inArray(schema.recordings.state, ACTIVE_STATES)));
}

/** Asks for a stop; says whether there was a running recording to stop. */
export async function markStopping(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(schema.recordings)
    .set({ state: "stopping" })
    .where(and(eq(schema.recordings.id, id), inArray(schema.recordings.state, ["starting", "recording"])))
    .returning({ id: schema.recordings.id });
  return rows.length > 0;
}

export interface Ending {
  state: "complete" | "failed";
  endedAt: Date;
  durationMs: number | null;
  sizeBytes: number | null;
  error: string | null;
}

/** Ends a recording once: a recording already ended keeps its first ending. */
export async function markEnded(db: Database, id: string, ending: Ending) {
  await db
    .update(schema.recordings)
    .set({ ...ending, heartbeatAt: null })
    .where(and(eq(schema.recordings.id, id), inArray(schema.recordings.state, ACTIVE_STATES)));
}

/**
 * Running recordings no recorder has vouched for since `before`: their recorder is gone (the
 * process died or was killed). Those that never wrote anything count from their creation.
 */
export async function orphaned(db: Database, before: Date) {
  return db
    .select({
      id: schema.recordings.id,
      storageKey: schema.recordings.storageKey,
      startedAt: schema.recordings.startedAt,
    })
    .from(schema.recordings)
    .where(
      and(
        inArray(schema.recordings.state, ACTIVE_STATES),
        // LiveKit's Egress records those (egress.ts): LiveKit says when they end.
        isNull(schema.recordings.egressId),
        or(
          lt(schema.recordings.heartbeatAt, before),
          and(isNull(schema.recordings.heartbeatAt), lt(schema.recordings.createdAt, before)),
        ),
      ),
    );
}
