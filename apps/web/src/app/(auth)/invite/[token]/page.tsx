import { Button } from "@parlor/ui/button";
import { TRPCError } from "@trpc/server";
import { LinkIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { AuthCard } from "@/components/auth-card";
import { InviteDetails, JoinTeamButton } from "@/features/invites/join-team";
import { decodeParam } from "@/lib/params";
import { signInPath, signUpPath } from "@/lib/request-path";
import { getCurrentUser, serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Join a team", robots: { index: false } };

const INVALID = "This invite link is not valid. Check that you copied all of it, or ask for a new one.";

async function loadPreview(token: string) {
  try {
    return { preview: await (await serverApi()).team.previewInvite({ token }), problem: null };
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "BAD_REQUEST") return { preview: null, problem: INVALID };
      if (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")
        return { preview: null, problem: error.message };
    }
    throw error;
  }
}

export default async function InvitePage({ params, searchParams }: PageProps<"/invite/[token]">) {
  const { token: rawToken } = await params;
  // Back from signing up or in through this invite: join without asking again.
  const autoJoin = (await searchParams).join === "1";
  const token = decodeParam(rawToken);
  const [{ preview, problem }, user] = await Promise.all([loadPreview(token), getCurrentUser()]);
  const here = `/invite/${encodeURIComponent(token)}`;

  if (!preview) {
    return (
      <AuthCard title="This invite can't be used" description={problem}>
        <div className="flex items-center gap-3 rounded-lg bg-muted px-4 py-3 text-sm text-muted-foreground">
          <LinkIcon aria-hidden="true" className="size-4 shrink-0" />
          Invite links expire, and a team admin can withdraw them. Ask whoever sent it for a fresh one.
        </div>
        <Button asChild variant="outline" className="mt-6 w-full">
          <Link href="/">{user ? "Back to your teams" : "Go to Parlor"}</Link>
        </Button>
      </AuthCard>
    );
  }

  const teamHref = `/t/${encodeURIComponent(preview.teamSlug)}`;
  const alreadyIn = user
    ? (await (await serverApi()).team.list()).some((team) => team.slug === preview.teamSlug)
    : false;
  if (alreadyIn) {
    return (
      <AuthCard
        title={
          <>
            You&apos;re already in <bdi>{preview.teamName}</bdi>
          </>
        }
        description="This invite has nothing more to give you."
      >
        <Button asChild size="lg" className="w-full">
          <Link href={teamHref}>Open {preview.teamName}</Link>
        </Button>
      </AuthCard>
    );
  }

  const invitedBy = preview.invitedBy ? `${preview.invitedBy} invited you` : "You've been invited";
  return (
    <AuthCard
      title={
        <>
          Join <bdi>{preview.teamName}</bdi>
        </>
      }
      description={
        user
          ? `${invitedBy}. You're signed in as ${user.name}: join to see the team's rooms and who's in them.`
          : `${invitedBy} to a team on Parlor. Sign in or create an account to join.`
      }
    >
      <InviteDetails
        role={preview.role}
        expiresAt={preview.expiresAt}
        teamName={preview.teamName}
        teamSlug={preview.teamSlug}
      />
      {user ? (
        <JoinTeamButton token={token} teamName={preview.teamName} autoJoin={autoJoin} />
      ) : (
        <div className="grid gap-3">
          <Button asChild size="lg">
            <Link href={signInPath(here)}>Sign in to join</Link>
          </Button>
          <Button asChild size="lg" variant="outline">
            <Link href={signUpPath(here)}>Create an account</Link>
          </Button>
        </div>
      )}
    </AuthCard>
  );
}
