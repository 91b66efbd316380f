"use client";

import type { RouterOutputs } from "@parlor/api";
import { updatePreferencesInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { toast } from "@parlor/ui/toaster";
import { useId, useState, type FormEvent } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { validate } from "@/lib/forms";
import { useFormErrors } from "@/lib/use-form-errors";
import { api } from "@/trpc/react";

type Preferences = RouterOutputs["preferences"]["get"];
type User = NonNullable<RouterOutputs["auth"]["me"]>;

export function ProfileForm({ user, initialPreferences }: { user: User; initialPreferences: Preferences }) {
  const utils = api.useUtils();
  const emailId = useId();
  const preferences = api.preferences.get.useQuery(undefined, { initialData: initialPreferences });
  const saved = preferences.data.displayName ?? "";
  const [displayName, setDisplayName] = useState(saved);
  const errors = useFormErrors();
  const update = api.preferences.update.useMutation({
    onSuccess: (next) => {
      utils.preferences.get.setData(undefined, next);
      setDisplayName(next.displayName ?? "");
      toast.success("Profile saved");
    },
    onError: errors.fromServer,
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = displayName.trim() === "" ? null : displayName;
    const checked = validate(updatePreferencesInput, { displayName: value });
    if (!checked.ok) {
      errors.fromClient(checked.fieldErrors);
      return;
    }
    errors.reset();
    update.mutate(checked.data);
  }

  const changed = displayName.trim() !== saved;

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5" aria-label="Profile">
      {update.isPending ? null : <FormAlert error={update.error} />}
      <FormField
        label="Display name"
        name="displayName"
        autoComplete="nickname"
        placeholder={user.name}
        maxLength={256}
        value={displayName}
        onChange={(event) => {
          setDisplayName(event.target.value);
          errors.clear("displayName");
        }}
        hint={`What others see in rooms. Leave it empty to use your account name, ${user.name}.`}
        error={errors.of("displayName")}
      />
      <div className="grid gap-2">
        <Label htmlFor={emailId}>Email</Label>
        <Input id={emailId} value={user.email} readOnly disabled className="disabled:opacity-70" />
      </div>
      <div className="flex justify-end">
        <Button type="submit" pending={update.isPending} disabled={!changed}>
          {update.isPending ? "Saving…" : "Save"}
        </Button>
      </div>
    </form>
  );
}
