"use client";

import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { CircleIcon, SquareIcon } from "lucide-react";
import { useEffect, useRef } from "react";

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
  const recordings = api.recording.list.useQuery(room, {
    refetchOnWindowFocus: false,
    // Cut short and being resumed by the server: look again until it records or says it cannot.
    refetchInterval: (query) => {
      const data = query.state.data;
      const latest = data?.recordings[0];
      const lately = !!latest?.endedAt && Date.now() - latest.endedAt.getTime() < 2 * 60_000;
      return data && !data.active && !data.interruption && latest?.error && lately ? 5_000 : false;
    },
  });
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
  // Recording stopped by itself (the recorder or LiveKit failed, the storage is full): the
  // moderators are told once, with the way to start again.
  const interruption = data?.canRecord ? data.interruption : null;
  useInterruptionNotice(interruption, () => start.mutate(room));
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
      <span className="hidden sm:inline">
        {starting ? "Starting…" : interruption ? "Retry recording" : "Record"}
      </span>
      {data.cannotRecordReason ? (
        <span id="recording-unavailable" className="sr-only">
          {data.cannotRecordReason}
        </span>
      ) : null}
    </Button>
  );
}

/** Says once that recording stopped by itself, why, and offers to start it again. */
function useInterruptionNotice(
  interruption: { recordingId: string; message: string } | null | undefined,
  retry: () => void,
) {
  const retryRef = useRef(retry);
  useEffect(() => {
    retryRef.current = retry;
  });
  const id = interruption?.recordingId ?? null;
  const message = interruption?.message ?? null;
  useEffect(() => {
    if (!id || !message) return;
    toast.error("Recording stopped", {
      id: `recording-stopped-${id}`,
      description: message,
      duration: 30_000,
      action: { label: "Retry", onClick: () => retryRef.current() },
    });
  }, [id, message]);
}
