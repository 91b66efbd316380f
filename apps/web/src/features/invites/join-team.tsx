"use client";

import { avatarTint, cn, initials } from "@parlor/ui/lib/utils";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

import { FormAlert, useRetryAfter } from "@/components/form-alert";
import { LocalDate } from "@/components/local-date";
import { ROLE_WITH_ARTICLE, type TeamRole } from "@/features/teams/labels";
import { api } from "@/trpc/react";

export function InviteDetails({
  teamName,
  teamSlug,
  role,
  expiresAt,
}: {
  teamName: string;
  teamSlug: string;
  role: TeamRole;
  expiresAt: Date;
}) {
  return (
    <div className="mb-6 flex items-center gap-4 rounded-xl border bg-background/60 p-4">
      <span
        aria-hidden="true"
        className={cn(
          "flex size-12 shrink-0 items-center justify-center rounded-xl text-base font-semibold",
          avatarTint(teamSlug),
        )}
      >
        {initials(teamName)}
      </span>
      <div className="grid min-w-0 gap-0.5">
        <p className="truncate font-medium">{teamName}</p>
        <p className="text-[13px] text-muted-foreground">
          You'll join as {ROLE_WITH_ARTICLE[role]} · link expires <LocalDate value={expiresAt} relative />
        </p>
      </div>
    </div>
  );
}

export function JoinTeamButton({
  token,
  teamName,
  autoJoin = false,
}: {
  token: string;
  teamName: string;
  /** Join at once (the person just signed up or in through this invite). */
  autoJoin?: boolean;
}) {
  const router = useRouter();
  const utils = api.useUtils();
  const retry = useRetryAfter();
  const accept = api.team.acceptInvite.useMutation({
    onSuccess: async (team) => {
      await utils.team.list.invalidate();
      toast.success(`Welcome to ${team.name}`);
      router.push(`/t/${encodeURIComponent(team.slug)}`);
    },
    onError: retry.note,
  });
  const { mutate } = accept;
  const started = useRef(false);
  useEffect(() => {
    if (!autoJoin || started.current) return;
    started.current = true;
    mutate({ token });
  }, [autoJoin, mutate, token]);
  return (
    <div className="grid gap-4">
      {accept.isPending ? null : (
        <FormAlert error={accept.error} waitSeconds={retry.seconds} waitOver={retry.over} standalone />
      )}
      <Button
        size="lg"
        pending={accept.isPending || accept.isSuccess}
        disabled={retry.seconds > 0}
        onClick={() => accept.mutate({ token })}
      >
        {accept.isPending || accept.isSuccess ? "Joining…" : `Join ${teamName}`}
      </Button>
    </div>
  );
}
