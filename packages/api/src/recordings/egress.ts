/**
 * Recording through LiveKit's own Egress service (RECORDER=egress), for installations that record
 * many meetings at once or want the recording done on other machines than the web app. Parlor
 * asks LiveKit for a room composite recording (speaker layout, H.264 MP4) written where the
 * embedded recorder would keep it (the same bucket and key, or the same folder shared with the
 * Egress), and follows it through LiveKit's egress webhooks (and, should one be lost, by asking
 * LiveKit in the background sweep). The recordings table, its states and the rules around it are
 * the same as with the embedded recorder (logic.ts).
 */
import { resolve } from "node:path";

import { schema } from "@parlor/db";
import { and, count, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { EgressInfo } from "livekit-server-sdk";

import type { Config } from "../lib/config";
import type { Services } from "../lib/services";
import { EgressGone, egressState, type EgressDestination, type EgressState } from "../livekit/egress";
import { defaultRecordingsDir } from "./storage";
import { ACTIVE_STATES, markEnded, markRecording, markStopping } from "./store";

/** How long a stop waits for the Egress to finish the file (and upload it) before answering. */
export const EGRESS_STOP_WAIT_MS = 30_000;
const POLL_MS = 500;

/** Serializes the instance-wide count of running recordings against RECORDING_MAX_CONCURRENT. */
const CAPACITY_LOCK = 0x70617231; // "par1"

/** Where the Egress writes a recording's key: the same key in the bucket, or the shared folder. */
export function egressDestination(config: Config["recording"], key: string): EgressDestination {
  if (config.s3) return { kind: "s3", key, s3: config.s3 };
  const dir = config.egress.dir ?? resolve(config.dir ?? defaultRecordingsDir());
  return { kind: "file", path: `${dir.replace(/\/+$/, "")}/${key}` };
}

/** A recording's storage key from what an egress writes to (`…/<room id>/<recording id>.mp4`). */
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const KEY = new RegExp(`(?:^|/)(${UUID}/${UUID}\\.mp4)$`, "i");
export const storageKeyOf = (target: string | null) => (target ? (KEY.exec(target)?.[1] ?? null) : null);

/** A recording's row as the procedures insert it (its part counted by the statement). */
export type NewRecording = PgInsertValue<typeof schema.recordings> & { id: string; storageKey: string };

/**
 * Starts recording a room through Egress: the recording's row first (counted with every running
 * recording of the installation, so RECORDING_MAX_CONCURRENT holds across web instances), then
 * the egress. When the Egress is missing or refuses, the row goes again and the error says why:
 * nothing is left "starting". Returns false when the installation records as many as it may.
 */
export async function startEgressRecording(svc: Services, values: NewRecording, roomName: string) {
  const inserted = await svc.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CAPACITY_LOCK})`);
    const [running] = await tx
      .select({ n: count() })
      .from(schema.recordings)
      .where(inArray(schema.recordings.state, ACTIVE_STATES));
    if ((running?.n ?? 0) >= svc.config.recording.maxConcurrent) return false;
    await tx.insert(schema.recordings).values(values);
    return true;
  });
  if (!inserted) return false;

  const { recording } = svc.config;
  let state: EgressState;
  try {
    state = await svc.livekit.egress.startRoomComposite({
      roomName,
      destination: egressDestination(recording, values.storageKey),
      width: recording.width,
      height: recording.height,
      audioCodec: recording.egress.audioCodec,
    });
  } catch (error) {
    await svc.db.delete(schema.recordings).where(eq(schema.recordings.id, values.id));
    throw error;
  }
  const [row] = await svc.db
    .update(schema.recordings)
    .set({ egressId: state.egressId })
    .where(eq(schema.recordings.id, values.id))
    .returning({ state: schema.recordings.state });
  svc.logger.info(
    { event: "recording.egress", recordingId: values.id, egressId: state.egressId },
    "egress started",
  );
  // Stopped (or its room deleted) while the Egress was being asked: it stops too.
  if (!row || row.state === "stopping") await stopEgressRecording(svc, values.id, state.egressId);
  else await applyEgressState(svc, state);
  return true;
}

/**
 * Stops a recording's egress and waits (a bounded while) for the Egress to finish the file, so
 * the answer says "complete" as with the embedded recorder; otherwise its webhook ends it later.
 */
export async function stopEgressRecording(svc: Services, id: string, egressId: string) {
  try {
    await svc.livekit.egress.stop(egressId);
  } catch (error) {
    if (!(error instanceof EgressGone)) throw error; // already ending or ended: its end is below
  }
  await markStopping(svc.db, id);
  const deadline = Date.now() + EGRESS_STOP_WAIT_MS;
  for (;;) {
    const state = await svc.livekit.egress.get(egressId).catch(() => undefined);
    if (state === null || (state && (state.status === "complete" || state.status === "failed"))) {
      if (state) await applyEgressState(svc, state);
      else await markGone(svc, id);
      return;
    }
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** An egress webhook (egress_started, egress_updated, egress_ended) from LiveKit. */
export async function applyEgressEvent(svc: Services, info: EgressInfo) {
  await applyEgressState(svc, egressState(info));
}

/**
 * Brings a recording's row to what its egress says: recording once it writes, stopping while it
 * ends, complete with its file's size and length, or failed with LiveKit's reason. Each ending
 * applies once. An egress writing a Parlor recording that no longer exists (its start was given
 * up, or it was deleted) is stopped.
 */
export async function applyEgressState(svc: Services, state: EgressState) {
  const key = storageKeyOf(state.target);
  const byEgress = eq(schema.recordings.egressId, state.egressId);
  // Its start may not have stored the egress id yet: the key it writes names the recording.
  const where: SQL = key
    ? or(byEgress, and(isNull(schema.recordings.egressId), eq(schema.recordings.storageKey, key)))!
    : byEgress;
  const [row] = await svc.db
    .select({ id: schema.recordings.id, egressId: schema.recordings.egressId })
    .from(schema.recordings)
    .where(where)
    .limit(1);
  if (!row) {
    if (key && (state.status === "starting" || state.status === "active")) {
      await svc.livekit.egress.stop(state.egressId).catch(() => undefined);
    }
    return;
  }
  if (!row.egressId) {
    await svc.db
      .update(schema.recordings)
      .set({ egressId: state.egressId })
      .where(eq(schema.recordings.id, row.id));
  }
  switch (state.status) {
    case "starting":
      return;
    case "active":
      return markRecording(svc.db, row.id, state.startedAt ?? svc.clock());
    case "ending":
      return void (await markStopping(svc.db, row.id));
    default:
      return markEnded(svc.db, row.id, await endingOf(svc, state, key));
  }
}

async function endingOf(svc: Services, state: EgressState, key: string | null) {
  const endedAt = svc.clock();
  if (state.status === "complete") {
    const sizeBytes =
      state.file?.sizeBytes ?? (key ? await svc.recordingStorage.size(key).catch(() => null) : null);
    if (sizeBytes) {
      return {
        state: "complete" as const,
        endedAt,
        durationMs: state.file?.durationMs ?? null,
        sizeBytes,
        error: null,
      };
    }
  }
  const reason = state.error ?? "it wrote no file";
  return {
    state: "failed" as const,
    endedAt,
    durationMs: null,
    sizeBytes: null,
    error: `LiveKit's recording service (Egress) could not record this meeting: ${reason.replace(/\.?$/, ".")} Please start recording again.`,
  };
}

