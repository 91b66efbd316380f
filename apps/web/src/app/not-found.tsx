import { Button } from "@parlor/ui/button";
import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { Wordmark } from "@/components/wordmark";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="px-5 py-4 sm:px-8">
        <Wordmark />
      </header>
      <main className="flex flex-1 items-center justify-center px-4 pb-20">
        <div className="grid max-w-md justify-items-center gap-3 text-center">
          <p className="font-mono text-sm text-muted-foreground">404</p>
          <h1 className="text-2xl font-semibold">There's no room at this address</h1>
          <p className="text-muted-foreground">
            The page may have moved, or the link is missing a part. Check the address, or head back to your
            teams.
          </p>
          <Button asChild className="mt-4">
            <Link href="/">
              <ArrowLeftIcon aria-hidden="true" />
              Back to Parlor
            </Link>
          </Button>
        </div>
      </main>
    </div>
  );
}
