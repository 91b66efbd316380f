import type { Metadata } from "next";

import { PageContainer, PageHeader } from "@/components/page";
import { CreateTeamDialog } from "@/features/teams/create-team-dialog";
import { TeamList } from "@/features/teams/team-list";
import { loadForPage, requireUser, serverApi } from "@/trpc/server";

export const metadata: Metadata = { title: "Your teams" };

function firstName(name: string): string {
  return name.split(/\s+/u)[0] || name;
}

export default async function HomePage() {
  const user = await requireUser();
  const teams = await loadForPage(async () => (await serverApi()).team.list());
  return (
    <PageContainer>
      <PageHeader
        title={
          <>
            Hi, <bdi>{firstName(user.name)}</bdi>
          </>
        }
        description={
          teams.length > 0
            ? "Pick a team to see its rooms and who's in them right now."
            : "Let's get your first team set up."
        }
        actions={teams.length > 0 ? <CreateTeamDialog /> : null}
      />
      <TeamList initialTeams={teams} />
    </PageContainer>
  );
}