/** LiveKit no longer knows the egress (it restarted, or forgot it): the recording is over. */
async function markGone(svc: Services, id: string) {
  await markEnded(svc.db, id, {
    state: "failed",
    endedAt: svc.clock(),
    durationMs: null,
    sizeBytes: null,
    error: "LiveKit's recording service (Egress) lost this recording. Please start recording again.",
  });
}

/**
 * The background sweep's part for Egress (background.ts): every running egress recording is
 * brought to what LiveKit says of it, so a lost webhook costs a sweep's interval, not a recording
 * stuck "recording". When LiveKit cannot be asked now, the next sweep asks again.
 */
export async function reconcileEgressRecordings(svc: Services) {
  const running = await svc.db
    .select({ id: schema.recordings.id, egressId: schema.recordings.egressId })
    .from(schema.recordings)
    .where(and(isNotNull(schema.recordings.egressId), inArray(schema.recordings.state, ACTIVE_STATES)));
  for (const row of running) {
    let state: EgressState | null;
    try {
      state = await svc.livekit.egress.get(row.egressId!);
    } catch {
      return; // LiveKit or its Egress unreachable: nothing known, nothing changed
    }
    if (state) await applyEgressState(svc, state);
    else await markGone(svc, row.id);
  }
  return running.length;
}
