import type { ReactNode } from "react";

import { AppHeader } from "@/components/app-shell/app-header";
import { requireUser } from "@/trpc/server";

/** Every page in here needs a session: signed-out visitors go to sign in and come back after. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
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
