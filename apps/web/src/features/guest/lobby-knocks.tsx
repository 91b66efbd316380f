"use client";

import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { DoorOpenIcon } from "lucide-react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

/** People knocking on a room, on the team page of those who may let them in. */
export function LobbyKnocks({
  teamSlug,
  roomSlug,
  waiting,
}: {
  teamSlug: string;
  roomSlug: string;
  waiting: { id: string; name: string; isGuest: boolean }[];
}) {
  const utils = api.useUtils();
  const onSettled = () => void utils.room.list.invalidate({ teamSlug });
  const onError = (error: unknown) =>
    toast.error("That request was not answered", { description: describeError(error as Error).message });
  const admit = api.lobby.admit.useMutation({ onSettled, onError });
  const deny = api.lobby.deny.useMutation({ onSettled, onError });
  return (
    <ul
      className="grid gap-1.5 rounded-lg border border-amber-300/60 bg-amber-50 p-2 dark:border-amber-400/30 dark:bg-amber-400/10"
      aria-label="Asking to join"
      data-testid="team-lobby"
    >
      {waiting.map((request) => (
        <li key={request.id} className="flex items-center gap-2 text-sm">
          <DoorOpenIcon className="size-4 shrink-0 text-amber-700 dark:text-amber-300" aria-hidden="true" />
          <span className="min-w-0 flex-1 truncate">
            {request.name}
            {request.isGuest ? <span className="text-muted-foreground"> (guest)</span> : null} asks to join
          </span>
          <Button size="sm" onClick={() => admit.mutate({ teamSlug, roomSlug, requestId: request.id })}>
            Admit
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => deny.mutate({ teamSlug, roomSlug, requestId: request.id })}
          >
            Deny
          </Button>
        </li>
      ))}
    </ul>
  );
}
