import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { ActiveRooms } from "@/features/admin/active-rooms";
import { AdminNav } from "@/features/admin/admin-nav";
import { HealthPanel } from "@/features/admin/health-panel";

export const metadata: Metadata = { title: "Active rooms" };

/** Site admins only: the (admin) layout answers 404 to everyone else. */
export default function AdminPage() {
  return (
    <PageContainer>
      <PageHeader
        eyebrow="Site administration"
        title="Active rooms"
        description="Every meeting open right now, across all teams on this instance, and who is in it. Updates live."
      />
      <AdminNav />
      <div className="grid gap-8">
        <HealthPanel />
        <ActiveRooms />
      </div>
    </PageContainer>
  );
}
