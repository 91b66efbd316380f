import { notFound } from "next/navigation";
import type { ReactNode } from "react";

import { AppShell } from "@/components/app-shell/app-shell";
import { requireUser } from "@/trpc/server";

/**
 * Site administration. The check runs here, before anything streams, so everyone but a site admin
 * gets a real 404 (the `(app)` group's loading boundary would otherwise answer 200 first).
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  if (!user.isAdmin) notFound();
  return <AppShell user={user}>{children}</AppShell>;
}
