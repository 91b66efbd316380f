import type { ReactNode } from "react";

import { AppShell } from "@/components/app-shell/app-shell";
import { requireUser } from "@/trpc/server";

/** Every page in here needs a session: signed-out visitors go to sign in and come back after. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  return <AppShell user={await requireUser()}>{children}</AppShell>;
}
