import { safeNextPath } from "@parlor/api/schemas";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthCard } from "@/components/auth-card";
import { SignInForm } from "@/features/auth/sign-in-form";
import { getCurrentUserIfKnown } from "@/trpc/server";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: PageProps<"/sign-in">) {
  const { next: rawNext } = await searchParams;
  const next = safeNextPath(typeof rawNext === "string" ? rawNext : null);
  if (await getCurrentUserIfKnown()) redirect(next);
  return (
    <AuthCard title="Welcome back" description="Sign in to join your team's rooms.">
      <SignInForm next={next} />
    </AuthCard>
  );
}
