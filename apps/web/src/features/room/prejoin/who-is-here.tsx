"use client";

import { InitialsAvatar } from "@parlor/ui/avatar";

import { AccountName } from "@/components/account-name";
import { api } from "@/trpc/react";

/** As on the team page: refreshed on every presence signal, and now and then should it drop. */
const PRESENCE_REFRESH_MS = 30_000;

/**
 * Who is in the room right now, live, before one joins (the "green room"): from Parlor's presence
 * records, which LiveKit's webhooks keep current.
 */
export function WhoIsHere({ teamSlug, roomSlug }: { teamSlug: string; roomSlug: string }) {
  const utils = api.useUtils();
  const rooms = api.room.list.useQuery(
    { teamSlug },
    { refetchInterval: PRESENCE_REFRESH_MS, refetchIntervalInBackground: false },
  );
  api.room.presenceChanges.useSubscription(
    { teamSlug },
    { onData: () => void utils.room.list.invalidate({ teamSlug }) },
  );
  const room = rooms.data?.find((r) => r.slug === roomSlug);
  // Nothing to say until it is known (an error here is not worth a warning on the way in).
  if (!room || room.participants === null) return null;
  const people = room.participants;
  return (
    <div
      className="grid gap-2 rounded-lg bg-muted/60 px-3 py-2.5"
      data-testid="who-is-here"
      aria-live="polite"
    >
      {people.length === 0 ? (
        <p className="text-sm text-muted-foreground">Nobody is here yet. You'll be the first.</p>
      ) : (
        <>
          <p className="text-sm font-medium">
            {people.length === 1 ? "1 person is" : `${people.length} people are`} in the call
          </p>
          <ul className="flex flex-wrap gap-x-3 gap-y-1.5" aria-label="In the call now">
            {people.map((person) => (
              <li key={person.identity} className="flex min-w-0 items-center gap-1.5 text-sm">
                <InitialsAvatar name={person.name || "Someone"} id={person.identity} className="size-6" />
                <bdi className="truncate">{person.name || person.identity}</bdi>
                <AccountName chosen={person.name} account={person.accountName} />
                {person.isGuest ? <span className="shrink-0 text-muted-foreground">(guest)</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
