"use client";

import type { RouterOutputs } from "@parlor/api";
import { createInviteInput } from "@parlor/api/schemas";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@parlor/ui/select";
import { Skeleton } from "@parlor/ui/skeleton";
import { toast } from "@parlor/ui/toaster";
import { LinkIcon, XIcon } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyButton } from "@/components/copy-button";
import { FormAlert, useRetryAfter } from "@/components/form-alert";
import { LocalDate } from "@/components/local-date";
import { Section } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { validate } from "@/lib/forms";
import { useFormErrors } from "@/lib/use-form-errors";
import { api } from "@/trpc/react";

import { EmailInviteForm } from "./email-invite-form";
import { ROLE_LABELS } from "./labels";

type Team = RouterOutputs["team"]["get"];
type CreatedInvite = RouterOutputs["team"]["createInvite"];

const EXPIRY_CHOICES = [
  { days: 1, label: "1 day" },
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
];

export function InvitesSection({ team, emailInvites }: { team: Team; emailInvites: boolean }) {
  const invites = api.team.invites.useQuery({ teamSlug: team.slug });
  const [created, setCreated] = useState<CreatedInvite | null>(null);

  return (
    <Section
      id="invites"
      title="Invite people"
      description="Anyone with a link can join the team until it expires or runs out of uses."
    >
      {emailInvites ? (
        <div className="rounded-xl border bg-card p-5">
          <EmailInviteForm teamSlug={team.slug} />
        </div>
      ) : null}
      <div className="grid gap-5 rounded-xl border bg-card p-5">
        <CreateInviteForm teamSlug={team.slug} onCreated={setCreated} />
        {created ? <NewInviteLink invite={created} onDismiss={() => setCreated(null)} /> : null}
      </div>

      <div className="grid gap-2">
        <h3 className="text-sm font-medium">Active links</h3>
        {invites.isPending ? (
          <Skeleton className="h-14 w-full rounded-xl" />
        ) : invites.error ? (
          <QueryError
            error={invites.error}
            title="Couldn't load the invite links"
            onRetry={() => invites.refetch()}
            retrying={invites.isFetching}
          />
        ) : invites.data.length === 0 ? (
          <p className="rounded-xl border border-dashed px-4 py-5 text-center text-sm text-muted-foreground">
            No active invite links.
          </p>
        ) : (
          <ul className="divide-y rounded-xl border bg-card" aria-label="Active invite links">
            {invites.data.map((invite) => (
              <InviteRow key={invite.id} teamSlug={team.slug} invite={invite} />
            ))}
          </ul>
        )}
      </div>
    </Section>
  );
}

