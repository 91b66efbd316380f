import { safeNextPath } from "@parlor/api/schemas";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthCard } from "@/components/auth-card";
import { SignUpForm } from "@/features/auth/sign-up-form";
import { getCurrentUserIfKnown } from "@/trpc/server";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: PageProps<"/sign-up">) {
  const { next: rawNext } = await searchParams;
  const next = safeNextPath(typeof rawNext === "string" ? rawNext : null);
  if (await getCurrentUserIfKnown()) redirect(next);
  return (
    <AuthCard title="Create your account" description="Video rooms for your team, on your own server.">
      <SignUpForm next={next} />
    </AuthCard>
  );
}
