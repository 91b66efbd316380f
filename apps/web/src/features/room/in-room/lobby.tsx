"use client";

import { Button } from "@parlor/ui/button";
import { Switch } from "@parlor/ui/switch";
import { toast } from "@parlor/ui/toaster";
import { LockIcon } from "lucide-react";
import { useEffect, useRef } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

type RoomRef = { teamSlug: string; roomSlug: string };

/**
 * The room's lobby for its moderators: who is asking to join, kept current by the presence
 * channel (`room.presenceChanges`, LISTEN/NOTIFY behind it), with admit and deny. Each new knock
 * also gets a toast with both answers; several knocks get several toasts.
 */
export function useLobby(ref: RoomRef, moderator: boolean) {
  const utils = api.useUtils();
  const list = api.lobby.list.useQuery(ref, { enabled: moderator, refetchOnWindowFocus: false });
  const room = api.room.get.useQuery(ref, { enabled: moderator });
  api.room.presenceChanges.useSubscription(
    { teamSlug: ref.teamSlug },
    {
      enabled: moderator,
      onData: () => {
        void utils.lobby.list.invalidate(ref);
        void utils.room.get.invalidate(ref);
      },
      // A fresh connection may have missed changes while it was down.
      onStarted: () => void utils.lobby.list.invalidate(ref),
    },
  );
  const answer = useAnswer(ref);
  const lock = api.room.setLocked.useMutation({
    onSuccess: () => void utils.room.get.invalidate(ref),
    onError: (error) => toast.error("The lock did not change", { description: describeError(error).message }),
  });

  // A toast per new knock, gone once it is answered (here, elsewhere, or it lapsed).
  const toasted = useRef(new Set<string>());
  const answerRef = useRef(answer);
  answerRef.current = answer;
  const waiting = list.data;
  useEffect(() => {
    if (!waiting) return;
    const ids = new Set(waiting.map((r) => r.id));
    for (const request of waiting) {
      if (toasted.current.has(request.id)) continue;
      toasted.current.add(request.id);
      toast(`${request.name}${request.isGuest ? " (guest)" : ""} asks to join`, {
        id: `knock-${request.id}`,
        duration: Infinity,
        action: { label: "Admit", onClick: () => answerRef.current(request.id, "admit") },
        cancel: { label: "Deny", onClick: () => answerRef.current(request.id, "deny") },
      });
    }
    for (const id of toasted.current) {
      if (!ids.has(id)) {
        toast.dismiss(`knock-${id}`);
        toasted.current.delete(id);
      }
    }
  }, [waiting]);
  useEffect(() => {
    const shown = toasted.current;
    return () => shown.forEach((id) => toast.dismiss(`knock-${id}`));
  }, []);

  return {
    waiting: waiting ?? [],
    answer,
    locked: room.data?.locked ?? false,
    setLocked: (locked: boolean) => lock.mutate({ ...ref, locked }),
    lockPending: lock.isPending,
  };
}

function useAnswer(ref: RoomRef) {
  const utils = api.useUtils();
  const admit = api.lobby.admit.useMutation();
  const deny = api.lobby.deny.useMutation();
  return (requestId: string, choice: "admit" | "deny") => {
    const mutation = choice === "admit" ? admit : deny;
    mutation.mutate(
      { ...ref, requestId },
      {
        onSettled: () => void utils.lobby.list.invalidate(ref),
        onError: (error) =>
          toast.error(choice === "admit" ? "Could not let them in" : "Could not turn them away", {
            description: describeError(error).message,
          }),
      },
    );
  };
}

export type Lobby = ReturnType<typeof useLobby>;

/** The lobby at the top of the participant panel: the lock, and who waits with Admit / Deny. */
export function LobbySection({ lobby }: { lobby: Lobby }) {
  return (
    <section aria-label="Lobby" className="grid gap-2 rounded-lg border p-2" data-testid="lobby">
      <label className="flex items-center justify-between gap-2 px-1 text-sm">
        <span className="flex items-center gap-2">
          <LockIcon className="size-4 text-muted-foreground" aria-hidden="true" />
          Lock the room
        </span>
        <Switch
          checked={lobby.locked}
          disabled={lobby.lockPending}
          onCheckedChange={(on) => lobby.setLocked(on)}
          aria-describedby="lock-hint"
        />
      </label>
      <p id="lock-hint" className="px-1 text-xs text-muted-foreground">
        {lobby.locked
          ? "Locked: everyone else has to ask to join. It unlocks when the meeting ends."
          : "Members join directly; guests with a knocking link ask first."}
      </p>
      {lobby.waiting.length > 0 ? (
        <ul className="grid gap-1" aria-label={`${lobby.waiting.length} waiting to join`}>
          {lobby.waiting.map((request) => (
            <li
              key={request.id}
              className="flex items-center gap-2 rounded-md px-1 py-1"
              data-request={request.id}
            >
              <span className="min-w-0 flex-1 truncate text-sm">
                {request.name}
                {request.isGuest ? <span className="text-muted-foreground"> (guest)</span> : null}
                <span className="block text-xs text-muted-foreground">asks to join</span>
              </span>
              <Button size="sm" onClick={() => lobby.answer(request.id, "admit")}>
                Admit
              </Button>
              <Button size="sm" variant="outline" onClick={() => lobby.answer(request.id, "deny")}>
                Deny
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="px-1 text-xs text-muted-foreground">Nobody is waiting.</p>
      )}
    </section>
  );
}
