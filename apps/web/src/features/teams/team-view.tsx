"use client";

import type { RouterOutputs } from "@parlor/api";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import { UserPlusIcon } from "lucide-react";
import Link from "next/link";

import { PageContainer, PageHeader } from "@/components/page";
import { RoomsSection } from "@/features/rooms/rooms-section";
import { api } from "@/trpc/react";

import { InvitesSection } from "./invites-section";
import { canManage, ROLE_LABELS } from "./labels";
import { LeaveTeamButton } from "./leave-team";
import { MembersSection } from "./members-section";
import { TeamSettingsSection } from "./team-settings-section";

type Team = RouterOutputs["team"]["get"];
type Member = RouterOutputs["team"]["members"][number];

export function TeamView({
  team,
  currentUserId,
  initialMembers,
  emailInvites,
}: {
  team: Team;
  currentUserId: string;
  initialMembers: Member[];
  /** The instance can send email: invites can go to an address. */
  emailInvites: boolean;
}) {
  const manager = canManage(team.role);
  // The same query the members list keeps fresh: who owns the team now.
  const members = api.team.members.useQuery({ teamSlug: team.slug }, { initialData: initialMembers });
  const owners = (members.data ?? initialMembers).filter((m) => m.role === "owner");
  const soleOwner = team.role === "owner" && owners.length === 1 && owners[0]!.userId === currentUserId;
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link href="/" className="hover:text-foreground">
              Teams
            </Link>
            <span aria-hidden="true" className="mx-1.5">
              /
            </span>
            <bdi className="text-foreground/80">{team.name}</bdi>
          </nav>
        }
        title={
          <span className="flex items-center gap-3">
            <span className="truncate" dir="auto">
              {team.name}
            </span>
            <Badge variant="outline" className="font-normal">
              {ROLE_LABELS[team.role]}
            </Badge>
          </span>
        }
        description="Rooms stay open at the same link. Share it, and anyone in the team can walk in."
        actions={
          <>
            {manager ? (
              <Button variant="outline" asChild>
                <a href="#invites">
                  <UserPlusIcon aria-hidden="true" />
                  Invite people
                </a>
              </Button>
            ) : null}
            <LeaveTeamButton team={team} soleOwner={soleOwner} />
          </>
        }
      />
      <div className="grid gap-12">
        <RoomsSection team={team} />
        {/* Two columns only when there is a second one (invites are for owners and admins). */}
        <div
          className={
            manager ? "grid items-start gap-12 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)] lg:gap-8" : "grid"
          }
        >
          <MembersSection team={team} currentUserId={currentUserId} initialMembers={initialMembers} />
          {manager ? <InvitesSection team={team} emailInvites={emailInvites} /> : null}
        </div>
        {team.role === "owner" ? <TeamSettingsSection team={team} /> : null}
      </div>
    </PageContainer>
  );
}
