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
import { useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

/** Names a new team; on success the creator (its owner) is taken to it. */
export function CreateTeamForm({ onCreated }: { onCreated?: () => void }) {
  const router = useRouter();
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, onServerError, retry } = useSchemaForm(createTeamInput, {
    name: "",
  });
  const create = api.team.create.useMutation({
    onSuccess: async (team) => {
      await utils.team.list.invalidate();
      toast.success(`${team.name} is ready`, {
        description: "Create a room or invite people to get started.",
      });
      onCreated?.();
      router.push(`/t/${team.slug}`);
    },
    onError: onServerError,
  });

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => create.mutate(data))}
      className="grid gap-4"
      aria-label="Create a team"
    >
      {create.isPending ? null : (
        <FormAlert error={create.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <FormField
        label="Team name"
        name="name"
        placeholder="Design, Acme Inc., Book club…"
        autoComplete="off"
        value={values.name}
        maxLength={256}
        onChange={(event) => update("name", event.target.value)}
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
