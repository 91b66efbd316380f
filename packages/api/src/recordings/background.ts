/**
 * The recorder's background work in each web instance: ends recordings whose recorder is gone,
 * brings those LiveKit's Egress records to what LiveKit says of them, and stops the recordings
 * this instance runs when another instance is asked to stop them.
 */
import type { Services } from "../lib/services";
import { reconcileEgressRecordings } from "./egress";
import { RECORDING_STOP_CHANNEL } from "./lifecycle";
import { sweepOrphanedRecordings } from "./logic";

export const SWEEP_EVERY_MS = 15_000;

export function startRecordingJobs(svc: Services): () => void {
  const failed = (error: unknown) =>
    svc.logger.warn({ err: error instanceof Error ? error.message : error }, "recording sweep failed");
  const sweep = () =>
    Promise.all([
      sweepOrphanedRecordings(svc).catch(failed),
      // Recordings LiveKit's Egress makes (RECORDER=egress) end as LiveKit says, should a webhook be lost.
      reconcileEgressRecordings(svc).catch(failed),
    ]);
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  void sweep();
  const unlisten = svc.database
    .listen(RECORDING_STOP_CHANNEL, (id) => {
      if (svc.recorder.owns(id)) void svc.recorder.stop(id);
    })
    .catch((error: unknown) => {
      svc.logger.warn({ err: error }, "cannot hear stop requests for recordings from other instances");
      return undefined;
    });
  return () => {
    clearInterval(timer);
    void unlisten.then((stop) => stop?.());
  };
}
