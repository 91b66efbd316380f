"use client";

import type { RouterOutputs } from "@parlor/api";
import { deleteTeamInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@parlor/ui/dialog";
import { Skeleton } from "@parlor/ui/skeleton";
import { toast } from "@parlor/ui/toaster";
import { SearchIcon, Trash2Icon, UsersIcon } from "lucide-react";
import Link from "next/link";
import { useDeferredValue, useState } from "react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { LocalDate } from "@/components/local-date";
import { EmptyState } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

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
        <DeleteTeamDialog key={deleting.id} team={deleting} onClose={() => setDeleting(null)} />
      ) : null}
    </div>
  );
}

function DeleteTeamDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    deleteTeamInput,
    { confirmName: "" },
    (v) => ({ ...v, teamSlug: team.slug }),
  );
  const remove = api.admin.deleteTeam.useMutation({
    onSuccess: (result) => {
      toast.success(`${team.name} was deleted`, {
        description: result.closedRooms
          ? `${plural(result.closedRooms, "call was", "calls were")} ended.`
          : undefined,
      });
      onClose();
      void utils.admin.teams.invalidate();
      void utils.admin.users.invalidate();
    },
    onError: onServerError,
  });
  return (
    <Dialog open onOpenChange={(open) => (open || remove.isPending ? undefined : onClose())}>
      <DialogContent className="sm:max-w-md" showCloseButton={false}>
        <form noValidate onSubmit={handleSubmit((data) => remove.mutate(data))} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Delete {team.name}?</DialogTitle>
            <DialogDescription>
              Its {plural(team.members, "member loses", "members lose")} access, its{" "}
              {plural(team.rooms, "room", "rooms")}, invites and meeting history are deleted, and calls in its
              rooms end. This cannot be undone.
            </DialogDescription>
          </DialogHeader>
          {remove.isPending ? null : <FormAlert error={remove.error} />}
          <FormField
            label={
              <span>
                Type <strong className="font-semibold">{team.name}</strong> to confirm
              </span>
            }
            name="confirmName"
            autoComplete="off"
            autoFocus
            value={values.confirmName}
            onChange={(event) => update("confirmName", event.target.value)}
            error={errors.of("confirmName")}
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline" type="button" disabled={remove.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button
              type="submit"
              variant="destructive"
              pending={remove.isPending}
              disabled={values.confirmName.trim() !== team.name}
            >
              {remove.isPending ? "Deleting…" : "Delete team"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
