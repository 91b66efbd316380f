"use client";

import { createTeamInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@parlor/ui/dialog";
import { toast } from "@parlor/ui/toaster";
import { PlusIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { FormAlert, useRetryAfter } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { validate } from "@/lib/forms";
import { useFormErrors } from "@/lib/use-form-errors";
import { api } from "@/trpc/react";

/** Names a new team; on success the creator (its owner) is taken to it. */
export function CreateTeamForm({ onCreated }: { onCreated?: () => void }) {
  const router = useRouter();
  const utils = api.useUtils();
  const [name, setName] = useState("");
  const errors = useFormErrors();
  const retry = useRetryAfter();
  const create = api.team.create.useMutation({
    onSuccess: async (team) => {
      await utils.team.list.invalidate();
      toast.success(`${team.name} is ready`, {
        description: "Create a room or invite people to get started.",
      });
      onCreated?.();
      router.push(`/t/${team.slug}`);
    },
    onError: (error) => {
      errors.fromServer(error);
      retry.note(error);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(createTeamInput, { name });
    if (!checked.ok) {
      errors.fromClient(checked.fieldErrors);
      return;
    }
    errors.reset();
    create.mutate(checked.data);
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-label="Create a team">
      {create.isPending ? null : (
        <FormAlert error={create.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <FormField
        label="Team name"
        name="name"
        placeholder="Design, Acme Inc., Book club…"
        autoComplete="off"
        value={name}
        maxLength={256}
        onChange={(event) => {
          setName(event.target.value);
          errors.clear("name");
        }}
        error={errors.of("name")}
      />
      <Button type="submit" pending={create.isPending} disabled={retry.seconds > 0}>
        {create.isPending ? "Creating…" : "Create team"}
      </Button>
    </form>
  );
}

export function CreateTeamDialog() {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon aria-hidden="true" />
          New team
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Create a team</DialogTitle>
          <DialogDescription>
            A team has its own rooms and members. You'll be its owner and can invite people next.
          </DialogDescription>
        </DialogHeader>
        <CreateTeamForm onCreated={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}
