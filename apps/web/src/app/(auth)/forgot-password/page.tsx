import { Button } from "@parlor/ui/button";
import { ShieldQuestionIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { AuthCard } from "@/components/auth-card";
import { ForgotPasswordForm } from "@/features/auth/forgot-password-form";
import { serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Forgot password" };

export default async function ForgotPasswordPage() {
  const { email } = await (await serverApi()).auth.capabilities();
  if (!email) {
    return (
      <AuthCard
        title="Forgot your password?"
        description="This Parlor does not send email, so it cannot mail you a reset link."
      >
        <div className="flex gap-3 rounded-lg bg-muted px-4 py-3 text-sm text-muted-foreground">
          <ShieldQuestionIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
          <p>
            Ask your site administrator: they can make you a password reset link from the admin pages. Open
            it, choose a new password, then sign in.
          </p>
        </div>
        <Button asChild variant="outline" className="mt-6 w-full">
          <Link href="/sign-in">Back to sign in</Link>
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Forgot your password?"
      description="Enter the email you sign in with, and we'll send you a link to choose a new password."
    >
      <ForgotPasswordForm />
    </AuthCard>
  );
}
