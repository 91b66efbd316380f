"use client";

import type { RouterOutputs } from "@parlor/api";
import { InitialsAvatar } from "@parlor/ui/avatar";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import { Input } from "@parlor/ui/input";
import { Skeleton } from "@parlor/ui/skeleton";
import { PhoneOffIcon, SearchIcon, UserXIcon, UsersIcon } from "lucide-react";
import Link from "next/link";
import { useDeferredValue, useEffect, useState } from "react";
import { toast } from "@parlor/ui/toaster";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { AccountName } from "@/components/account-name";
import { LocalDate } from "@/components/local-date";
import { EmptyState } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { roomPath } from "@/features/rooms/room-card";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { useHealth } from "./health-panel";
import { LiveStatus, useLiveUpdates } from "./live-status";

type ActiveRoom = RouterOutputs["admin"]["activeRooms"][number];
type Person = ActiveRoom["participants"][number];

/** Matches a room by team, room or participant name, ignoring case and accents. */
export function matchesSearch(room: ActiveRoom, query: string): boolean {
  const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const needle = fold(query.trim());
  if (!needle) return true;
  return [
    room.teamName,
    room.teamSlug,
    room.displayName,
    room.roomSlug,
    ...room.participants.map((p) => p.name),
  ].some((text) => fold(text).includes(needle));
}

