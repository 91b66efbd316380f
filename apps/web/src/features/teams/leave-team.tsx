"use client";

import type { RouterOutputs } from "@parlor/api";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@parlor/ui/dialog";
import { toast } from "@parlor/ui/toaster";
import { LogOutIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { api } from "@/trpc/react";

/**
 * Leave the team. The only owner is told at once why they cannot (and what to do), instead of
 * being asked to confirm and refused afterwards.
 */
export function LeaveTeamButton({
  team,
  soleOwner,
}: {
  team: RouterOutputs["team"]["get"];
  /** This person is the team's only owner. */
  soleOwner: boolean;
}) {
  const router = useRouter();
  const utils = api.useUtils();
  const [open, setOpen] = useState(false);
  const leave = api.team.leave.useMutation({
    onSuccess: async () => {
      await utils.team.list.invalidate();
      setOpen(false);
      toast.success(`You left ${team.name}`);
      router.push("/");
      router.refresh();
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        className="text-muted-foreground"
        onClick={() => {
          leave.reset();
          setOpen(true);
        }}
      >
        <LogOutIcon aria-hidden="true" />
        Leave team
      </Button>
      {soleOwner ? (
        <Dialog open={open} onOpenChange={setOpen}>
          <DialogContent className="sm:max-w-md" data-testid="sole-owner-leave">
            <DialogHeader>
              <DialogTitle>
                You can&apos;t leave <bdi>{team.name}</bdi> yet
              </DialogTitle>
              <DialogDescription>
                You&apos;re its only owner, and a team always keeps one. Make someone else an owner in Members
                first (their role menu), then leave.
              </DialogDescription>
            </DialogHeader>
            <DialogFooter>
              <DialogClose asChild>
                <Button>OK</Button>
              </DialogClose>
            </DialogFooter>
          </DialogContent>
        </Dialog>
      ) : null}
      <ConfirmDialog
        open={open && !soleOwner}
        onOpenChange={setOpen}
        title={`Leave ${team.name}?`}
        description="You'll lose access to its rooms. To come back, you'll need a new invite."
        confirmLabel="Leave team"
        pendingLabel="Leaving…"
        pending={leave.isPending}
        error={leave.error}
        onConfirm={() => leave.mutate({ teamSlug: team.slug })}
      />
    </>
  );
}
