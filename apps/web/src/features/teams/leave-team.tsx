"use client";

import type { RouterOutputs } from "@parlor/api";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { LogOutIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { api } from "@/trpc/react";

export function LeaveTeamButton({ team }: { team: RouterOutputs["team"]["get"] }) {
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
      <ConfirmDialog
        open={open}
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
