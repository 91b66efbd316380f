"use client";

import type { RouterOutputs } from "@parlor/api";
import { InitialsAvatar } from "@parlor/ui/avatar";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@parlor/ui/select";
import { toast } from "@parlor/ui/toaster";
import { UserMinusIcon } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Section } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { canManage, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLE_WITH_ARTICLE, type TeamRole } from "./labels";

type Team = RouterOutputs["team"]["get"];
type Member = RouterOutputs["team"]["members"][number];

/** Which roles `actor` may give someone who is now `target`; empty when they may not change it. */
function assignableRoles(actor: TeamRole, target: TeamRole): TeamRole[] {
  if (actor === "owner") return ["owner", "admin", "member"];
  // Admins act on members only: demoting an admin is for owners.
  if (actor === "admin" && target === "member") return ["admin", "member"];
  return [];
}

function mayRemove(actor: TeamRole, target: TeamRole): boolean {
  return actor === "owner" || (actor === "admin" && target === "member");
}

export function MembersSection({
  team,
  currentUserId,
  initialMembers,
}: {
  team: Team;
  currentUserId: string;
  initialMembers: Member[];
}) {
  const members = api.team.members.useQuery({ teamSlug: team.slug }, { initialData: initialMembers });
  const [removing, setRemoving] = useState<Member | null>(null);
  const list = members.data ?? [];

  return (
    <Section
      id="members"
      title="Members"
      description={`${list.length} ${list.length === 1 ? "person" : "people"}`}
    >
      {members.error && !members.data ? (
        <QueryError
          error={members.error}
          title="Couldn't load the members"
          onRetry={() => members.refetch()}
        />
      ) : (
        <ul className="divide-y rounded-xl border bg-card" aria-label="Members">
          {list.map((member) => (
            <MemberRow
              key={member.userId}
              team={team}
              member={member}
              isYou={member.userId === currentUserId}
              onRemove={() => setRemoving(member)}
            />
          ))}
        </ul>
      )}
      {removing ? (
        <RemoveMemberDialog team={team} member={removing} onClose={() => setRemoving(null)} />
      ) : null}
    </Section>
  );
}

function MemberRow({
  team,
  member,
  isYou,
  onRemove,
}: {
  team: Team;
  member: Member;
  isYou: boolean;
  onRemove: () => void;
}) {
  const utils = api.useUtils();
  const changeRole = api.team.changeRole.useMutation({
    onSuccess: async (result) => {
      await utils.team.members.invalidate({ teamSlug: team.slug });
      toast.success(`${member.name} is now ${ROLE_WITH_ARTICLE[result.role]}`);
    },
    onError: (error) => toast.error(describeError(error).message),
  });
  const roles = isYou || !canManage(team.role) ? [] : assignableRoles(team.role, member.role);
  const removable = !isYou && mayRemove(team.role, member.role);

  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3">
      <InitialsAvatar name={member.name} id={member.userId} className="size-9" />
      <div className="grid min-w-0 flex-1 basis-40 gap-0.5">
        <p className="truncate text-sm font-medium">
          <bdi>{member.name}</bdi>
          {isYou ? <span className="font-normal text-muted-foreground"> (you)</span> : null}
        </p>
        {member.email ? <p className="truncate text-[13px] text-muted-foreground">{member.email}</p> : null}
      </div>
      <div className="ml-auto flex items-center gap-1">
        {roles.length > 0 ? (
          <Select
            value={member.role}
            disabled={changeRole.isPending}
            onValueChange={(role) =>
              changeRole.mutate({ teamSlug: team.slug, userId: member.userId, role: role as TeamRole })
            }
          >
            <SelectTrigger size="sm" className="w-[7.5rem]" aria-label={`Role of ${member.name}`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent align="end">
              {roles.map((role) => (
                <SelectItem key={role} value={role} title={ROLE_DESCRIPTIONS[role]}>
                  {ROLE_LABELS[role]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        ) : (
          <Badge variant={member.role === "member" ? "secondary" : "outline"}>
            {ROLE_LABELS[member.role]}
          </Badge>
        )}
        {removable ? (
          <Button
            variant="ghost"
            size="icon-sm"
            onClick={onRemove}
            aria-label={`Remove ${member.name} from the team`}
            title="Remove from team"
            className="text-muted-foreground hover:text-destructive"
          >
            <UserMinusIcon aria-hidden="true" />
          </Button>
        ) : null}
      </div>
    </li>
  );
}

function RemoveMemberDialog({ team, member, onClose }: { team: Team; member: Member; onClose: () => void }) {
  const utils = api.useUtils();
  const remove = api.team.removeMember.useMutation({
    onSuccess: async () => {
      await utils.team.members.invalidate({ teamSlug: team.slug });
      onClose();
      toast.success(`${member.name} was removed from ${team.name}`);
    },
  });
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => (open ? undefined : onClose())}
      title={`Remove ${member.name}?`}
      description={`They'll lose access to ${team.name} and its rooms. You can invite them again later.`}
      confirmLabel="Remove"
      pendingLabel="Removing…"
      pending={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate({ teamSlug: team.slug, userId: member.userId })}
    />
  );
}
