"use client";

import type { RouterOutputs } from "@parlor/api";
import { Button } from "@parlor/ui/button";
import { Skeleton } from "@parlor/ui/skeleton";
import { toast } from "@parlor/ui/toaster";
import { SearchIcon, Trash2Icon, UsersIcon } from "lucide-react";
import Link from "next/link";
import { useDeferredValue, useState } from "react";

import { LocalDate } from "@/components/local-date";
import { EmptyState } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { api } from "@/trpc/react";

import { DeleteTeamDialog } from "@/features/teams/delete-team-dialog";

import { SearchBox } from "./search-box";

type Team = RouterOutputs["admin"]["teams"]["teams"][number];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function TeamsList() {
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const teams = api.admin.teams.useQuery(
    { query: deferredQuery, limit: 100 },
    { placeholderData: (previous) => previous },
  );
  const [deleting, setDeleting] = useState<Team | null>(null);
  const list = teams.data?.teams ?? [];
  const total = teams.data?.total ?? 0;

  return (
    <div className="grid gap-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <SearchBox value={query} onChange={setQuery} label="Search teams" placeholder="Search teams" />
        {teams.data ? (
          <span className="text-sm text-muted-foreground">
            {plural(total, "team", "teams")}
            {total > list.length ? `, showing ${list.length}` : ""}
          </span>
        ) : null}
      </div>

      {teams.isPending ? <Skeleton className="h-40 rounded-xl" /> : null}
      {teams.error && !teams.data ? (
        <QueryError
          error={teams.error}
          title="Couldn't load the teams"
          onRetry={() => teams.refetch()}
          retrying={teams.isFetching}
        />
      ) : null}
      {teams.data && list.length === 0 ? (
        deferredQuery.trim() ? (
          <EmptyState
            icon={<SearchIcon />}
            title="No team matches"
            action={
              <Button variant="outline" onClick={() => setQuery("")}>
                Clear search
              </Button>
            }
          >
            No team is called “{deferredQuery}”.
          </EmptyState>
        ) : (
          <EmptyState icon={<UsersIcon />} title="No teams yet">
            Teams show up here as soon as someone creates one.
          </EmptyState>
        )
      ) : null}

      {list.length > 0 ? (
        <ul className="divide-y rounded-xl border bg-card" aria-label="Teams">
          {list.map((team) => (
            <li key={team.id} className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center">
              <div className="grid min-w-0 flex-1 gap-0.5">
                <Link
                  href={`/t/${encodeURIComponent(team.slug)}`}
                  className="truncate font-medium hover:underline hover:underline-offset-4"
                >
                  {team.name}
                </Link>
                <p className="truncate text-xs text-muted-foreground">
                  /t/{team.slug} · {plural(team.members, "member", "members")} ·{" "}
                  {plural(team.rooms, "room", "rooms")} · owned by{" "}
                  {team.owners.map((o) => o.name).join(", ") || "nobody"} · created{" "}
                  <LocalDate value={team.createdAt} relative />
                </p>
              </div>
              <Button
                variant="outline"
                size="sm"
                className="self-start text-destructive sm:self-center"
                onClick={() => setDeleting(team)}
              >
                <Trash2Icon aria-hidden="true" />
                Delete
              </Button>
            </li>
          ))}
        </ul>
      ) : null}

      {deleting ? (
        <DeleteTeamDialogForAdmin key={deleting.id} team={deleting} onClose={() => setDeleting(null)} />
      ) : null}
    </div>
  );
}

function DeleteTeamDialogForAdmin({ team, onClose }: { team: Team; onClose: () => void }) {
  const utils = api.useUtils();
  const remove = api.admin.deleteTeam.useMutation();
  return (
    <DeleteTeamDialog
      team={team}
      open
      onOpenChange={(open) => (open ? undefined : onClose())}
      description={
        <>
          Its {plural(team.members, "member loses", "members lose")} access, its{" "}
          {plural(team.rooms, "room", "rooms")}, invites and meeting history are deleted, and calls in its
          rooms end. This cannot be undone.
        </>
      }
      onDelete={async (input) => {
        const result = await remove.mutateAsync(input);
        toast.success(`${team.name} was deleted`, {
          description: result.closedRooms
            ? `${plural(result.closedRooms, "call was", "calls were")} ended.`
            : undefined,
        });
        onClose();
        void utils.admin.teams.invalidate();
        void utils.admin.users.invalidate();
      }}
    />
  );
}
