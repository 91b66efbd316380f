import type { Metadata } from "next";
import { unstable_rethrow } from "next/navigation";
import { cache } from "react";

import { TeamView } from "@/features/teams/team-view";
import { decodeParam } from "@/lib/params";
import { loadForPage, requireUser, serverApi } from "@/trpc/server";

/** One lookup per request, shared by the metadata and the page. */
const loadTeam = cache(async (teamSlug: string) => (await serverApi()).team.get({ teamSlug }));

export async function generateMetadata({ params }: PageProps<"/t/[team]">): Promise<Metadata> {
  const { team: slug } = await params;
  try {
    const team = await loadTeam(decodeParam(slug));
    return { title: team.name };
  } catch (error) {
    unstable_rethrow(error);
    return { title: "Team" };
  }
}

export default async function TeamPage({ params }: PageProps<"/t/[team]">) {
  const { team: rawSlug } = await params;
  const teamSlug = decodeParam(rawSlug);
  const user = await requireUser();
  const api = await serverApi();
  const team = await loadForPage(() => loadTeam(teamSlug));
  const [members, capabilities] = await Promise.all([
    loadForPage(() => api.team.members({ teamSlug })),
    api.auth.capabilities(),
  ]);
  return (
    <TeamView
      team={team}
      currentUserId={user.id}
      initialMembers={members}
      emailInvites={capabilities.email}
    />
  );
}