function CreateInviteForm({
  teamSlug,
  onCreated,
}: {
  teamSlug: string;
  onCreated: (invite: CreatedInvite) => void;
}) {
  const utils = api.useUtils();
  const ids = useId();
  const [role, setRole] = useState<"member" | "admin">("member");
  const [expiresInDays, setExpiresInDays] = useState(7);
  const [maxUses, setMaxUses] = useState("");
  const errors = useFormErrors();
  const retry = useRetryAfter();
  const create = api.team.createInvite.useMutation({
    onSuccess: async (invite) => {
      onCreated(invite);
      setMaxUses("");
      await utils.team.invites.invalidate({ teamSlug });
    },
    onError: (error) => {
      errors.fromServer(error);
      retry.note(error);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const uses = maxUses.trim() === "" ? null : Number(maxUses);
    const checked = validate(createInviteInput, { teamSlug, role, expiresInDays, maxUses: uses });
    if (!checked.ok) {
      errors.fromClient(checked.fieldErrors);
      return;
    }
    errors.reset();
    create.mutate(checked.data);
  }

  const maxUsesError = errors.of("maxUses")
    ? "Enter a whole number from 1 to 1000, or leave it empty."
    : undefined;

  return (
    <form
      method="post"
      noValidate
      onSubmit={onSubmit}
      className="grid gap-4"
      aria-label="Create an invite link"
    >
      {create.isPending ? null : (
        <FormAlert error={create.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <div className="grid gap-4 sm:grid-cols-3">
        <div className="grid gap-2">
          <Label htmlFor={`${ids}-role`}>Joins as</Label>
          <Select value={role} onValueChange={(value) => setRole(value as "member" | "admin")}>
            <SelectTrigger id={`${ids}-role`} className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="member">Member</SelectItem>
              <SelectItem value="admin">Admin</SelectItem>
            </SelectContent>
          </Select>
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${ids}-expiry`}>Expires after</Label>
          <Select value={String(expiresInDays)} onValueChange={(value) => setExpiresInDays(Number(value))}>
            <SelectTrigger id={`${ids}-expiry`} className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {EXPIRY_CHOICES.map((choice) => (
                <SelectItem key={choice.days} value={String(choice.days)}>
                  {choice.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${ids}-uses`}>Max uses</Label>
          <Input
            id={`${ids}-uses`}
            inputMode="numeric"
            placeholder="No limit"
            value={maxUses}
            aria-invalid={maxUsesError ? true : undefined}
            aria-describedby={maxUsesError ? `${ids}-uses-error` : undefined}
            onChange={(event) => {
              setMaxUses(event.target.value);
              errors.clear("maxUses");
            }}
          />
        </div>
      </div>
      {maxUsesError ? (
        <p id={`${ids}-uses-error`} className="-mt-2 text-[13px] text-destructive">
          {maxUsesError}
        </p>
      ) : null}
      <div>
        <Button type="submit" pending={create.isPending} disabled={retry.seconds > 0}>
          {create.isPending ? null : <LinkIcon aria-hidden="true" />}
          {create.isPending ? "Creating link…" : "Create invite link"}
        </Button>
      </div>
    </form>
  );
}

function NewInviteLink({ invite, onDismiss }: { invite: CreatedInvite; onDismiss: () => void }) {
  const id = useId();
  return (
    <div className="grid gap-3 rounded-lg border border-primary/25 bg-primary/5 p-4" role="status">
      <div className="flex items-start justify-between gap-2">
        <div className="grid gap-0.5">
          <Label htmlFor={id} className="text-sm font-medium">
            New invite link for {invite.role === "admin" ? "admins" : "members"}
          </Label>
          <p className="text-[13px] text-muted-foreground">
            Copy it now: Parlor keeps only a fingerprint of it and can't show it again.
          </p>
        </div>
        <Button
          variant="ghost"
          size="icon-sm"
          onClick={onDismiss}
          aria-label="Dismiss"
          className="-mt-1 -mr-1"
        >
          <XIcon aria-hidden="true" />
        </Button>
      </div>
      <div className="flex gap-2">
        <Input
          id={id}
          readOnly
          value={invite.url}
          className="bg-background font-mono text-xs md:text-xs"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton value={invite.url} label="Copy" variant="default" copiedMessage="Invite link copied" />
      </div>
    </div>
  );
}

type Invite = RouterOutputs["team"]["invites"][number];

function InviteRow({ teamSlug, invite }: { teamSlug: string; invite: Invite }) {
  const utils = api.useUtils();
  const [confirming, setConfirming] = useState(false);
  const revoke = api.team.revokeInvite.useMutation({
    onSuccess: async () => {
      await utils.team.invites.invalidate({ teamSlug });
      setConfirming(false);
      toast.success("Invite link revoked", { description: "It can no longer be used to join." });
    },
  });
  const uses =
    invite.maxUses === null
      ? `Used ${invite.uses} time${invite.uses === 1 ? "" : "s"}`
      : `Used ${invite.uses} of ${invite.maxUses}`;
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-3">
      <Badge variant={invite.role === "admin" ? "outline" : "secondary"}>{ROLE_LABELS[invite.role]}</Badge>
      <p className="min-w-0 flex-1 text-[13px] text-muted-foreground">
        {uses} · expires <LocalDate value={invite.expiresAt} relative />
      </p>
      <Button
        variant="ghost"
        size="sm"
        className="text-muted-foreground hover:text-destructive"
        onClick={() => {
          revoke.reset();
          setConfirming(true);
        }}
      >
        Revoke
      </Button>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Revoke this invite link?"
        description={`Anyone who has it can no longer join with it (${uses.toLowerCase()}). People who already joined stay in the team.`}
        confirmLabel="Revoke link"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoke.mutate({ teamSlug, inviteId: invite.id })}
      />
    </li>
  );
}
