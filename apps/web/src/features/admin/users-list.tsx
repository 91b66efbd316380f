"use client";

import type { RouterOutputs } from "@parlor/api";
import { InitialsAvatar } from "@parlor/ui/avatar";
import { Badge } from "@parlor/ui/badge";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@parlor/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@parlor/ui/dropdown-menu";
import { Input } from "@parlor/ui/input";
import { Skeleton } from "@parlor/ui/skeleton";
import { toast } from "@parlor/ui/toaster";
import {
  KeyRoundIcon,
  MoreHorizontalIcon,
  SearchIcon,
  ShieldIcon,
  ShieldOffIcon,
  UserCheckIcon,
  UserXIcon,
} from "lucide-react";
import Link from "next/link";
import { useDeferredValue, useState } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyButton } from "@/components/copy-button";
import { LocalDate } from "@/components/local-date";
import { EmptyState } from "@/components/page";
import { QueryError } from "@/components/query-error";
import { ROLE_LABELS } from "@/features/teams/labels";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { SearchBox } from "./search-box";

type User = RouterOutputs["admin"]["users"]["users"][number];
type Action = { kind: "grant" | "revoke" | "disable" | "enable"; user: User };

const PAGE_SIZE = 50;

export function UsersList({ currentUserId, emailEnabled }: { currentUserId: string; emailEnabled: boolean }) {
  const [query, setQuery] = useState("");
  const [page, setPage] = useState(0);
  const deferredQuery = useDeferredValue(query);
  const users = api.admin.users.useQuery(
    { query: deferredQuery, limit: PAGE_SIZE, offset: page * PAGE_SIZE },
    { placeholderData: (previous) => previous },
  );
  const [action, setAction] = useState<Action | null>(null);
  const [resetLink, setResetLink] = useState<{ user: User; url: string; expiresAt: Date } | null>(null);

  const total = users.data?.total ?? 0;
  const list = users.data?.users ?? [];
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <div className="grid gap-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <SearchBox
          value={query}
          onChange={(value) => {
            setQuery(value);
            setPage(0);
          }}
          label="Search users"
          placeholder="Search by name or email"
        />
        {users.data ? (
          <span className="text-sm text-muted-foreground">
            {total} {total === 1 ? "account" : "accounts"}
            {deferredQuery.trim() ? ` matching “${deferredQuery.trim()}”` : ""}
          </span>
        ) : null}
      </div>
      {!emailEnabled ? (
        <p className="rounded-lg bg-muted px-4 py-3 text-sm text-muted-foreground">
          This instance sends no email (no SMTP_URL), so people who forget their password come to you: use{" "}
          <strong className="font-medium text-foreground">Make password reset link</strong> in their row’s
          menu and hand them the link.
        </p>
      ) : null}

      {users.isPending ? (
        <div className="grid gap-2">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-16 rounded-xl" />
          ))}
        </div>
      ) : null}

      {users.error && !users.data ? (
        <QueryError
          error={users.error}
          title="Couldn't load the users"
          onRetry={() => users.refetch()}
          retrying={users.isFetching}
        />
      ) : null}

      {users.data && list.length === 0 ? (
        <EmptyState
          icon={<SearchIcon />}
          title="Nobody matches"
          action={
            <Button variant="outline" onClick={() => setQuery("")}>
              Clear search
            </Button>
          }
        >
          No account has a name or email containing “{deferredQuery}”.
        </EmptyState>
      ) : null}

      {list.length > 0 ? (
        <div className="overflow-x-auto rounded-xl border bg-card">
          <table className="w-full min-w-[720px] text-sm">
            <thead className="border-b text-left text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Person
                </th>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Teams
                </th>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Last sign-in
                </th>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Status
                </th>
                <th scope="col" className="px-4 py-2.5">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {list.map((user) => (
                <UserRow
                  key={user.id}
                  user={user}
                  isMe={user.id === currentUserId}
                  onAction={setAction}
                  onResetLink={(link) => setResetLink({ user, ...link })}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {pages > 1 ? (
        <div className="flex items-center justify-end gap-2 text-sm text-muted-foreground">
          <span>
            Page {page + 1} of {pages}
          </span>
          <Button variant="outline" size="sm" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </Button>
          <Button variant="outline" size="sm" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            Next
          </Button>
        </div>
      ) : null}

      <UserActionDialog action={action} onDone={() => setAction(null)} />
      <ResetLinkDialog link={resetLink} onClose={() => setResetLink(null)} />
    </div>
  );
}

function UserRow({
  user,
  isMe,
  onAction,
  onResetLink,
}: {
  user: User;
  isMe: boolean;
  onAction: (action: Action) => void;
  onResetLink: (link: { url: string; expiresAt: Date }) => void;
}) {
  const makeLink = api.admin.createPasswordResetLink.useMutation({
    onSuccess: onResetLink,
    onError: (error) => toast.error(describeError(error).message),
  });
  const shownTeams = user.teams.slice(0, 3);
  return (
    <tr className={user.disabled ? "bg-muted/40" : undefined}>
      <td className="px-4 py-3">
        <div className="flex items-center gap-3">
          <InitialsAvatar name={user.name} id={user.id} className="size-8" />
          <div className="grid min-w-0">
            <span className="truncate font-medium">
              {user.name}
              {isMe ? <span className="ml-1.5 text-xs font-normal text-muted-foreground">(you)</span> : null}
            </span>
            <span className="truncate text-xs text-muted-foreground">{user.email}</span>
          </div>
        </div>
      </td>
      <td className="px-4 py-3">
        {user.teams.length === 0 ? (
          <span className="text-xs text-muted-foreground">No team</span>
        ) : (
          <ul className="flex flex-wrap gap-1" aria-label={`Teams of ${user.name}`}>
            {shownTeams.map((team) => (
              <li key={team.slug}>
                <Badge variant="outline" className="font-normal" title={ROLE_LABELS[team.role]}>
                  <Link href={`/t/${encodeURIComponent(team.slug)}`} className="hover:underline">
                    {team.name}
                  </Link>
                  {team.role === "member" ? null : (
                    <span className="text-muted-foreground">· {ROLE_LABELS[team.role]}</span>
                  )}
                </Badge>
              </li>
            ))}
            {user.teams.length > shownTeams.length ? (
              <li>
                <Badge variant="secondary" className="font-normal">
                  +{user.teams.length - shownTeams.length}
                </Badge>
              </li>
            ) : null}
          </ul>
        )}
      </td>
      <td className="px-4 py-3 text-muted-foreground">
        {user.lastSignInAt ? <LocalDate value={user.lastSignInAt} relative /> : "Never"}
      </td>
      <td className="px-4 py-3">
        <div className="flex flex-wrap gap-1">
          {user.isAdmin ? (
            <Badge title={user.adminByConfig ? "Named in ADMIN_EMAILS" : undefined}>
              <ShieldIcon aria-hidden="true" />
              Site admin{user.adminByConfig ? " (config)" : ""}
            </Badge>
          ) : null}
          {user.disabled ? <Badge variant="destructive">Disabled</Badge> : null}
          {!user.isAdmin && !user.disabled ? (
            <span className="text-xs text-muted-foreground">Active</span>
          ) : null}
        </div>
      </td>
      <td className="px-2 py-3 text-right">
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button
              variant="ghost"
              size="icon-sm"
              aria-label={`Actions for ${user.name}`}
              pending={makeLink.isPending}
            >
              <MoreHorizontalIcon aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="w-60">
            {user.isAdmin ? (
              <DropdownMenuItem
                disabled={user.adminByConfig}
                onSelect={() => onAction({ kind: "revoke", user })}
              >
                <ShieldOffIcon aria-hidden="true" />
                Revoke site admin
              </DropdownMenuItem>
            ) : (
              <DropdownMenuItem disabled={user.disabled} onSelect={() => onAction({ kind: "grant", user })}>
                <ShieldIcon aria-hidden="true" />
                Make site admin
              </DropdownMenuItem>
            )}
            <DropdownMenuItem disabled={user.disabled} onSelect={() => makeLink.mutate({ userId: user.id })}>
              <KeyRoundIcon aria-hidden="true" />
              Make password reset link
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            {user.disabled ? (
              <DropdownMenuItem onSelect={() => onAction({ kind: "enable", user })}>
                <UserCheckIcon aria-hidden="true" />
                Enable account
              </DropdownMenuItem>
            ) : (
              <DropdownMenuItem
                variant="destructive"
                disabled={isMe}
                onSelect={() => onAction({ kind: "disable", user })}
              >
                <UserXIcon aria-hidden="true" />
                Disable account
              </DropdownMenuItem>
            )}
          </DropdownMenuContent>
        </DropdownMenu>
      </td>
    </tr>
  );
}

const ACTION_TEXT = {
  grant: {
    title: (u: User) => `Make ${u.name} a site admin?`,
    description: "They can see every active room, manage every account and delete any team on this instance.",
    confirm: "Make site admin",
    pending: "Saving…",
    done: (u: User) => `${u.name} is now a site admin`,
    destructive: false,
  },
  revoke: {
    title: (u: User) => `Revoke ${u.name}'s site admin rights?`,
    description: "They keep their account and teams, but lose access to site administration.",
    confirm: "Revoke",
    pending: "Revoking…",
    done: (u: User) => `${u.name} is no longer a site admin`,
    destructive: true,
  },
  disable: {
    title: (u: User) => `Disable ${u.name}'s account?`,
    description:
      "They are signed out everywhere at once, removed from any call they are in, and cannot sign in until you enable the account again. Their teams and history stay.",
    confirm: "Disable account",
    pending: "Disabling…",
    done: (u: User) => `${u.name}'s account is disabled`,
    destructive: true,
  },
  enable: {
    title: (u: User) => `Enable ${u.name}'s account?`,
    description: "They can sign in again with their password.",
    confirm: "Enable account",
    pending: "Enabling…",
    done: (u: User) => `${u.name}'s account is enabled`,
    destructive: false,
  },
};

function UserActionDialog({ action, onDone }: { action: Action | null; onDone: () => void }) {
  const utils = api.useUtils();
  const [shown, setShown] = useState(action);
  if (action && action !== shown) setShown(action);
  const onSuccess = () => {
    if (shown) toast.success(ACTION_TEXT[shown.kind].done(shown.user));
    onDone();
    void utils.admin.users.invalidate();
  };
  const setAdmin = api.admin.setSiteAdmin.useMutation({ onSuccess });
  const setDisabled = api.admin.setDisabled.useMutation({
    onSuccess,
    // Disabled and signed out, but LiveKit could not be asked: the list shows it disabled.
    onError: () => void utils.admin.users.invalidate(),
  });
  const mutation = shown?.kind === "grant" || shown?.kind === "revoke" ? setAdmin : setDisabled;
  const text = shown ? ACTION_TEXT[shown.kind] : ACTION_TEXT.grant;

  return (
    <ConfirmDialog
      open={action !== null}
      onOpenChange={(open) => {
        if (!open) {
          setAdmin.reset();
          setDisabled.reset();
          onDone();
        }
      }}
      title={shown ? text.title(shown.user) : ""}
      description={text.description}
      confirmLabel={text.confirm}
      pendingLabel={text.pending}
      destructive={text.destructive}
      pending={mutation.isPending}
      error={mutation.error}
      onConfirm={() => {
        if (!shown) return;
        const userId = shown.user.id;
        if (shown.kind === "grant" || shown.kind === "revoke")
          setAdmin.mutate({ userId, isAdmin: shown.kind === "grant" });
        else setDisabled.mutate({ userId, disabled: shown.kind === "disable" });
      }}
    />
  );
}

function ResetLinkDialog({
  link,
  onClose,
}: {
  link: { user: User; url: string; expiresAt: Date } | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={link !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Password reset link for {link?.user.name}</DialogTitle>
          <DialogDescription>
            Give it to {link?.user.name} yourself ({link?.user.email}). It works once, until{" "}
            {link ? <LocalDate value={link.expiresAt} /> : null}; using it signs them out everywhere. Parlor
            keeps only a fingerprint of it and can’t show it again.
          </DialogDescription>
        </DialogHeader>
        {link ? (
          <div className="flex gap-2">
            <Input
              readOnly
              value={link.url}
              aria-label="Password reset link"
              className="font-mono text-xs md:text-xs"
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton value={link.url} label="Copy" variant="default" copiedMessage="Reset link copied" />
          </div>
        ) : null}
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            Done
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
