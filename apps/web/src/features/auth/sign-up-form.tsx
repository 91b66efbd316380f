"use client";

import { PASSWORD_MIN, signUpInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import Link from "next/link";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { signInPath } from "@/lib/request-path";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

import { useEnterApp } from "./use-enter-app";

export function SignUpForm({ next }: { next: string }) {
  const enterApp = useEnterApp(next);
  const { values, update, errors, handleSubmit, onServerError, retry } = useSchemaForm(signUpInput, {
    name: "",
    email: "",
    password: "",
  });

  const signUp = api.auth.signUp.useMutation({
    onSuccess: enterApp,
    onError: onServerError,
  });

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => signUp.mutate(data))}
      className="grid gap-5"
      aria-label="Create an account"
    >
      {signUp.isPending ? null : (
        <FormAlert error={signUp.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <FormField
        label="Name"
        name="name"
        autoComplete="name"
        autoFocus
        placeholder="Ada Lovelace"
        value={values.name}
        onChange={(event) => update("name", event.target.value)}
        error={errors.of("name")}
      />
      <FormField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        placeholder="you@example.com"
        value={values.email}
        onChange={(event) => update("email", event.target.value)}
        error={errors.of("email")}
      />
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters. A few unrelated words work well.`}
        value={values.password}
        onChange={(event) => update("password", event.target.value)}
        error={errors.of("password")}
      />
      <Button
        type="submit"
        size="lg"
        className="w-full"
        pending={signUp.isPending}
        disabled={retry.seconds > 0}
      >
        {signUp.isPending ? "Creating your account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link
          href={signInPath(next)}
          className="font-medium text-foreground underline-offset-4 hover:underline"
        >
          Sign in
        </Link>
      </p>
    </form>
  );
}
