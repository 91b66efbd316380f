"use client";

import { ErrorView } from "@/components/error-view";
import { Wordmark } from "@/components/wordmark";

/** Errors above the page layouts (a signed-in layout that could not load, say). */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="px-5 py-4 sm:px-8">
        <Wordmark />
      </header>
      <main className="flex flex-1 items-start justify-center pt-10">
        <ErrorView error={error} retry={retry} />
      </main>
    </div>
  );
}
