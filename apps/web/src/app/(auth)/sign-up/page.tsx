import { safeNextPath } from "@parlor/api/schemas";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthCard } from "@/components/auth-card";
import { SignUpForm } from "@/features/auth/sign-up-form";
import { inviteContext, isFirstRun } from "@/lib/invite-context";
import { getCurrentUserIfKnown } from "@/trpc/server";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: PageProps<"/sign-up">) {
  const { next: rawNext } = await searchParams;
  const next = safeNextPath(typeof rawNext === "string" ? rawNext : null);
  if (await getCurrentUserIfKnown()) redirect(next);
  const [invite, firstRun] = await Promise.all([inviteContext(next), isFirstRun()]);
  return (
    <AuthCard
      title={
        invite ? (
          <>
            Join <bdi>{invite.teamName}</bdi>
          </>
        ) : firstRun ? (
          "Set up Parlor"
        ) : (
          "Create your account"
        )
      }
      description={
        invite ? (
          <>
            {invite.invitedBy ? (
              <>
                <bdi className="font-medium text-foreground">{invite.invitedBy}</bdi> invited you to{" "}
              </>
            ) : (
              "You've been invited to "
            )}
            <bdi className="font-medium text-foreground">{invite.teamName}</bdi> on Parlor. Create your
            account, and you&apos;re in.
          </>
        ) : firstRun ? (
          <span data-testid="first-run">
            This is a new Parlor instance. The account you create now is its administrator: it sees every
            active room and can end meetings across all teams.
          </span>
        ) : (
          "Video rooms for your team, on your own server."
        )
      }
    >
      <SignUpForm next={invite?.next ?? next} />
    </AuthCard>
  );
}
