"use client";

import { InitialsAvatar } from "@parlor/ui/avatar";
import { cn } from "@parlor/ui/lib/utils";
import { useParticipants } from "@livekit/components-react";
import type { Participant } from "livekit-client";
import { HandIcon, MicIcon, MicOffIcon, MonitorUpIcon, VideoOffIcon } from "lucide-react";

import { AccountName } from "@/components/account-name";

import { ConnectionQualityBars } from "./connection-quality";
import { useHandQueue } from "./hands";
import { EndMeetingButton, LowerHandButton, ParticipantModerationMenu } from "./moderation";
import { useParticipantState } from "./use-participant-state";

/**
 * Everyone in the call: raised hands first, in the order they went up; then you, then by name;
 * who speaks, who is muted, how their connection is.
 */
export function ParticipantList({
  className,
  lobby,
  invite,
}: {
  className?: string;
  lobby?: React.ReactNode;
  /** Copy link and guest link, at the top where people look for them. */
  invite?: React.ReactNode;
}) {
  const participants = useParticipants();
  const hands = useHandQueue();
  const sorted = [...participants].sort((a, b) => {
    const handA = hands.order(a.identity) || Infinity;
    const handB = hands.order(b.identity) || Infinity;
    if (handA !== handB) return handA - handB;
    if (a.isLocal !== b.isLocal) return a.isLocal ? -1 : 1;
    return (a.name || a.identity).localeCompare(b.name || b.identity);
  });
  return (
    <div className={cn("grid gap-3", className)}>
      {invite}
      {lobby}
      <ul
        className="grid gap-1"
        aria-label={`${participants.length} in the call`}
        data-testid="participant-list"
      >
        {sorted.map((participant) => (
          <ParticipantRow
            key={participant.identity}
            participant={participant}
            handOrder={hands.order(participant.identity)}
          />
        ))}
      </ul>
      <EndMeetingButton participantCount={participants.length} />
    </div>
  );
}

export function ParticipantRow({
  participant,
  handOrder = 0,
}: {
  participant: Participant;
  handOrder?: number;
}) {
  const state = useParticipantState(participant);
  const status = [
    handOrder ? `hand raised, ${ordinal(handOrder)} in line` : null,
    state.isSpeaking ? "speaking" : null,
    state.micMuted ? "microphone off" : "microphone on",
    state.cameraOff ? "camera off" : null,
    state.screenSharing ? "sharing their screen" : null,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <li
      className="flex items-center gap-3 rounded-lg px-2 py-2 hover:bg-accent/60"
      data-identity={participant.identity}
      data-speaking={state.isSpeaking}
      data-muted={state.micMuted}
    >
      <span
        className={cn(
          "rounded-full ring-2 ring-transparent transition-shadow",
          state.isSpeaking && "ring-emerald-500",
        )}
      >
        <InitialsAvatar name={state.name} id={participant.identity} className="size-8" title="" />
      </span>
      <span className="grid min-w-0 flex-1 grid-cols-[minmax(0,1fr)]">
        <span className="truncate text-sm font-medium">
          {state.name}
          <AccountName chosen={state.name} account={state.accountName} />
          {state.isGuest ? <span className="font-normal text-muted-foreground"> (guest)</span> : null}
          {state.isLocal ? <span className="font-normal text-muted-foreground"> (you)</span> : null}
        </span>
        <span className="sr-only">{status}</span>
        {state.isSpeaking ? (
          <span className="text-xs text-emerald-600 dark:text-emerald-400" aria-hidden="true">
            Speaking
          </span>
        ) : null}
        {handOrder && !state.isLocal ? (
          <LowerHandButton identity={participant.identity} name={state.name} />
        ) : null}
      </span>
      {handOrder ? (
        <span
          className="flex shrink-0 items-center gap-0.5 rounded-full bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-400/20 dark:text-amber-200"
          aria-hidden="true"
          data-testid="hand-raised"
        >
          <HandIcon className="size-3.5" />
          {handOrder}
        </span>
      ) : null}
      <span className="flex shrink-0 items-center gap-2 text-muted-foreground" aria-hidden="true">
        {state.screenSharing ? <MonitorUpIcon className="size-4" /> : null}
        {state.cameraOff ? <VideoOffIcon className="size-4" /> : null}
        {state.micMuted ? (
          <MicOffIcon className="size-4 text-red-500" data-testid="muted-icon" />
        ) : (
          <MicIcon className={cn("size-4", state.isSpeaking && "text-emerald-500")} />
        )}
      </span>
      <ConnectionQualityBars quality={state.quality} className="shrink-0 text-muted-foreground" />
      <ParticipantModerationMenu participant={participant} name={state.name} />
    </li>
  );
}

const ordinal = (n: number) => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
};
