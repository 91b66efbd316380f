"use client";

import { Button } from "@parlor/ui/button";
import { UserPlusIcon } from "lucide-react";

import { CopyButton } from "@/components/copy-button";
import { api } from "@/trpc/react";
import { OnDemandTrigger } from "./on-demand-ui";

/**
 * Inviting from the call, where people look first: the room's link (for the team's members), and
 * a guest link for those allowed to make one (moderators; members when the team lets them). An
 * encrypted room takes no guests.
 */
export function CallInvite({
  teamSlug,
  roomSlug,
  roomTitle,
  moderator,
  encrypted,
}: {
  teamSlug: string;
  roomSlug: string;
  roomTitle: string;
  moderator: boolean;
  encrypted: boolean;
}) {
  const policy = api.team.guestLinkPolicy.useQuery(
    { teamSlug },
    { enabled: !moderator && !encrypted, staleTime: 60_000, retry: false },
  );
  const canInviteGuests = !encrypted && (moderator || (policy.data?.membersCreateGuestLinks ?? false));
  const path = `/t/${encodeURIComponent(teamSlug)}/${encodeURIComponent(roomSlug)}`;
  return (
    <section aria-label="Invite people" className="grid gap-1.5 px-1" data-testid="call-invite">
      <div className="flex flex-wrap gap-2">
        <CopyButton value={path} label="Copy link" copiedMessage="Room link copied" />
        {canInviteGuests ? (
          <OnDemandTrigger
            button={
              <Button size="sm" variant="outline">
                <UserPlusIcon aria-hidden="true" />
                Guest link
              </Button>
            }
            popup="dialog"
            render={(ui, opened) => (
              <ui.GuestLinksDialog
                teamSlug={teamSlug}
                roomSlug={roomSlug}
                roomName={roomTitle}
                triggerLabel="Guest link"
                triggerVariant="outline"
                defaultOpen={opened}
              />
            )}
          />
        ) : null}
      </div>
      <p className="text-xs text-muted-foreground">
        The room&apos;s link lets the team&apos;s members in
        {canInviteGuests ? "; a guest link lets in people without an account." : "."}
      </p>
    </section>
  );
}
