import type { RouterOutputs } from "@parlor/api";
import type { ReactNode } from "react";

import { AppHeader } from "./app-header";

/** The frame of every signed-in page: a skip link, the header and the main content. */
export function AppShell({
  user,
  children,
}: {
  user: NonNullable<RouterOutputs["auth"]["me"]>;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <AppHeader user={user} />
      <main id="main" className="flex-1">
        {children}
      </main>
    </div>
  );
}
