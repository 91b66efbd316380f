"use client";

import type { RouterOutputs } from "@parlor/api";
import { InitialsAvatar } from "@parlor/ui/avatar";
import { Button } from "@parlor/ui/button";
import { ArrowRightIcon, LockIcon } from "lucide-react";
import Link from "next/link";

import { CopyButton } from "@/components/copy-button";
import { PathText } from "@/components/path-text";
import { GuestLinksDialog } from "@/features/guest/guest-links-dialog";
import { LobbyKnocks } from "@/features/guest/lobby-knocks";

import { RoomActions } from "./room-actions";
import { RoomHistoryDialog } from "./room-history";

type ListedRoom = RouterOutputs["room"]["list"][number];
type Participant = ListedRoom["participants"][number];

/**
 * A room as the team page lists it. `participants` is null when the rooms could be listed but
 * who is in them could not be asked (the video service is down).
 */
export type RoomItem = Omit<ListedRoom, "participants"> & { participants: Participant[] | null };

const MAX_AVATARS = 4;

export function roomPath(teamSlug: string, roomSlug: string): string {
  return `/t/${encodeURIComponent(teamSlug)}/${encodeURIComponent(roomSlug)}`;
}

/** The chosen name, with the account's name beside it when they differ. */
function shownName(person: Participant): string {
  const name = person.name || "Someone";
  return person.accountName && person.accountName !== person.name ? `${name} (${person.accountName})` : name;
}

function presenceSummary(people: Participant[]): string {
  const names = people.map((p) => `${shownName(p)}${p.isGuest ? " (guest)" : ""}`);
  if (names.length === 1) return `${names[0]} is here`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are here`;
  return `${names[0]} and ${names.length - 1} others are here`;
}

export function RoomCard({
  teamSlug,
  room,
  canManage,
  canInviteGuests,
  presenceUnknown,
}: {
  teamSlug: string;
  room: RoomItem;
  canManage: boolean;
  /** Owners and admins, and members when the team lets them make guest links. */
  canInviteGuests: boolean;
  presenceUnknown: boolean;
}) {
  const href = roomPath(teamSlug, room.slug);
  const people = room.participants ?? [];
  const live = !presenceUnknown && people.length > 0;

  return (
    <article
      aria-label={room.name}
      className="group relative flex h-full flex-col gap-4 rounded-xl border bg-card p-5 shadow-xs transition-[border-color,box-shadow] hover:border-foreground/20 hover:shadow-sm"
    >
      <div className="flex items-start gap-3">
        <div className="grid min-w-0 flex-1 gap-1">
          <h3 className="flex items-center gap-2 font-medium">
            {live ? (
              <span className="relative flex size-2 shrink-0" aria-hidden="true">
                <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" />
                <span className="relative inline-flex size-2 rounded-full bg-success" />
              </span>
            ) : null}
            <Link
              href={href}
              dir="auto"
              className="truncate rounded-sm hover:underline hover:underline-offset-4"
            >
              {room.name}
            </Link>
            {room.encrypted ? (
              <LockIcon
                className="size-3.5 shrink-0 text-emerald-700 dark:text-emerald-400"
                role="img"
                aria-label="End-to-end encrypted"
                data-testid="room-encrypted"
              >
                <title>End-to-end encrypted</title>
              </LockIcon>
            ) : null}
          </h3>
          <p className="truncate text-xs text-muted-foreground">
            <PathText segments={["t", teamSlug, room.slug]} />
          </p>
        </div>
        {canManage || room.canDelete ? (
          <RoomActions teamSlug={teamSlug} room={room} canRename={canManage} canDelete={room.canDelete} />
        ) : null}
      </div>

      <Presence people={people} unknown={presenceUnknown} />
      {room.lobby.length > 0 ? (
        <LobbyKnocks teamSlug={teamSlug} roomSlug={room.slug} waiting={room.lobby} />
      ) : null}

      <div className="mt-auto flex flex-wrap items-center gap-2">
        <Button asChild size="sm" variant={live ? "default" : "secondary"}>
          <Link href={href}>
            {live ? "Join" : "Open room"}
            <ArrowRightIcon aria-hidden="true" />
          </Link>
        </Button>
        <CopyButton value={href} label="Copy link" variant="ghost" />
        <RoomHistoryDialog teamSlug={teamSlug} roomSlug={room.slug} roomName={room.name} />
        {canInviteGuests ? (
          <GuestLinksDialog teamSlug={teamSlug} roomSlug={room.slug} roomName={room.name} />
        ) : null}
      </div>
    </article>
  );
}

function Presence({ people, unknown }: { people: Participant[]; unknown: boolean }) {
  if (unknown) {
    return <p className="text-sm text-muted-foreground">Presence unavailable</p>;
  }
  if (people.length === 0) {
    return <p className="text-sm text-muted-foreground">Nobody here yet</p>;
  }
  const shown = people.slice(0, MAX_AVATARS);
  const more = people.length - shown.length;
  return (
    <div className="flex items-center gap-3">
      <ul className="flex -space-x-2" aria-label="In the room">
        {shown.map((person) => (
          <li key={person.identity} title={person.isGuest ? `${person.name} (guest)` : person.name}>
            <InitialsAvatar
              name={person.name || "Someone"}
              id={person.identity}
              className="size-7 ring-2 ring-card"
              title={shownName(person)}
            />
          </li>
        ))}
        {more > 0 ? (
          <li>
            <span className="flex size-7 items-center justify-center rounded-full bg-muted text-[11px] font-medium text-muted-foreground ring-2 ring-card">
              +{more}
            </span>
          </li>
        ) : null}
      </ul>
      <p className="truncate text-sm text-muted-foreground">{presenceSummary(people)}</p>
    </div>
  );
}
