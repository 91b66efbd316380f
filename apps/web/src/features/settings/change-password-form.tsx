"use client";

import { changePasswordInput, PASSWORD_MIN } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

const EMPTY = { currentPassword: "", newPassword: "" };

export function ChangePasswordForm() {
  const { values, update, errors, handleSubmit, reset, onServerError } = useSchemaForm(
    changePasswordInput,
    EMPTY,
  );
  const change = api.auth.changePassword.useMutation({
    onSuccess: () => {
      reset();
      toast.success("Password changed", { description: "You've been signed out on your other devices." });
    },
    onError: onServerError,
  });

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => change.mutate(data))}
      className="grid gap-5"
      aria-label="Change password"
    >
      {change.isPending ? null : <FormAlert error={change.error} />}
      <FormField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        onChange={(event) => update("currentPassword", event.target.value)}
        error={errors.of("currentPassword")}
      />
      <FormField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters.`}
        value={values.newPassword}
        onChange={(event) => update("newPassword", event.target.value)}
        error={errors.of("newPassword")}
      />
      <div className="flex justify-end">
        <Button type="submit" pending={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </Button>
      </div>
    </form>
  );
}
