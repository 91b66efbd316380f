"use client";

import { PASSWORD_MIN, resetPasswordInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { useRouter } from "next/navigation";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    resetPasswordInput,
    { password: "" },
    (v) => ({ ...v, token }),
  );
  const reset = api.auth.resetPassword.useMutation({
    onSuccess: () => router.replace("/sign-in?reset=done"),
    onError: onServerError,
  });

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => reset.mutate(data))}
      className="grid gap-5"
      aria-label="Choose a new password"
    >
      {reset.isPending ? null : <FormAlert error={reset.error} standalone={Boolean(errors.of("token"))} />}
      {/* For password managers: which account the new password belongs to. */}
      <input type="email" name="email" autoComplete="username" value={email} readOnly hidden />
      <FormField
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        autoFocus
        hint={`At least ${PASSWORD_MIN} characters.`}
        value={values.password}
        onChange={(event) => update("password", event.target.value)}
        error={errors.of("password")}
      />
      <Button type="submit" size="lg" className="w-full" pending={reset.isPending || reset.isSuccess}>
        {reset.isPending || reset.isSuccess ? "Saving…" : "Set new password"}
      </Button>
      <p className="text-center text-[13px] text-muted-foreground">
        This signs you out everywhere. You then sign in with the new password.
      </p>
    </form>
  );
}
