"use client";

import { signInInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import Link from "next/link";
import { useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { signUpPath } from "@/lib/request-path";
import { useSchemaForm } from "@/lib/use-schema-form";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { useEnterApp } from "./use-enter-app";

const normalEmail = (email: string) => email.trim().toLowerCase();

/**
 * `emailReset`: whether a forgotten password can be reset by email here; without it, the form
 * says to ask the site admin for a reset link.
 */
export function SignInForm({ next, emailReset }: { next: string; emailReset: boolean }) {
  const enterApp = useEnterApp(next);
  const { values, update, errors, handleSubmit, onServerError, retry } = useSchemaForm(signInInput, {
    email: "",
    password: "",
  });

  // Throttling is per account (and per address): another account may be tried at once.
  const [throttledEmail, setThrottledEmail] = useState<string | null>(null);
  const signIn = api.auth.signIn.useMutation({
    onSuccess: enterApp,
    onError: (error, input) => {
      onServerError(error);
      if (describeError(error).code === "TOO_MANY_REQUESTS") setThrottledEmail(normalEmail(input.email));
    },
  });
  const waiting = retry.seconds > 0 && throttledEmail === normalEmail(values.email);

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => signIn.mutate(data))}
      className="grid gap-5"
      aria-label="Sign in"
    >
      {signIn.isPending ? null : (
        <FormAlert error={signIn.error} waitSeconds={waiting ? retry.seconds : 0} waitOver={retry.over} />
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
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        labelAside={
          <Link
            href="/forgot-password"
            className="text-[13px] text-muted-foreground underline-offset-4 hover:text-foreground hover:underline"
          >
            Forgot password?
          </Link>
        }
        hint={emailReset ? undefined : "Forgot it? Ask your site administrator for a password reset link."}
        value={values.password}
        onChange={(event) => update("password", event.target.value)}
        error={errors.of("password")}
      />
      <Button type="submit" size="lg" className="w-full" pending={signIn.isPending} disabled={waiting}>
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        New to Parlor?{" "}
        <Link
          href={signUpPath(next)}
          className="font-medium text-foreground underline-offset-4 hover:underline"
        >
          Create an account
        </Link>
      </p>
    </form>
  );
}
