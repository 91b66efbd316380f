"use client";

import { InitialsAvatar } from "@parlor/ui/avatar";
import { cn } from "@parlor/ui/lib/utils";
import {
  isTrackReference,
  useEnsureTrackRef,
  useMaybeLayoutContext,
  VideoTrack,
  type TrackReferenceOrPlaceholder,
} from "@livekit/components-react";
import { Track } from "livekit-client";
import { HandIcon, MicOffIcon, MonitorUpIcon, PinIcon, PinOffIcon } from "lucide-react";

import { TileDecryptNotice } from "../e2ee/in-call";
import { ConnectionQualityBars } from "./connection-quality";
import { useHandQueue } from "./hands";
import { TileReactions } from "./reactions";
import { useParticipantState } from "./use-participant-state";

export function sameTrackRef(
  a: TrackReferenceOrPlaceholder | undefined,
  b: TrackReferenceOrPlaceholder | undefined,
) {
  if (!a || !b) return false;
  return a.participant.identity === b.participant.identity && a.source === b.source;
}

/** One person's camera or screen share, with their name, microphone state, connection and a pin button. */
export function ParticipantTile({
  trackRef: given,
  className,
}: {
  trackRef?: TrackReferenceOrPlaceholder;
  className?: string;
}) {
  const trackRef = useEnsureTrackRef(given);
  const participant = trackRef.participant;
  const state = useParticipantState(participant);
  const layout = useMaybeLayoutContext();
  const pinned = (layout?.pin.state ?? []).some((ref) => sameTrackRef(ref, trackRef));
  const isScreen = trackRef.source === Track.Source.ScreenShare;
  const handOrder = useHandQueue().order(participant.identity);
  const showVideo =
    isTrackReference(trackRef) && !trackRef.publication.isMuted && (isScreen || !state.cameraOff);
  const who = state.isLocal ? "yourself" : state.name;
  const label = isScreen
    ? `${state.isLocal ? "Your" : `${state.name}'s`} screen`
    : `${state.name}${state.isGuest ? " (guest)" : ""}${state.isLocal ? " (you)" : ""}`;

  const togglePin = () => {
    if (!layout?.pin.dispatch) return;
    if (pinned) layout.pin.dispatch({ msg: "clear_pin" });
    else layout.pin.dispatch({ msg: "set_pin", trackReference: trackRef });
  };

  return (
    <div
      className={cn(
        "group relative isolate size-full min-h-0 overflow-hidden rounded-xl bg-zinc-800 text-zinc-50 ring-2 ring-transparent transition-shadow",
        state.isSpeaking && !isScreen && "ring-emerald-500",
        className,
      )}
      data-identity={participant.identity}
      data-source={trackRef.source}
      data-speaking={state.isSpeaking}
      aria-label={label}
      role="group"
    >
      {showVideo && isTrackReference(trackRef) ? (
        <VideoTrack
          trackRef={trackRef}
          className={cn(
            "absolute inset-0 size-full",
            isScreen ? "bg-black object-contain" : "object-cover",
            state.isLocal && !isScreen && "-scale-x-100",
          )}
        />
      ) : (
        <div className="absolute inset-0 flex items-center justify-center">
          <InitialsAvatar
            name={state.name}
            id={participant.identity}
            className="aspect-square size-auto h-[38%] max-h-24 min-h-10 text-[clamp(0.9rem,3vw,2rem)]"
            title=""
          />
        </div>
      )}
      {state.isLocal ? null : <TileDecryptNotice identity={participant.identity} />}
      {handOrder && !isScreen ? (
        <span
          className="absolute top-2 left-2 flex items-center gap-1 rounded-md bg-amber-400 px-2 py-1 text-xs font-semibold text-amber-950"
          role="img"
          aria-label={`Hand raised, ${handOrder === 1 ? "first" : `number ${handOrder}`} in line`}
          data-testid="tile-hand"
        >
          <HandIcon className="size-3.5" aria-hidden="true" />
          {handOrder}
        </span>
      ) : null}
      {!isScreen ? <TileReactions identity={participant.identity} /> : null}
      <div className="absolute inset-x-2 bottom-2 flex items-center gap-2">
        <span className="flex min-w-0 items-center gap-1.5 rounded-md bg-black/60 px-2 py-1 text-xs font-medium backdrop-blur">
          {isScreen ? <MonitorUpIcon className="size-3.5 shrink-0" aria-hidden="true" /> : null}
          {!isScreen && state.micMuted ? (
            <MicOffIcon className="size-3.5 shrink-0 text-red-400" aria-label="Microphone off" role="img" />
          ) : null}
          <span className="truncate">{label}</span>
        </span>
        <ConnectionQualityBars
          quality={state.quality}
          className="ml-auto rounded bg-black/60 px-1 py-0.5 text-white"
        />
      </div>
      {layout?.pin.dispatch ? (
        <button
          type="button"
          onClick={togglePin}
          aria-pressed={pinned}
          aria-label={pinned ? `Unpin ${isScreen ? label : who}` : `Pin ${isScreen ? label : who}`}
          title={pinned ? "Unpin" : "Pin"}
          className="absolute top-2 right-2 flex size-8 items-center justify-center rounded-md bg-black/60 text-white opacity-0 backdrop-blur transition-opacity outline-none group-hover:opacity-100 hover:bg-black/80 focus-visible:opacity-100 focus-visible:ring-2 focus-visible:ring-white aria-pressed:opacity-100 [@media(hover:none)]:opacity-100"
        >
          {pinned ? (
            <PinOffIcon className="size-4" aria-hidden="true" />
          ) : (
            <PinIcon className="size-4" aria-hidden="true" />
          )}
        </button>
      ) : null}
    </div>
  );
}
