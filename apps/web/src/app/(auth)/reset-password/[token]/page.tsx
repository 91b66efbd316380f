import { Button } from "@parlor/ui/button";
import { TRPCError } from "@trpc/server";
import { KeyRoundIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { AuthCard } from "@/components/auth-card";
import { ResetPasswordForm } from "@/features/auth/reset-password-form";
import { decodeParam } from "@/lib/params";
import { serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Choose a new password", robots: { index: false } };

const INVALID =
  "This password reset link is not valid. Check that you copied all of it, or ask for a new one.";

async function check(token: string) {
  try {
    return { link: await (await serverApi()).auth.checkPasswordReset({ token }), problem: null };
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "BAD_REQUEST") return { link: null, problem: INVALID };
      if (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")
        return { link: null, problem: error.message };
    }
    throw error;
  }
}

export default async function ResetPasswordPage({ params }: PageProps<"/reset-password/[token]">) {
  const { token: rawToken } = await params;
  const token = decodeParam(rawToken);
  const [{ link, problem }, { email }] = await Promise.all([
    check(token),
    (await serverApi()).auth.capabilities(),
  ]);

  if (!link) {
    return (
      <AuthCard title="This link can't be used" description={problem}>
        <div className="flex gap-3 rounded-lg bg-muted px-4 py-3 text-sm text-muted-foreground">
          <KeyRoundIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
          <p>
            {email
              ? "Reset links work once, for an hour. Ask for a new one and use the latest email."
              : "Reset links work once. Ask your site administrator for a new one."}
          </p>
        </div>
        <div className="mt-6 grid gap-2">
          {email ? (
            <Button asChild className="w-full">
              <Link href="/forgot-password">Get a new link</Link>
            </Button>
          ) : null}
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Back to sign in</Link>
          </Button>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password" description={`For ${link.email}.`}>
      <ResetPasswordForm token={token} email={link.email} />
    </AuthCard>
  );
}
