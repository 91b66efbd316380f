"use client";

import { Label } from "@parlor/ui/label";
import { Switch } from "@parlor/ui/switch";
import { toast } from "@parlor/ui/toaster";
import { useId } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

/** Whether the team's plain members may invite guests to its rooms (owners and admins always may). */
export function GuestLinkPolicySwitch({ teamSlug }: { teamSlug: string }) {
  const id = useId();
  const utils = api.useUtils();
  const policy = api.team.guestLinkPolicy.useQuery({ teamSlug });
  const save = api.team.setGuestLinkPolicy.useMutation({
    onSuccess: (saved) => {
      utils.team.guestLinkPolicy.setData({ teamSlug }, saved);
      toast.success(
        saved.membersCreateGuestLinks
          ? "Members can now invite guests"
          : "Only owners and admins invite guests now",
      );
    },
    onError: (error) =>
      toast.error("The setting was not saved", { description: describeError(error).message }),
  });
  return (
    <div className="flex items-center justify-between gap-3 border-t pt-5">
      <Label htmlFor={id} className="grid gap-0.5">
        <span className="text-sm font-medium">Members may invite guests</span>
        <span className="text-[13px] font-normal text-muted-foreground">
          Guest links let people without an account into one room. Owners and admins can always make them.
        </span>
      </Label>
      <Switch
        id={id}
        checked={policy.data?.membersCreateGuestLinks ?? false}
        disabled={!policy.data || save.isPending}
        onCheckedChange={(on) => save.mutate({ teamSlug, membersCreateGuestLinks: on })}
      />
    </div>
  );
}
