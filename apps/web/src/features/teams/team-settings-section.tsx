"use client";

import type { RouterOutputs } from "@parlor/api";
import { deleteTeamInput, renameTeamInput } from "@parlor/api/schemas";
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
import { Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { Section } from "@/components/page";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

type Team = RouterOutputs["team"]["get"];

/** Owners only: rename the team (its address stays) or delete it. */
export function TeamSettingsSection({ team }: { team: Team }) {
  return (
    <Section
      id="team-settings"
      title="Team settings"
      description="Only owners see this. Renaming keeps the team's address, so saved links keep working."
    >
      <div className="grid gap-6 rounded-xl border bg-card p-5">
        <RenameTeamForm team={team} />
        <div className="flex flex-col gap-3 border-t pt-5 sm:flex-row sm:items-center sm:justify-between">
          <div className="grid gap-0.5">
            <h3 className="text-sm font-medium">Delete this team</h3>
            <p className="text-[13px] text-muted-foreground">
              Its rooms, invites and meeting history go with it; calls in its rooms end.
            </p>
          </div>
          <DeleteTeamButton team={team} />
        </div>
      </div>
    </Section>
  );
}

function RenameTeamForm({ team }: { team: Team }) {
  const router = useRouter();
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    renameTeamInput,
    { name: team.name },
    (v) => ({ ...v, teamSlug: team.slug }),
  );
  const rename = api.team.rename.useMutation({
    onSuccess: async (renamed) => {
      toast.success(`Renamed to ${renamed.name}`);
      await Promise.all([utils.team.list.invalidate(), utils.team.get.invalidate({ teamSlug: team.slug })]);
      router.refresh();
    },
    onError: onServerError,
  });
  return (
    <form
      noValidate
      onSubmit={handleSubmit((data) => rename.mutate(data))}
      className="grid gap-3"
      aria-label="Rename the team"
    >
      {rename.isPending ? null : <FormAlert error={rename.error} />}
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <FormField
          className="flex-1"
          label="Team name"
          name="name"
          autoComplete="off"
          value={values.name}
          onChange={(event) => update("name", event.target.value)}
          error={errors.of("name")}
          hint={`Address: /t/${team.slug}`}
        />
        <Button
          type="submit"
          variant="outline"
          className="sm:mt-[26px]"
          pending={rename.isPending}
          disabled={values.name.trim() === team.name}
        >
          {rename.isPending ? "Saving…" : "Rename"}
        </Button>
      </div>
    </form>
  );
}

function DeleteTeamButton({ team }: { team: Team }) {
  const router = useRouter();
  const utils = api.useUtils();
  const [open, setOpen] = useState(false);
  const { values, update, errors, handleSubmit, reset, onServerError } = useSchemaForm(
    deleteTeamInput,
    { confirmName: "" },
    (v) => ({ ...v, teamSlug: team.slug }),
  );
  const remove = api.team.delete.useMutation({
    onSuccess: async () => {
      setOpen(false);
      toast.success(`${team.name} was deleted`);
      await utils.team.list.invalidate();
      router.push("/");
      router.refresh();
    },
    onError: onServerError,
  });
  return (
    <>
      <Button
        variant="outline"
        className="text-destructive"
        onClick={() => {
          reset();
          remove.reset();
          setOpen(true);
        }}
      >
        <Trash2Icon aria-hidden="true" />
        Delete team
      </Button>
      <Dialog open={open} onOpenChange={(next) => (remove.isPending ? undefined : setOpen(next))}>
        <DialogContent className="sm:max-w-md" showCloseButton={false}>
          <form noValidate onSubmit={handleSubmit((data) => remove.mutate(data))} className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Delete {team.name}?</DialogTitle>
              <DialogDescription>
                Everyone loses access at once. Its rooms, invite links and meeting history are deleted, and
                any call going on in its rooms ends. This cannot be undone.
              </DialogDescription>
            </DialogHeader>
            {remove.isPending ? null : <FormAlert error={remove.error} />}
            <FormField
              label={
                <span>
                  Type <strong className="font-semibold">{team.name}</strong> to confirm
                </span>
              }
              name="confirmName"
              autoComplete="off"
              autoFocus
              value={values.confirmName}
              onChange={(event) => update("confirmName", event.target.value)}
              error={errors.of("confirmName")}
            />
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline" type="button" disabled={remove.isPending}>
                  Cancel
                </Button>
              </DialogClose>
              <Button
                type="submit"
                variant="destructive"
                pending={remove.isPending}
                disabled={values.confirmName.trim() !== team.name}
              >
                {remove.isPending ? "Deleting…" : "Delete team"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
