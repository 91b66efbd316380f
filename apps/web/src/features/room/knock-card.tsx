"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { Progress } from "@parlor/ui/progress";
import { toast } from "@parlor/ui/toaster";
import Link from "next/link";
import { useEffect } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

/**
 * A locked room, for a member who is not one of its moderators: ask to join, wait while the
 * moderators are asked (answers arrive through the presence channel), then go in by `onAdmitted`.
 */
export function KnockCard({
  teamSlug,
  roomSlug,
  roomTitle,
  teamHref,
  onAdmitted,
}: {
  teamSlug: string;
  roomSlug: string;
  roomTitle: string;
  teamHref: string;
  onAdmitted: () => void;
}) {
  const ref = { teamSlug, roomSlug };
  const utils = api.useUtils();
  const status = api.lobby.myStatus.useQuery(ref);
  api.room.presenceChanges.useSubscription(
    { teamSlug },
    { onData: () => void utils.lobby.myStatus.invalidate(ref) },
  );
  const knock = api.lobby.knock.useMutation({
    onSuccess: (data) => utils.lobby.myStatus.setData(ref, data),
    onError: (error) =>
      toast.error("You could not ask to join", { description: describeError(error).message }),
  });
  const state = status.data?.status;
  const answerBy = status.data?.answerBy?.getTime();
  useEffect(() => {
    if (state === "admitted" || state === "open") onAdmitted();
  }, [state, onAdmitted]);
  useEffect(() => {
    if (!answerBy) return;
    const timer = setTimeout(() => void status.refetch(), Math.max(0, answerBy - Date.now()) + 1000);
    return () => clearTimeout(timer);
  }, [answerBy, status]);

  const title =
    state === "waiting"
      ? "Waiting to be let in"
      : state === "denied"
        ? "You were not let in"
        : "This room is locked";
  const description =
    state === "waiting"
      ? `We asked the moderators of ${roomTitle} to let you in. Stay on this page: you will join as soon as someone admits you.`
      : state === "denied"
        ? "A moderator turned your request down while the room is locked. The lock lifts when this meeting ends."
        : answerBy === undefined && status.data
          ? `A moderator locked ${roomTitle}: ask to join and someone in the call will let you in.`
          : "Checking the room…";
  return (
    <Card className="w-full max-w-md gap-4 p-6" data-testid="knock-card">
      <div className="grid gap-1.5 text-center">
        <h1 className="text-lg font-semibold">{title}</h1>
        <p className="text-sm text-muted-foreground">{description}</p>
      </div>
      {state === "waiting" ? <Progress value={60} aria-label="Waiting" className="animate-pulse" /> : null}
      <div className="flex justify-center gap-2">
        {state === "timedOut" ? (
          <Button disabled={knock.isPending} onClick={() => knock.mutate(ref)}>
            Ask to join
          </Button>
        ) : null}
        <Button asChild variant="outline">
          <Link href={teamHref}>Back to the team</Link>
        </Button>
      </div>
    </Card>
  );
}
