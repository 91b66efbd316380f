"use client";

import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import type { Participant } from "livekit-client";
import {
  EllipsisVerticalIcon,
  HandIcon,
  MicOffIcon,
  PhoneOffIcon,
  UserXIcon,
  VideoOffIcon,
} from "lucide-react";
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";
import { OnDemand, OnDemandTrigger } from "./on-demand-ui";

/** The room being moderated; present only for those allowed (team owners and admins, site admins). */
const ModerationContext = createContext<{
  teamSlug: string;
  roomSlug: string;
  /** Told when this person starts ending the meeting (true), and when that failed (false). */
  onEnding?: (ending: boolean) => void;
} | null>(null);

export function ModerationProvider({
  teamSlug,
  roomSlug,
  allowed,
  onEnding,
  children,
}: {
  teamSlug: string;
  roomSlug: string;
  allowed: boolean;
  onEnding?: (ending: boolean) => void;
  children: ReactNode;
}) {
  const value = useMemo(
    () => (allowed ? { teamSlug, roomSlug, onEnding } : null),
    [allowed, teamSlug, roomSlug, onEnding],
  );
  return <ModerationContext.Provider value={value}>{children}</ModerationContext.Provider>;
}

export const useCanModerate = () => useContext(ModerationContext) !== null;

const failed = (what: string) => (error: Parameters<typeof describeError>[0]) =>
  toast.error(`${what}: ${describeError(error).message}`);

/** Mute, turn off the camera of, or remove one other participant; nothing for those not allowed. */
export function ParticipantModerationMenu({ participant, name }: { participant: Participant; name: string }) {
  const room = useContext(ModerationContext);
  if (!room || participant.isLocal) return null;
  return <ModerationMenu room={room} participant={participant} name={name} />;
}

function ModerationMenu({
  room,
  participant,
  name,
}: {
  room: { teamSlug: string; roomSlug: string };
  participant: Participant;
  name: string;
}) {
  const [confirmRemove, setConfirmRemove] = useState(false);
  const mute = api.room.muteParticipant.useMutation({
    onSuccess: (result, input) =>
      toast.success(
        result.muted === 0
          ? `${name}'s ${input.kind === "audio" ? "microphone" : "camera"} was already off`
          : input.kind === "audio"
            ? `Muted ${name}`
            : `Turned off ${name}'s camera`,
      ),
    onError: failed(`Could not do that for ${name}`),
  });
  const remove = api.room.removeParticipant.useMutation({
    onSuccess: () => {
      setConfirmRemove(false);
      toast.success(`${name} was removed from the room`);
    },
  });
  const target = { teamSlug: room.teamSlug, roomSlug: room.roomSlug, identity: participant.identity };

  return (
    <>
      <OnDemandTrigger
        button={
          <Button variant="ghost" size="icon-sm" aria-label={`Moderate ${name}`}>
            <EllipsisVerticalIcon aria-hidden="true" />
          </Button>
        }
        popup="menu"
        render={(ui, opened) => (
          <ui.Menu
            defaultOpen={opened}
            align="end"
            trigger={
              <Button variant="ghost" size="icon-sm" aria-label={`Moderate ${name}`}>
                <EllipsisVerticalIcon aria-hidden="true" />
              </Button>
            }
          >
            <ui.MenuItem onSelect={() => mute.mutate({ ...target, kind: "audio" })}>
              <MicOffIcon aria-hidden="true" />
              Mute microphone
            </ui.MenuItem>
            <ui.MenuItem onSelect={() => mute.mutate({ ...target, kind: "video" })}>
              <VideoOffIcon aria-hidden="true" />
              Turn off camera
            </ui.MenuItem>
            <ui.MenuSeparator />
            <ui.MenuItem variant="destructive" onSelect={() => setConfirmRemove(true)}>
              <UserXIcon aria-hidden="true" />
              Remove from room
            </ui.MenuItem>
          </ui.Menu>
        )}
      />
      <OnDemand when={confirmRemove}>
        {(ui) => (
          <ui.ConfirmDialog
            open={confirmRemove}
            onOpenChange={setConfirmRemove}
            title={`Remove ${name}?`}
            description="They are disconnected at once and cannot rejoin this room for 5 minutes."
            confirmLabel="Remove"
            pendingLabel="Removing…"
            pending={remove.isPending}
            error={remove.error}
            onConfirm={() => remove.mutate(target)}
          />
        )}
      </OnDemand>
    </>
  );
}

/** Lowers someone's raised hand; for moderators only (everyone lowers their own from the bar). */
export function useLowerHand() {
  const room = useContext(ModerationContext);
  const lower = api.room.lowerHand.useMutation({ onError: failed("Could not lower that hand") });
  return room
    ? (identity: string) => lower.mutate({ teamSlug: room.teamSlug, roomSlug: room.roomSlug, identity })
    : null;
}

export function LowerHandButton({ identity, name }: { identity: string; name: string }) {
  const lower = useLowerHand();
  if (!lower) return null;
  return (
    // Short on screen (the row already shows the name), so it fits a phone's list; the name is in
    // its accessible name. It never grows past the row's text column.
    <Button
      variant="ghost"
      size="sm"
      className="h-7 max-w-full justify-self-start px-2 text-xs"
      aria-label={`Lower ${name}'s hand`}
      onClick={() => lower(identity)}
    >
      <HandIcon aria-hidden="true" />
      <span className="truncate">Lower hand</span>
    </Button>
  );
}

/** Ends the meeting for everyone (the room itself stays). Renders nothing for those not allowed. */
export function EndMeetingButton({ participantCount }: { participantCount: number }) {
  const room = useContext(ModerationContext);
  return room ? <EndMeeting room={room} participantCount={participantCount} /> : null;
}

function EndMeeting({
  room,
  participantCount,
}: {
  room: { teamSlug: string; roomSlug: string; onEnding?: (ending: boolean) => void };
  participantCount: number;
}) {
  const [confirm, setConfirm] = useState(false);
  const end = api.room.end.useMutation({
    onSuccess: () => setConfirm(false),
    onError: () => room.onEnding?.(false),
  });
  return (
    <>
      <Button
        variant="outline"
        size="sm"
        className="w-full text-destructive"
        onClick={() => setConfirm(true)}
      >
        <PhoneOffIcon aria-hidden="true" />
        End meeting for everyone
      </Button>
      <OnDemand when={confirm}>
        {(ui) => (
          <ui.ConfirmDialog
            open={confirm}
            onOpenChange={setConfirm}
            title="End the meeting for everyone?"
            description={`All ${participantCount} people in the call, you included, are disconnected. The room stays, and anyone can start a new meeting in it.`}
            confirmLabel="End meeting"
            pendingLabel="Ending…"
            pending={end.isPending}
            error={end.error}
            onConfirm={() => {
              room.onEnding?.(true);
              end.mutate({ teamSlug: room.teamSlug, roomSlug: room.roomSlug });
            }}
          />
        )}
      </OnDemand>
    </>
  );
}
