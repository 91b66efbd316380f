"use client";

import { deleteTeamInput } from "@parlor/api/schemas";
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
import { useState, type ReactNode } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";

/**
 * Deleting a team, confirmed by typing its name. Owners (team settings) and site admins
 * (/admin/teams) use it, each with its own procedure in `onDelete`, which closes the dialog.
 */
export function DeleteTeamDialog({
  team,
  open,
  onOpenChange,
  description,
  onDelete,
}: {
  team: { slug: string; name: string };
  open: boolean;
  onOpenChange: (open: boolean) => void;
  description: ReactNode;
  /** Deletes the team; rejects with the server's error, which the dialog shows. */
  onDelete: (input: { teamSlug: string; confirmName: string }) => Promise<unknown>;
}) {
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    deleteTeamInput,
    { confirmName: "" },
    (v) => ({ ...v, teamSlug: team.slug }),
  );
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = (input: { teamSlug: string; confirmName: string }) => {
    setPending(true);
    setError(null);
    onDelete(input)
      .catch((failure: Error) => {
        setError(failure);
        onServerError(failure);
      })
      .finally(() => setPending(false));
  };

  return (
    <Dialog open={open} onOpenChange={(next) => (pending ? undefined : onOpenChange(next))}>
      <DialogContent className="sm:max-w-md" showCloseButton={false}>
        <form method="post" noValidate onSubmit={handleSubmit(submit)} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Delete {team.name}?</DialogTitle>
            <DialogDescription>{description}</DialogDescription>
          </DialogHeader>
          {pending ? null : <FormAlert error={error} />}
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
              <Button variant="outline" type="button" disabled={pending}>
                Cancel
              </Button>
            </DialogClose>
            <Button
              type="submit"
              variant="destructive"
              pending={pending}
              disabled={values.confirmName.trim() !== team.name}
            >
              {pending ? "Deleting…" : "Delete team"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
