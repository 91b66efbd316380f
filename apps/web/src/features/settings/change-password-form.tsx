"use client";

import { changePasswordInput, PASSWORD_MIN } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { useState, type FormEvent } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { validate } from "@/lib/forms";
import { useFormErrors } from "@/lib/use-form-errors";
import { api } from "@/trpc/react";

const EMPTY = { currentPassword: "", newPassword: "" };

export function ChangePasswordForm() {
  const [values, setValues] = useState(EMPTY);
  const errors = useFormErrors();
  const change = api.auth.changePassword.useMutation({
    onSuccess: () => {
      setValues(EMPTY);
      toast.success("Password changed", { description: "You've been signed out on your other devices." });
    },
    onError: errors.fromServer,
  });

  function update(field: keyof typeof EMPTY, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    errors.clear(field);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(changePasswordInput, values);
    if (!checked.ok) {
      errors.fromClient(checked.fieldErrors);
      return;
    }
    errors.reset();
    change.mutate(checked.data);
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5" aria-label="Change password">
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
