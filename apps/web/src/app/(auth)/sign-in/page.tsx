import { safeNextPath } from "@parlor/api/schemas";
import { Alert, AlertDescription } from "@parlor/ui/alert";
import { CircleCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthCard } from "@/components/auth-card";
import { SignInForm } from "@/features/auth/sign-in-form";
import { inviteContext, isFirstRun } from "@/lib/invite-context";
import { signUpPath } from "@/lib/request-path";
import { getCurrentUserIfKnown, serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: PageProps<"/sign-in">) {
  const { next: rawNext, reset } = await searchParams;
  const next = safeNextPath(typeof rawNext === "string" ? rawNext : null);
  if (await getCurrentUserIfKnown()) redirect(next);
  // Nobody can sign in to a fresh instance: its first visitor creates the admin account.
  if (await isFirstRun()) redirect(signUpPath(next));
  const invite = await inviteContext(next);
  const { email } = await (await serverApi()).auth.capabilities();
  return (
    <AuthCard
      title="Welcome back"
      description={
        invite ? (
          <>
            Sign in to join <bdi className="font-medium text-foreground">{invite.teamName}</bdi>
            {invite.invitedBy ? (
              <>
                , where <bdi>{invite.invitedBy}</bdi> invited you
              </>
            ) : null}
            .
          </>
        ) : (
          "Sign in to join your team's rooms."
        )
      }
    >
      {reset === "done" ? (
        <Alert className="mb-5" role="status">
          <CircleCheckIcon aria-hidden="true" />
          <AlertDescription>
            <p>Your password was changed and you were signed out everywhere. Sign in with the new one.</p>
          </AlertDescription>
        </Alert>
      ) : null}
      <SignInForm next={invite?.next ?? next} emailReset={email} />
    </AuthCard>
  );
}
