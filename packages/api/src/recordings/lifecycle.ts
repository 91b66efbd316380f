/**
 * What other domains ask of recordings when rooms end or go: stop them, and remove their files.
 * Kept apart from logic.ts (which checks team roles through teams/logic.ts) so that rooms and teams can
 * call it without an import circle.
 */
import { schema } from "@parlor/db";
import { and, eq, inArray, sql } from "drizzle-orm";

import { AppError } from "../lib/errors";
import type { Services } from "../lib/services";
import { stopEgressRecording } from "./egress";
import { ACTIVE_STATES, markStopping } from "./store";

export async function stopById(svc: Services, id: string) {
  const [row] = await svc.db
    .select({ egressId: schema.recordings.egressId })
    .from(schema.recordings)
    .where(eq(schema.recordings.id, id));
  // LiveKit's Egress records it (RECORDER=egress): any instance stops it through LiveKit.
  if (row?.egressId) return stopEgressRecording(svc, id, row.egressId);
  await markStopping(svc.db, id);
  if (!(await svc.recorder.stop(id))) {
    // Not running in this process: its own recorder hears of it, or it is orphaned and swept.
    await svc.db.execute(sql`select pg_notify(${RECORDING_STOP_CHANNEL}, ${id})`);
  }
}

/**
 * Before rooms go (a room deleted, or its team): their recordings stop, and their files are
 * removed from the storage. When the storage cannot be reached the rooms are kept, so no file is
 * left behind without a record of it.
 */
export async function removeRecordingsOfRooms(svc: Services, roomIds: string[]) {
  if (roomIds.length === 0) return;
  const running = await svc.db
    .select({ id: schema.recordings.id })
    .from(schema.recordings)
    .where(and(inArray(schema.recordings.roomId, roomIds), inArray(schema.recordings.state, ACTIVE_STATES)));
  await Promise.all(running.map((row) => stopById(svc, row.id)));
  try {
    for (const roomId of roomIds) await svc.recordingStorage.removeAll(roomId);
  } catch (error) {
    svc.logger.warn({ err: error, roomIds }, "could not delete the recordings of rooms being deleted");
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "The recordings of this room could not be deleted right now, so nothing was deleted. Please try again in a moment.",
      { dependency: "storage" },
    );
  }
}

/** Another web instance asks the instance running a recording to stop it. */
export const RECORDING_STOP_CHANNEL = "parlor_recording_stop";

/** The meeting in a LiveKit room ended (its webhook): its recordings stop with it. */
export async function stopRecordingsOfRoom(svc: Services, livekitRoomName: string) {
  const rows = await svc.db
    .select({ id: schema.recordings.id })
    .from(schema.recordings)
    .innerJoin(schema.rooms, eq(schema.rooms.id, schema.recordings.roomId))
    .where(
      and(eq(schema.rooms.livekitRoomName, livekitRoomName), inArray(schema.recordings.state, ACTIVE_STATES)),
    );
  await Promise.all(rows.map((row) => stopById(svc, row.id)));
}

/** The room's recordings, newest first, and what the caller may do with them. */
