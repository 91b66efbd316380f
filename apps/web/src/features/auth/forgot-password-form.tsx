"use client";

import { requestPasswordResetInput } from "@parlor/api/schemas";
import { Alert, AlertDescription } from "@parlor/ui/alert";
import { Button } from "@parlor/ui/button";
import { MailCheckIcon } from "lucide-react";
import Link from "next/link";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

export function ForgotPasswordForm() {
  const { values, update, errors, handleSubmit, onServerError, retry } = useSchemaForm(
    requestPasswordResetInput,
    { email: "" },
  );
  const request = api.auth.requestPasswordReset.useMutation({ onError: onServerError });

  if (request.isSuccess) {
    return (
      <div className="grid gap-5">
        <Alert>
          <MailCheckIcon aria-hidden="true" />
          <AlertDescription>
            <p>
              If an account uses{" "}
              <strong className="font-medium text-foreground">{request.variables.email}</strong>, a link to
              choose a new password is on its way. It works once, for an hour.
            </p>
          </AlertDescription>
        </Alert>
        <p className="text-sm text-muted-foreground">
          Nothing after a few minutes? Check your spam folder, or make sure this is the address you signed up
          with.
        </p>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={() => request.reset()}>
            Use another address
          </Button>
          <Button asChild variant="ghost">
            <Link href="/sign-in">Back to sign in</Link>
          </Button>
        </div>
      </div>
    );
  }

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => request.mutate(data))}
      className="grid gap-5"
      aria-label="Reset your password"
    >
      {request.isPending ? null : (
        <FormAlert error={request.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <FormField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        autoFocus
        placeholder="you@example.com"
        value={values.email}
        onChange={(event) => update("email", event.target.value)}
        error={errors.of("email")}
      />
      <Button
        type="submit"
        size="lg"
        className="w-full"
        pending={request.isPending}
        disabled={retry.seconds > 0}
      >
        {request.isPending ? "Sending…" : "Email me a reset link"}
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        Remembered it?{" "}
        <Link href="/sign-in" className="font-medium text-foreground underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
