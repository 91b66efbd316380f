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
import { MeetingRecordings, type Recording } from "@/features/recordings/meeting-recordings";
import { LinkifiedText } from "@/features/room/in-room/linkify";
import { api } from "@/trpc/react";

import { RoomChatSearch } from "./room-chat-search";

type Meeting = RouterOutputs["room"]["history"][number];

/** "45 s", "12 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** The room's past meetings: when each started, how long it lasted, and who came for how long. */
/** The room being shown, for the meetings' chat. */
type RoomRef = { teamSlug: string; roomSlug: string };

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
  // Each meeting's recordings sit on the timeline beside who came and what was written.
  const recordings = api.recording.list.useQuery({ teamSlug, roomSlug }, { enabled: open });
  const recordingsOf = (meetingId: string) =>
    recordings.data?.recordings.filter((r) => r.roomSessionId === meetingId) ?? [];

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
          <DialogDescription>
            The last 20 meetings, newest first, with who attended, their chat and recordings. Search finds
            what was written in any meeting.
          </DialogDescription>
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
          <>
            <RoomChatSearch room={{ teamSlug, roomSlug }} />
            <ol className="grid gap-3" aria-label="Meetings">
              {history.data.map((meeting) => (
                <li key={meeting.id}>
                  <MeetingEntry
                    meeting={meeting}
                    room={{ teamSlug, roomSlug }}
                    recordings={recordingsOf(meeting.id)}
                  />
                </li>
              ))}
            </ol>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

function MeetingEntry({
  meeting,
  room,
  recordings,
}: {
  meeting: Meeting;
  room: RoomRef;
  recordings: Recording[];
}) {
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
              {person.isGuest ? <span className="ml-1.5 text-xs text-muted-foreground">(guest)</span> : null}
              {person.formerMember ? (
                <span className="ml-1.5 text-xs text-muted-foreground">(former member)</span>
              ) : null}
            </span>
            <span className="text-xs text-muted-foreground tabular-nums">
              {formatDuration(person.secondsPresent)}
            </span>
          </li>
        ))}
      </ul>
      <MeetingRecordings recordings={recordings} room={room} />
      <MeetingChat meetingId={meeting.id} room={room} />
    </article>
  );
}

/** What was written during one meeting, loaded when someone opens it. */
function MeetingChat({ meetingId, room }: { meetingId: string; room: RoomRef }) {
  const [open, setOpen] = useState(false);
  const chat = api.chat.list.useQuery({ ...room, meetingId, limit: 200 }, { enabled: open });
  return (
    <details className="group text-sm" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-muted-foreground select-none hover:text-foreground">
        Chat
      </summary>
      <div className="mt-2">
        {!open || chat.isPending ? (
          <Skeleton className="h-10 rounded-md" />
        ) : chat.error?.data?.reason === "room-encrypted" ? (
          <p className="text-muted-foreground" data-testid="history-chat-encrypted">
            This room is end-to-end encrypted: its chat is not saved.
          </p>
        ) : chat.error ? (
          <QueryError
            error={chat.error}
            title="Couldn't load the chat"
            onRetry={() => chat.refetch()}
            retrying={chat.isFetching}
          />
        ) : chat.data.length === 0 ? (
          <p className="text-muted-foreground">Nobody wrote in the chat during this meeting.</p>
        ) : (
          <ol
            className="grid max-h-64 gap-2 overflow-y-auto rounded-md bg-muted/50 p-3"
            aria-label="Chat messages"
          >
            {chat.data.map((message) => (
              <li key={message.id} className="grid gap-0.5">
                <span className="flex items-baseline gap-2">
                  <bdi className="truncate font-medium">{message.authorName}</bdi>
                  <span className="shrink-0 text-xs text-muted-foreground">
                    {message.createdAt.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
                  </span>
                </span>
                <p className="break-words whitespace-pre-wrap" dir="auto">
                  <LinkifiedText text={message.body} />
                </p>
              </li>
            ))}
          </ol>
        )}
      </div>
    </details>
  );
}
