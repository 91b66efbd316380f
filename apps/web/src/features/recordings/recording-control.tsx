"use client";

import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { CircleIcon, SquareIcon } from "lucide-react";
import { useEffect } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { useIsRecording } from "./use-is-recording";

/**
 * Start and stop recording, for whoever may (owners and admins; members when the team allows).
 * In an encrypted room the button stays, disabled, saying why; people who may not record see
 * nothing here (the indicator beside it tells them when the meeting is recorded).
 */
export function RecordingControl({ room }: { room: { teamSlug: string; roomSlug: string } }) {
  const utils = api.useUtils();
  const recordings = api.recording.list.useQuery(room, { refetchOnWindowFocus: false });
  const live = useIsRecording();
  // LiveKit announces the recorder's arrival and departure; the list follows.
  useEffect(() => {
    void utils.recording.list.invalidate(room);
  }, [live, room, utils]);
  const start = api.recording.start.useMutation({
    onError: (error) => toast.error("Recording did not start", { description: describeError(error).message }),
    onSettled: () => utils.recording.list.invalidate(room),
  });
  const stop = api.recording.stop.useMutation({
    onError: (error) => toast.error("Recording did not stop", { description: describeError(error).message }),
    onSuccess: () =>
      toast.success("Recording saved", {
        description: "It is in the room's history, where members of the team can watch it.",
      }),
    onSettled: () => utils.recording.list.invalidate(room),
  });

  const data = recordings.data;
  const latest = data?.recordings[0];
  // A recording that failed on the server in the last minute (the recorder could not join…).
  const failed =
    latest?.state === "failed" && latest.endedAt && Date.now() - latest.endedAt.getTime() < 60_000
      ? latest
      : null;
  useFailureNotice(failed?.id ?? null, failed?.error ?? null);
  if (!data) return null;

  const active = data.active;
  if (active) {
    if (!data.canRecord) return null;
    const stopping = stop.isPending || active.state === "stopping";
    return (
      <Button
        variant="outline"
        size="sm"
        onClick={() => stop.mutate(room)}
        disabled={stopping}
        data-testid="recording-stop"
      >
        <SquareIcon className="fill-current text-red-600" aria-hidden="true" />
        <span className="hidden sm:inline">{stopping ? "Stopping…" : "Stop recording"}</span>
        <span className="sm:hidden">{stopping ? "Stopping…" : "Stop"}</span>
      </Button>
    );
  }
  if (!data.canRecord && !data.cannotRecordReason?.includes("encrypted")) return null;
  const starting = start.isPending;
  return (
    <Button
      variant="outline"
      size="sm"
      onClick={() => start.mutate(room)}
      disabled={!data.canRecord || starting}
      title={data.cannotRecordReason ?? "Record this meeting"}
      aria-describedby={data.cannotRecordReason ? "recording-unavailable" : undefined}
      data-testid="recording-start"
    >
      <CircleIcon className="fill-current text-red-600" aria-hidden="true" />
      <span className="hidden sm:inline">{starting ? "Starting…" : "Record"}</span>
      {data.cannotRecordReason ? (
        <span id="recording-unavailable" className="sr-only">
          {data.cannotRecordReason}
        </span>
      ) : null}
    </Button>
  );
}

/** Says once that a recording failed, and why. */
function useFailureNotice(id: string | null, error: string | null) {
  useEffect(() => {
    if (id && error) toast.error("Recording failed", { id: `recording-failed-${id}`, description: error });
  }, [id, error]);
}
