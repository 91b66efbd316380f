"use client";

import { GUEST_LINK_DEFAULT_HOURS } from "@parlor/api/schemas/call";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@parlor/ui/dialog";
import { Label } from "@parlor/ui/label";
import { Switch } from "@parlor/ui/switch";
import { toast } from "@parlor/ui/toaster";
import { UserPlusIcon } from "lucide-react";
import { useId, useState } from "react";

import { CopyButton } from "@/components/copy-button";
import { LocalDate } from "@/components/local-date";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

const DURATIONS = [
  { hours: 1, label: "1 hour" },
  { hours: GUEST_LINK_DEFAULT_HOURS, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
];

/** Guest links for one room: create (knock or straight in, how long), copy, and withdraw. */
export function GuestLinksDialog({
  teamSlug,
  roomSlug,
  roomName,
  triggerLabel = "Guests",
  triggerVariant = "ghost",
  defaultOpen = false,
}: {
  teamSlug: string;
  roomSlug: string;
  roomName: string;
  /** The opening button's words and look (the call's panel says "Guest link"). */
  triggerLabel?: string;
  triggerVariant?: "ghost" | "outline";
  /** Open from the start: the click that loaded it (the call loads it on demand). */
  defaultOpen?: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const [requireKnock, setRequireKnock] = useState(true);
  const [hours, setHours] = useState(GUEST_LINK_DEFAULT_HOURS);
  const [created, setCreated] = useState<{ url: string; expiresAt: Date } | null>(null);
  const knockId = useId();
  const ref = { teamSlug, roomSlug };
  const utils = api.useUtils();
  const links = api.room.guestLinks.useQuery(ref, { enabled: open });
  const create = api.room.createGuestLink.useMutation({
    onSuccess: (link) => {
      setCreated(link);
      void utils.room.guestLinks.invalidate(ref);
    },
    onError: (error) => toast.error("No guest link was made", { description: describeError(error).message }),
  });
  const revoke = api.room.revokeGuestLink.useMutation({
    onSuccess: (result) => {
      toast.success(
        result.removedFromCall > 0
          ? `Link withdrawn; ${result.removedFromCall} guest${result.removedFromCall === 1 ? "" : "s"} removed from the call`
          : "Link withdrawn",
      );
      void utils.room.guestLinks.invalidate(ref);
    },
    onError: (error) =>
      toast.error("The link was not withdrawn", { description: describeError(error).message }),
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setCreated(null);
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant={triggerVariant}>
          <UserPlusIcon aria-hidden="true" />
          {triggerLabel}
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Invite guests to {roomName}</DialogTitle>
          <DialogDescription>
            People without an account join this room only, under a name they type. They show as guests
            everywhere.
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-4">
          <div className="flex items-center justify-between gap-3">
            <Label htmlFor={knockId} className="grid gap-0.5">
              <span>Guests knock first</span>
              <span className="text-xs font-normal text-muted-foreground">
                Someone in the room admits each guest. Off: they join directly.
              </span>
            </Label>
            <Switch id={knockId} checked={requireKnock} onCheckedChange={setRequireKnock} />
          </div>
          <fieldset className="grid gap-1.5">
            <legend className="mb-1 text-sm font-medium">The link works for</legend>
            <div className="flex flex-wrap gap-2">
              {DURATIONS.map((d) => (
                <Button
                  key={d.hours}
                  type="button"
                  size="sm"
                  variant={hours === d.hours ? "default" : "outline"}
                  aria-pressed={hours === d.hours}
                  onClick={() => setHours(d.hours)}
                >
                  {d.label}
                </Button>
              ))}
            </div>
          </fieldset>
          <Button
            disabled={create.isPending}
            onClick={() => create.mutate({ ...ref, requireKnock, expiresInHours: hours })}
          >
            Create guest link
          </Button>
          {created ? (
            <div className="grid gap-2 rounded-lg border bg-muted/40 p-3" data-testid="new-guest-link">
              <p className="text-sm font-medium">Send this link to your guests</p>
              <code className="truncate text-xs" data-testid="guest-link-url">
                {created.url}
              </code>
              <div className="flex items-center justify-between gap-2">
                <span className="text-xs text-muted-foreground">
                  Works until <LocalDate value={created.expiresAt} />. It is shown only now.
                </span>
                <CopyButton value={created.url} label="Copy" size="sm" />
              </div>
            </div>
          ) : null}
          <section className="grid gap-2" aria-label="Links in use">
            <h3 className="text-sm font-medium">Links in use</h3>
            {links.data?.length ? (
              <ul className="grid gap-2">
                {links.data.map((link) => (
                  <li key={link.id} className="grid gap-1.5 rounded-lg border p-2 text-sm">
                    <span>
                      {link.requireKnock ? "Knock first" : "Join directly"} · {link.guestCount} guest
                      {link.guestCount === 1 ? "" : "s"} so far · until <LocalDate value={link.expiresAt} />
                    </span>
                    <span className="flex flex-wrap gap-2">
                      <Button
                        size="sm"
                        variant="destructive"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ ...ref, linkId: link.id })}
                      >
                        Withdraw (its guests leave the call)
                      </Button>
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">
                {links.isPending ? "Loading…" : "No guest links for this room."}
              </p>
            )}
          </section>
        </div>
      </DialogContent>
    </Dialog>
  );
}
