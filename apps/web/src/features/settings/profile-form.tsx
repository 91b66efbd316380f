"use client";

import type { RouterOutputs } from "@parlor/api";
import { updatePreferencesInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { toast } from "@parlor/ui/toaster";
import { useId } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

type Preferences = RouterOutputs["preferences"]["get"];
type User = NonNullable<RouterOutputs["auth"]["me"]>;

export function ProfileForm({ user, initialPreferences }: { user: User; initialPreferences: Preferences }) {
  const utils = api.useUtils();
  const emailId = useId();
  const preferences = api.preferences.get.useQuery(undefined, { initialData: initialPreferences });
  const saved = preferences.data.displayName ?? "";
  const { values, update, errors, handleSubmit, reset, onServerError } = useSchemaForm(
    updatePreferencesInput,
    { displayName: saved },
    ({ displayName }) => ({ displayName: displayName.trim() === "" ? null : displayName }),
  );
  const { displayName } = values;
  const save = api.preferences.update.useMutation({
    onSuccess: (next) => {
      utils.preferences.get.setData(undefined, next);
      reset({ displayName: next.displayName ?? "" });
      toast.success("Profile saved");
    },
    onError: onServerError,
  });

  const changed = displayName.trim() !== saved;

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => save.mutate(data))}
      className="grid gap-5"
      aria-label="Profile"
    >
      {save.isPending ? null : <FormAlert error={save.error} />}
      <FormField
        label="Display name"
        name="displayName"
        autoComplete="nickname"
        placeholder={user.name}
        maxLength={256}
        value={displayName}
        onChange={(event) => update("displayName", event.target.value)}
        hint={`What others see in rooms. Leave it empty to use your account name, ${user.name}.`}
        error={errors.of("displayName")}
      />
      <div className="grid gap-2">
        <Label htmlFor={emailId}>Email</Label>
        <Input id={emailId} value={user.email} readOnly disabled className="disabled:opacity-70" />
      </div>
      <div className="flex justify-end">
        <Button type="submit" pending={save.isPending} disabled={!changed}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
      </div>
    </form>
  );
}
