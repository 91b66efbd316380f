"use client";

import type { RouterOutputs } from "@parlor/api";
import { Alert, AlertDescription, AlertTitle } from "@parlor/ui/alert";
import { Button } from "@parlor/ui/button";
import { Skeleton } from "@parlor/ui/skeleton";
import { RefreshCwIcon, VideoIcon, WifiOffIcon } from "lucide-react";

import { EmptyState, Section } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { canManage } from "@/features/teams/labels";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { NewRoomDialog } from "./new-room-dialog";
import { RoomCard, type RoomItem } from "./room-card";

type Team = RouterOutputs["team"]["get"];

/** How often presence is refreshed anyway, should the change stream drop. */
const PRESENCE_REFRESH_MS = 30_000;

export function RoomsSection({ team }: { team: Team }) {
  const utils = api.useUtils();
  const rooms = api.room.list.useQuery(
    { teamSlug: team.slug },
    { refetchInterval: PRESENCE_REFRESH_MS, refetchIntervalInBackground: false },
  );
  // The server signals each change of who is where; the list is then fetched again.
  api.room.presenceChanges.useSubscription(
    { teamSlug: team.slug },
    { onData: () => void utils.room.list.invalidate({ teamSlug: team.slug }) },
  );
  const manager = canManage(team.role);
  const guestPolicy = api.team.guestLinkPolicy.useQuery({ teamSlug: team.slug }, { enabled: !manager });
  const canInviteGuests = manager || (guestPolicy.data?.membersCreateGuestLinks ?? false);
  // A room whose `participants` is null: the rooms came back, but who is in them is not known.
  const list: RoomItem[] | undefined = rooms.data;
  const presenceUnknown = rooms.error !== null || (list?.some((room) => room.participants === null) ?? false);

  return (
    <Section
      id="rooms"
      title="Rooms"
      description={list && list.length > 0 ? `${list.length} room${list.length === 1 ? "" : "s"}` : undefined}
      actions={list && list.length > 0 ? <NewRoomDialog teamSlug={team.slug} /> : null}
    >
      {list && presenceUnknown ? (
        <Alert variant="warning">
          <WifiOffIcon aria-hidden="true" />
          <AlertTitle>Can't see who's in the rooms right now</AlertTitle>
          <AlertDescription>
            <p>
              {rooms.error
                ? describeError(rooms.error).message
                : "The video service did not answer. You can still open a room."}
            </p>
            <Button
              variant="outline"
              size="sm"
              className="mt-1 text-foreground"
              onClick={() => rooms.refetch()}
              pending={rooms.isFetching}
            >
              {rooms.isFetching ? null : <RefreshCwIcon aria-hidden="true" />}
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : null}

      {list === undefined && rooms.isPending ? <RoomsSkeleton /> : null}

      {list === undefined && rooms.error ? (
        <QueryError
          error={rooms.error}
          title="Couldn't load the rooms"
          onRetry={() => rooms.refetch()}
          retrying={rooms.isFetching}
        />
      ) : null}

      {list && list.length === 0 ? (
        <EmptyState
          icon={<VideoIcon aria-hidden="true" />}
          title="No rooms yet"
          action={<NewRoomDialog teamSlug={team.slug} variant="default" />}
        >
          <p>
            Make a room for each thing you meet about: a daily standup, design reviews, a place to hang out.
            Its link never changes, so you can pin it in your calendar.
          </p>
        </EmptyState>
      ) : null}

      {list && list.length > 0 ? (
        <ul className="grid gap-3 md:grid-cols-2 xl:grid-cols-3" aria-label="Rooms">
          {list.map((room) => (
            <li key={room.id}>
              <RoomCard
                teamSlug={team.slug}
                room={room}
                canManage={manager}
                canInviteGuests={canInviteGuests}
                presenceUnknown={rooms.error !== null || room.participants === null}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

function RoomsSkeleton() {
  return (
    <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-3" aria-busy="true" aria-label="Loading rooms">
      {[0, 1, 2].map((key) => (
        <div key={key} className="grid gap-4 rounded-xl border bg-card p-5">
          <Skeleton className="h-5 w-2/5" />
          <Skeleton className="h-4 w-3/5" />
          <div className="flex gap-2">
            <Skeleton className="h-8 w-20" />
            <Skeleton className="h-8 w-24" />
          </div>
        </div>
      ))}
    </div>
  );
}