export function ActiveRooms() {
  const utils = api.useUtils();
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const live = useLiveUpdates();
  const rooms = api.admin.activeRooms.useQuery(undefined, { refetchInterval: live.pollingInterval });
  api.admin.changes.useSubscription(undefined, {
    onStarted: live.onStarted,
    onData: () => void utils.admin.activeRooms.invalidate(),
    onError: live.onError,
  });

  // While LiveKit cannot be asked, the list is what was last recorded: say so, not "Live".
  const health = useHealth();
  // Loading the rooms may have just reconciled with LiveKit: check the services again with it.
  const { dataUpdatedAt } = rooms;
  useEffect(() => {
    if (dataUpdatedAt) void utils.admin.health.invalidate();
  }, [dataUpdatedAt, utils]);
  const livekitDown =
    health.data?.dependencies.some((d) => d.key === "livekit" && d.level === "down") ?? false;

  const list = rooms.data ?? [];
  const shown = list.filter((room) => matchesSearch(room, deferredQuery));
  const people = list.reduce((n, room) => n + room.numParticipants, 0);

  return (
    <div className="grid gap-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="relative w-full sm:max-w-sm">
          <SearchIcon
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="Search teams, rooms or people"
            aria-label="Search active rooms"
            className="pl-9"
          />
        </div>
        <div className="flex items-center gap-3 text-sm text-muted-foreground">
          {rooms.data ? (
            <span>
              {list.length} room{list.length === 1 ? "" : "s"} · {people} {people === 1 ? "person" : "people"}
            </span>
          ) : null}
          <LiveStatus state={live.state} unconfirmed={livekitDown} />
        </div>
      </div>

      {rooms.isPending ? (
        <div className="grid gap-3">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-28 rounded-xl" />
          ))}
        </div>
      ) : null}

      {rooms.error && !rooms.data ? (
        <QueryError
          error={rooms.error}
          title="Couldn't load the active rooms"
          onRetry={() => rooms.refetch()}
          retrying={rooms.isFetching}
        />
      ) : null}

      {rooms.data && list.length === 0 ? (
        livekitDown ? (
          <EmptyState icon={<UsersIcon />} title="No meetings recorded">
            LiveKit cannot be asked right now (see above), so meetings that started or ended since it stopped
            answering may be missing.
          </EmptyState>
        ) : (
          <EmptyState icon={<UsersIcon />} title="No meetings right now">
            When someone joins a room in any team, it shows up here within a second.
          </EmptyState>
        )
      ) : null}

      {rooms.data && list.length > 0 && shown.length === 0 ? (
        <EmptyState
          icon={<SearchIcon />}
          title="Nothing matches"
          action={
            <Button variant="outline" onClick={() => setQuery("")}>
              Clear search
            </Button>
          }
        >
          No active room has a team, room or person called “{deferredQuery}”.
        </EmptyState>
      ) : null}

      {shown.length > 0 ? (
        <ul className="grid gap-3" aria-label="Active rooms">
          {shown.map((room) => (
            <li key={room.roomName}>
              <ActiveRoomCard room={room} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ActiveRoomCard({ room }: { room: ActiveRoom }) {
  const utils = api.useUtils();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [removing, setRemoving] = useState<Person | null>(null);
  const endRoom = api.admin.endRoom.useMutation({
    onSuccess: () => {
      setConfirmEnd(false);
      toast.success(`Ended the meeting in ${room.displayName}`);
      void utils.admin.activeRooms.invalidate();
    },
  });
  const remove = api.admin.removeParticipant.useMutation({
    onSuccess: (_, input) => {
      const who = room.participants.find((p) => p.identity === input.identity)?.name ?? "They";
      setRemoving(null);
      toast.success(`${who} was removed from ${room.displayName}`);
      void utils.admin.activeRooms.invalidate();
    },
  });

  return (
    <article
      aria-label={`${room.teamName} / ${room.displayName}`}
      className="rounded-xl border bg-card p-5 shadow-xs"
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="grid min-w-0 gap-1">
          <p className="truncate text-sm text-muted-foreground">
            <Link
              href={`/t/${encodeURIComponent(room.teamSlug)}`}
              className="hover:underline hover:underline-offset-4"
            >
              <bdi>{room.teamName}</bdi>
            </Link>
          </p>
          <h3 className="flex items-center gap-2 font-medium">
            <span className="relative flex size-2 shrink-0" aria-hidden="true">
              <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" />
              <span className="relative inline-flex size-2 rounded-full bg-success" />
            </span>
            <Link
              href={roomPath(room.teamSlug, room.roomSlug)}
              dir="auto"
              className="truncate hover:underline hover:underline-offset-4"
            >
              {room.displayName}
            </Link>
            <Badge variant="secondary">{room.numParticipants} in the room</Badge>
          </h3>
          <p className="text-xs text-muted-foreground">
            Started <LocalDate value={room.createdAt} relative />
          </p>
        </div>
        <Button
          variant="outline"
          size="sm"
          className="self-start text-destructive"
          onClick={() => setConfirmEnd(true)}
        >
          <PhoneOffIcon aria-hidden="true" />
          End meeting
        </Button>
      </div>

      {room.participants.length > 0 ? (
        <ul
          className="mt-4 grid gap-2 sm:grid-cols-2 lg:grid-cols-3"
          aria-label={`People in ${room.displayName}`}
        >
          {room.participants.map((person) => (
            <li
              key={person.identity}
              className="flex items-center gap-3 rounded-lg border bg-background/50 px-3 py-2"
            >
              <InitialsAvatar name={person.name || "Someone"} id={person.identity} className="size-8" />
              <div className="grid min-w-0 flex-1">
                <span className="truncate text-sm font-medium" dir="auto">
                  {person.name || person.identity}
                  <AccountName chosen={person.name} account={person.accountName} />
                  {person.isGuest ? (
                    <span className="font-normal text-muted-foreground"> (guest)</span>
                  ) : null}
                </span>
                <span className="text-xs text-muted-foreground">
                  since <LocalDate value={person.joinedAt} relative />
                </span>
              </div>
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Remove ${person.name || "this person"} from the room`}
                onClick={() => setRemoving(person)}
              >
                <UserXIcon aria-hidden="true" />
              </Button>
            </li>
          ))}
        </ul>
      ) : null}

      <ConfirmDialog
        open={confirmEnd}
        onOpenChange={setConfirmEnd}
        title={`End the meeting in ${room.displayName}?`}
        description={`Everyone in the room (${room.numParticipants}) is disconnected at once. The room itself stays, and people can start a new meeting in it.`}
        confirmLabel="End meeting"
        pendingLabel="Ending…"
        pending={endRoom.isPending}
        error={endRoom.error}
        onConfirm={() => endRoom.mutate({ roomName: room.roomName })}
      />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => (open ? undefined : setRemoving(null))}
        title={`Remove ${removing?.name ?? "this person"}?`}
        description="They are disconnected from this meeting and cannot rejoin this room for 5 minutes."
        confirmLabel="Remove"
        pendingLabel="Removing…"
        pending={remove.isPending}
        error={remove.error ? new Error(describeError(remove.error).message) : null}
        onConfirm={() => removing && remove.mutate({ roomName: room.roomName, identity: removing.identity })}
      />
    </article>
  );
}
