"use client";

import type { RouterOutputs } from "@parlor/api";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import { DownloadIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { api } from "@/trpc/react";

export type Recording = RouterOutputs["recording"]["list"]["recordings"][number];

/** "45 s", "12 min 05 s", "1 h 05 min". */
function formatLength(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** A meeting's recordings on the room's timeline: a player, a download and (owners, admins) delete. */
export function MeetingRecordings({
  recordings,
  room,
}: {
  recordings: Recording[];
  room: { teamSlug: string; roomSlug: string };
}) {
  if (recordings.length === 0) return null;
  return (
    <ul className="grid gap-3" aria-label="Recordings">
      {recordings.map((recording) => (
        <li key={recording.id}>
          <RecordingEntry recording={recording} room={room} />
        </li>
      ))}
    </ul>
  );
}

function RecordingEntry({
  recording,
  room,
}: {
  recording: Recording;
  room: { teamSlug: string; roomSlug: string };
}) {
  const [confirming, setConfirming] = useState(false);
  const utils = api.useUtils();
  const remove = api.recording.delete.useMutation({
    onSuccess: async () => {
      setConfirming(false);
      await utils.recording.list.invalidate(room);
    },
  });
  const running =
    recording.state === "starting" || recording.state === "recording" || recording.state === "stopping";
  return (
    <div className="grid gap-2 rounded-md bg-muted/50 p-2" data-testid="recording-entry">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">Recording{recording.part > 1 ? `, part ${recording.part}` : ""}</span>
        {running ? (
          <Badge variant="destructive">Recording now</Badge>
        ) : recording.state === "failed" ? (
          <Badge variant="secondary">Failed</Badge>
        ) : recording.durationMs !== null ? (
          <Badge variant="secondary">{formatLength(recording.durationMs)}</Badge>
        ) : null}
        {recording.startedByName ? (
          <span className="text-xs text-muted-foreground">started by {recording.startedByName}</span>
        ) : null}
      </div>
      {recording.url ? (
        <video
          controls
          preload="metadata"
          playsInline
          src={recording.url}
          className="aspect-video w-full rounded bg-black"
          data-testid="recording-player"
        >
          <a href={recording.url}>Download the recording</a>
        </video>
      ) : null}
      {recording.error ? <p className="text-xs text-muted-foreground">{recording.error}</p> : null}
      {recording.url || recording.canDelete ? (
        <div className="flex flex-wrap items-center gap-2">
          {recording.url ? (
            <Button asChild variant="outline" size="sm">
              <a href={`${recording.url}?download`} download>
                <DownloadIcon aria-hidden="true" />
                Download{recording.sizeBytes ? ` (${formatSize(recording.sizeBytes)})` : ""}
              </a>
            </Button>
          ) : null}
          {recording.canDelete ? (
            <Button variant="ghost" size="sm" onClick={() => setConfirming(true)}>
              <Trash2Icon aria-hidden="true" />
              Delete
            </Button>
          ) : null}
        </div>
      ) : null}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Delete this recording?"
        description="The recording and its file are deleted for everyone. This cannot be undone."
        confirmLabel="Delete recording"
        pendingLabel="Deleting…"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate({ ...room, recordingId: recording.id })}
      />
    </div>
  );
}
