import type { Metadata } from "next";

import { TeamView } from "@/features/teams/team-view";
import { decodeParam } from "@/lib/params";
import { loadForPage, requireUser, serverApi } from "@/trpc/server";

export async function generateMetadata({ params }: PageProps<"/t/[team]">): Promise<Metadata> {
  const { team: slug } = await params;
  try {
    const team = await (await serverApi()).team.get({ teamSlug: decodeParam(slug) });
    return { title: team.name };
  } catch {
    return { title: "Team" };
  }
}

export default async function TeamPage({ params }: PageProps<"/t/[team]">) {
  const { team: rawSlug } = await params;
  const teamSlug = decodeParam(rawSlug);
  const user = await requireUser();
  const api = await serverApi();
  const team = await loadForPage(() => api.team.get({ teamSlug }));
  const members = await loadForPage(() => api.team.members({ teamSlug }));
  return <TeamView team={team} currentUserId={user.id} initialMembers={members} />;
}
