import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { PageContainer, PageHeader } from "@/components/page";
import { ActiveRooms } from "@/features/admin/active-rooms";
import { requireUser } from "@/trpc/server";

export const metadata: Metadata = { title: "Active rooms" };

/** Site admins only; everyone else gets the not-found page, which reveals nothing. */
export default async function AdminPage() {
  const user = await requireUser();
  if (!user.isAdmin) notFound();
  return (
    <PageContainer>
      <PageHeader
        eyebrow="Site administration"
        title="Active rooms"
        description="Every room with people in it right now, across all teams on this instance. Updates live."
      />
      <ActiveRooms />
    </PageContainer>
  );
}
