"use client";

import type { RouterOutputs } from "@parlor/api";
import { Badge } from "@parlor/ui/badge";
import { avatarTint, cn, initials } from "@parlor/ui/lib/utils";
import { ChevronRightIcon, UsersIcon } from "lucide-react";
import Link from "next/link";

import { EmptyState } from "@/components/page";
import { PathText } from "@/components/path-text";
import { QueryError } from "@/components/query-error";
import { api } from "@/trpc/react";

import { CreateTeamForm } from "./create-team-dialog";
import { ROLE_LABELS } from "./labels";

type Team = RouterOutputs["team"]["list"][number];

export function TeamList({ initialTeams }: { initialTeams: Team[] }) {
  const teams = api.team.list.useQuery(undefined, { initialData: initialTeams });

  if (teams.error && !teams.data) {
    return (
      <QueryError error={teams.error} title="Couldn't load your teams" onRetry={() => teams.refetch()} />
    );
  }
  const list = teams.data ?? [];

  if (list.length === 0) {
    return (
      <EmptyState icon={<UsersIcon aria-hidden="true" />} title="You're not in a team yet" className="py-14">
        <p>
          A team is a group of people who meet together. It has its own rooms, each with a link that stays the
          same, so everyone knows where to go. Create one and invite your colleagues, or open an invite link
          someone sent you.
        </p>
        <div className="mx-auto mt-6 w-full max-w-sm text-left">
          <CreateTeamForm />
        </div>
      </EmptyState>
    );
  }

  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Your teams">
      {list.map((team) => (
        <li key={team.id}>
          <TeamCard team={team} />
        </li>
      ))}
    </ul>
  );
}

function TeamCard({ team }: { team: Team }) {
  return (
    <Link
      href={`/t/${encodeURIComponent(team.slug)}`}
      className="group flex items-center gap-4 rounded-xl border bg-card p-4 shadow-xs transition-[border-color,box-shadow] hover:border-foreground/20 hover:shadow-sm"
    >
      <span
        aria-hidden="true"
        className={cn(
          "flex size-11 shrink-0 items-center justify-center rounded-lg text-sm font-semibold",
          avatarTint(team.slug),
        )}
      >
        {initials(team.name)}
      </span>
      <span className="grid min-w-0 flex-1 gap-1">
        <span className="truncate font-medium" dir="auto">
          {team.name}
        </span>
        <span className="flex items-center gap-2 text-xs text-muted-foreground">
          <Badge variant={team.role === "member" ? "secondary" : "outline"}>{ROLE_LABELS[team.role]}</Badge>
          <span className="truncate">
            <PathText segments={["t", team.slug]} />
          </span>
        </span>
      </span>
      <ChevronRightIcon
        aria-hidden="true"
        className="size-4 shrink-0 text-muted-foreground transition-transform group-hover:translate-x-0.5"
      />
    </Link>
  );
}
