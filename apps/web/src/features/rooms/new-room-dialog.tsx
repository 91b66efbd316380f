"use client";

import { createRoomInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@parlor/ui/dialog";
import { Label } from "@parlor/ui/label";
import { Switch } from "@parlor/ui/switch";
import { PlusIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

import { roomPath } from "./room-card";

/** Creates a room in the team and goes straight into it. */
export function NewRoomDialog({
  teamSlug,
  variant = "default",
}: {
  teamSlug: string;
  variant?: "default" | "outline";
}) {
  const router = useRouter();
  const utils = api.useUtils();
  const [open, setOpen] = useState(false);
  const [encrypted, setEncrypted] = useState(false);
  const encryptedId = useId();
  const { values, update, errors, handleSubmit, reset, onServerError, retry } = useSchemaForm(
    createRoomInput,
    { name: "" },
    ({ name }) => ({ teamSlug, name }),
  );
  const create = api.room.create.useMutation({
    onSuccess: async (room) => {
      await utils.room.list.invalidate({ teamSlug });
      router.push(roomPath(teamSlug, room.slug));
    },
    onError: onServerError,
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          reset();
          create.reset();
          setEncrypted(false);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant={variant}>
          <PlusIcon aria-hidden="true" />
          New room
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-md">
        <form
          method="post"
          noValidate
          onSubmit={handleSubmit((data) => create.mutate({ ...data, e2ee: encrypted }))}
          className="grid gap-5"
          aria-label="New room"
        >
          <DialogHeader>
            <DialogTitle>New room</DialogTitle>
            <DialogDescription>
              Give it a name people will recognise. The room's link is made from it and stays the same.
            </DialogDescription>
          </DialogHeader>
          {create.isPending ? null : (
            <FormAlert error={create.error} waitSeconds={retry.seconds} waitOver={retry.over} />
          )}
          <FormField
            label="Room name"
            name="name"
            placeholder="Daily standup"
            autoComplete="off"
            autoFocus
            maxLength={256}
            value={values.name}
            onChange={(event) => update("name", event.target.value)}
            error={errors.of("name")}
          />
          <div className="flex items-start justify-between gap-3">
            <Label htmlFor={encryptedId} className="grid gap-0.5">
              <span>End-to-end encrypted</span>
              <span className="text-xs font-normal text-muted-foreground">
                Video, audio and chat are encrypted with a passphrase you share; Parlor never sees it. Chat is
                not saved, and guests can't join.
              </span>
            </Label>
            <Switch id={encryptedId} checked={encrypted} onCheckedChange={setEncrypted} />
          </div>
          <DialogFooter>
            <Button type="submit" pending={create.isPending} disabled={retry.seconds > 0}>
              {create.isPending ? "Creating…" : "Create and join"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
