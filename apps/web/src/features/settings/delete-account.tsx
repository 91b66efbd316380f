"use client";

import { deleteAccountInput } from "@parlor/api/schemas";
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
import { useQueryClient } from "@tanstack/react-query";
import { Trash2Icon } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

export function DeleteAccount() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const { values, update, errors, handleSubmit, reset, onServerError } = useSchemaForm(deleteAccountInput, {
    password: "",
  });
  const remove = api.auth.deleteAccount.useMutation({
    onSuccess: () => {
      queryClient.clear();
      router.replace("/sign-in");
      router.refresh();
    },
    onError: onServerError,
  });
  // A sole owner is told which team to hand over; the team page is where that happens.
  const soleOwner = /only owner of/.test(errors.of("password") ?? "");

  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-muted-foreground">
        Your account, your team memberships and your settings are deleted. Meeting history keeps your name,
        marked as a former member.
      </p>
      <Button
        variant="outline"
        className="shrink-0 text-destructive"
        onClick={() => {
          reset();
          remove.reset();
          setOpen(true);
        }}
      >
        <Trash2Icon aria-hidden="true" />
        Delete account
      </Button>
      <Dialog open={open} onOpenChange={(next) => (remove.isPending ? undefined : setOpen(next))}>
        <DialogContent className="sm:max-w-md" showCloseButton={false}>
          <form
            method="post"
            noValidate
            onSubmit={handleSubmit((data) => remove.mutate(data))}
            className="grid gap-4"
          >
            <DialogHeader>
              <DialogTitle>Delete your account?</DialogTitle>
              <DialogDescription>
                You are signed out everywhere and leave every team and call. This cannot be undone.
              </DialogDescription>
            </DialogHeader>
            {remove.isPending ? null : <FormAlert error={remove.error} />}
            <FormField
              label="Your password"
              name="password"
              type="password"
              autoComplete="current-password"
              autoFocus
              value={values.password}
              onChange={(event) => update("password", event.target.value)}
              error={errors.of("password")}
            />
            {soleOwner ? (
              <p className="text-[13px] text-muted-foreground">
                Open the team from{" "}
                <Link href="/" className="font-medium text-foreground underline underline-offset-4">
                  your teams
                </Link>
                : make someone else an owner under Members, or delete it under Team settings.
              </p>
            ) : null}
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline" type="button" disabled={remove.isPending}>
                  Cancel
                </Button>
              </DialogClose>
              <Button type="submit" variant="destructive" pending={remove.isPending}>
                {remove.isPending ? "Deleting…" : "Delete my account"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </div>
  );
}
