import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { AdminNav } from "@/features/admin/admin-nav";
import { TeamsList } from "@/features/admin/teams-list";

export const metadata: Metadata = { title: "Teams" };

/** Site admins only: the (admin) layout answers 404 to everyone else. */
export default function AdminTeamsPage() {
  return (
    <PageContainer>
      <PageHeader
        eyebrow="Site administration"
        title="Teams"
        description="Every team on this instance with its members and rooms. Deleting a team ends the calls in its rooms."
      />
      <AdminNav />
      <TeamsList />
    </PageContainer>
  );
}
