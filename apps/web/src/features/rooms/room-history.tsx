"use client";

import type { RouterOutputs } from "@parlor/api";
import { InitialsAvatar } from "@parlor/ui/avatar";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@parlor/ui/dialog";
import { Skeleton } from "@parlor/ui/skeleton";
import { HistoryIcon } from "lucide-react";
import { useState } from "react";

import { AccountName } from "@/components/account-name";
import { LocalDate } from "@/components/local-date";
import { QueryError } from "@/components/query-error";
import { api } from "@/trpc/react";

type Meeting = RouterOutputs["room"]["history"][number];

/** "45 s", "12 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** The room's past meetings: when each started, how long it lasted, and who came for how long. */
export function RoomHistoryDialog({
  teamSlug,
  roomSlug,
  roomName,
}: {
  teamSlug: string;
  roomSlug: string;
  roomName: string;
}) {
  const [open, setOpen] = useState(false);
  const history = api.room.history.useQuery({ teamSlug, roomSlug, limit: 20 }, { enabled: open });

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm">
          <HistoryIcon aria-hidden="true" />
          History
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[85dvh] overflow-y-auto sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Meetings in {roomName}</DialogTitle>
          <DialogDescription>The last 20 meetings, newest first, with who attended.</DialogDescription>
        </DialogHeader>
        {history.isPending ? (
          <div className="grid gap-3">
            <Skeleton className="h-20 rounded-lg" />
            <Skeleton className="h-20 rounded-lg" />
          </div>
        ) : history.error ? (
          <QueryError
            error={history.error}
            title="Couldn't load the history"
            onRetry={() => history.refetch()}
            retrying={history.isFetching}
          />
        ) : history.data.length === 0 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
            No meetings yet. When people meet here, each meeting is listed with who came.
          </p>
        ) : (
          <ol className="grid gap-3" aria-label="Meetings">
            {history.data.map((meeting) => (
              <li key={meeting.id}>
                <MeetingEntry meeting={meeting} />
              </li>
            ))}
          </ol>
        )}
      </DialogContent>
    </Dialog>
  );
}

function MeetingEntry({ meeting }: { meeting: Meeting }) {
  const live = meeting.endedAt === null;
  return (
    <article className="grid gap-3 rounded-lg border p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-medium">
          <LocalDate value={meeting.startedAt} />
        </p>
        {live ? (
          <Badge>Happening now</Badge>
        ) : (
          <Badge variant="secondary">{formatDuration(meeting.durationSeconds)}</Badge>
        )}
      </div>
      <ul className="grid gap-1.5" aria-label="Attendees">
        {meeting.attendees.map((person) => (
          <li key={person.identity} className="flex items-center gap-2.5 text-sm">
            <InitialsAvatar name={person.name || "Someone"} id={person.identity} className="size-6" />
            <span className="min-w-0 flex-1 truncate">
              {person.name || person.identity}
              <AccountName chosen={person.name} account={person.accountName} />
            </span>
            <span className="text-xs text-muted-foreground tabular-nums">
              {formatDuration(person.secondsPresent)}
            </span>
          </li>
        ))}
      </ul>
    </article>
  );
}
