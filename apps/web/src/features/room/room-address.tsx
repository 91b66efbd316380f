"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { ArrowLeftIcon, PlusIcon, SearchXIcon } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";

import { FormAlert } from "@/components/form-alert";
import { api } from "@/trpc/react";

const teamPath = (teamSlug: string) => `/t/${encodeURIComponent(teamSlug)}`;

function AddressCard({ children, testId }: { children: React.ReactNode; testId: string }) {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">
      <Card className="w-full max-w-lg min-w-0 gap-5 p-6" data-testid={testId}>
        <div className="flex items-start gap-3">
          <span className="mt-0.5 flex size-9 shrink-0 items-center justify-center rounded-full bg-muted text-muted-foreground">
            <SearchXIcon className="size-5" aria-hidden="true" />
          </span>
          <div className="grid min-w-0 gap-1.5">{children}</div>
        </div>
      </Card>
    </div>
  );
}

/**
 * An address in the team that names no room: nothing is created by visiting it (a typo leaves
 * nothing behind). One click creates it and carries on to the pre-join.
 */
export function RoomNotFound({
  teamSlug,
  teamName,
  roomSlug,
  suggestedName,
}: {
  teamSlug: string;
  teamName: string;
  roomSlug: string;
  /** The name a room created here gets ("design-review" → "Design review"). */
  suggestedName: string;
}) {
  const router = useRouter();
  const create = api.room.ensure.useMutation({ onSuccess: () => router.refresh() });
  const busy = create.isPending || create.isSuccess;
  return (
    <AddressCard testId="room-not-found">
      <p className="truncate text-xs font-medium text-muted-foreground">
        <bdi>{teamName}</bdi>
      </p>
      <h1 className="text-lg font-semibold break-words">
        No room called “<bdi>{suggestedName}</bdi>” yet
      </h1>
      <p className="text-sm text-muted-foreground">
        Nothing is at{" "}
        <bdi dir="ltr" className="font-mono text-xs break-all">
          /t/{teamSlug}/{roomSlug}
        </bdi>
        . If you meant to start a new room, create it; if the address has a typo, go back to the team&apos;s
        rooms.
      </p>
      <FormAlert error={create.isPending ? null : create.error} />
      <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row">
        <Button asChild variant="outline">
          <Link href={teamPath(teamSlug)}>
            <ArrowLeftIcon aria-hidden="true" />
            <span className="truncate">
              Back to <bdi>{teamName}</bdi>
            </span>
          </Link>
        </Button>
        <Button
          onClick={() => create.mutate({ teamSlug, roomSlug, create: true })}
          pending={busy}
          data-testid="create-room-here"
        >
          {busy ? null : <PlusIcon aria-hidden="true" />}
          {busy ? "Creating…" : "Create it"}
        </Button>
      </div>
    </AddressCard>
  );
}

/** An address that cannot name a room at all (only dashes and symbols, say): what is wrong, and the way back. */
export function MalformedRoomAddress({
  teamSlug,
  teamName,
  address,
}: {
  teamSlug: string;
  teamName: string;
  address: string;
}) {
  return (
    <AddressCard testId="room-address-malformed">
      <h1 className="text-lg font-semibold break-words">
        “<bdi>{address}</bdi>” can&apos;t be a room&apos;s address
      </h1>
      <p className="text-sm text-muted-foreground">
        A room&apos;s address is made of letters and numbers (any script) joined by dashes, like{" "}
        <span className="font-mono text-xs">/t/{teamSlug}/daily-standup</span>. Check the link, or pick a room
        on the team&apos;s page.
      </p>
      <div className="mt-2">
        <Button asChild>
          <Link href={teamPath(teamSlug)}>
            <ArrowLeftIcon aria-hidden="true" />
            <span className="truncate">
              Rooms of <bdi>{teamName}</bdi>
            </span>
          </Link>
        </Button>
      </div>
    </AddressCard>
  );
}
