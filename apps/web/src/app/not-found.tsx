import { Button } from "@parlor/ui/button";
import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { AppShell } from "@/components/app-shell/app-shell";
import { Wordmark } from "@/components/wordmark";
import { getCurrentUserIfKnown } from "@/trpc/server";

export const metadata: Metadata = { title: "Page not found" };

/** An address Parlor has no page for: with the app's header when signed in, so the way on is where it always is. */
export default async function NotFound() {
  const user = await getCurrentUserIfKnown();
  const body = (
    <div className="flex flex-1 items-center justify-center px-4 py-20">
      <div className="grid max-w-md justify-items-center gap-3 text-center">
        <p className="font-mono text-sm text-muted-foreground">404</p>
        <h1 className="text-2xl font-semibold">This page doesn&apos;t exist</h1>
        <p className="text-muted-foreground">
          Parlor has no page at this address. Check it for a typo; rooms live at{" "}
          <span className="font-mono text-sm">/t/team/room</span>.
        </p>
        <Button asChild className="mt-4">
          <Link href="/">
            <ArrowLeftIcon aria-hidden="true" />
            {user ? "Back to your teams" : "Go to Parlor"}
          </Link>
        </Button>
      </div>
    </div>
  );
  if (user) return <AppShell user={user}>{body}</AppShell>;
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="px-5 py-4 sm:px-8">
        <Wordmark />
      </header>
      <main className="flex flex-1">{body}</main>
    </div>
  );
}
