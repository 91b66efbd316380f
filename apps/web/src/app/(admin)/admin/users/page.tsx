import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { AdminNav } from "@/features/admin/admin-nav";
import { UsersList } from "@/features/admin/users-list";
import { serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Users" };

/** Site admins only: the (admin) layout answers 404 to everyone else. */
export default async function AdminUsersPage() {
  const [{ email }, me] = await Promise.all([
    (await serverApi()).auth.capabilities(),
    (await serverApi()).auth.me(),
  ]);
  return (
    <PageContainer>
      <PageHeader
        eyebrow="Site administration"
        title="Users"
        description="Every account on this instance: find people, make or revoke site admins, disable an account, or make a password reset link."
      />
      <AdminNav />
      <UsersList currentUserId={me?.id ?? ""} emailEnabled={email} />
    </PageContainer>
  );
}
