"use client";

import { GUEST_ATTRIBUTE, HAND_ATTRIBUTE } from "@parlor/api/schemas/call";
import { ConnectionQuality, ParticipantEvent, Track, type Participant } from "livekit-client";
import { useCallback, useRef, useSyncExternalStore } from "react";

export interface ParticipantSnapshot {
  name: string;
  /** The account behind the chosen name, as Parlor's server put it in the join token. */
  accountName: string | null;
  isLocal: boolean;
  isSpeaking: boolean;
  micMuted: boolean;
  cameraOff: boolean;
  screenSharing: boolean;
  quality: ConnectionQuality;
  /** When their hand went up (set by the server), or null. */
  handRaisedAt: string | null;
  /** Joined through a guest link, without an account (marked by the server in their token). */
  isGuest: boolean;
}

const EVENTS = [
  ParticipantEvent.IsSpeakingChanged,
  ParticipantEvent.TrackMuted,
  ParticipantEvent.TrackUnmuted,
  ParticipantEvent.TrackPublished,
  ParticipantEvent.TrackUnpublished,
  ParticipantEvent.TrackSubscribed,
  ParticipantEvent.TrackUnsubscribed,
  ParticipantEvent.LocalTrackPublished,
  ParticipantEvent.LocalTrackUnpublished,
  ParticipantEvent.ConnectionQualityChanged,
  ParticipantEvent.ParticipantNameChanged,
  ParticipantEvent.AttributesChanged,
] as const;

/** When a participant's hand went up, or null when it is down. */
export const handRaisedAt = (participant: Participant): string | null =>
  participant.attributes[HAND_ATTRIBUTE] || null;

const off = (participant: Participant, source: Track.Source) => {
  const publication = participant.getTrackPublication(source);
  return !publication || publication.isMuted;
};

export function participantSnapshot(participant: Participant): ParticipantSnapshot {
  return {
    name: participant.name || participant.identity,
    accountName: participant.attributes.accountName ?? null,
    isLocal: participant.isLocal,
    isSpeaking: participant.isSpeaking,
    micMuted: off(participant, Track.Source.Microphone),
    cameraOff: off(participant, Track.Source.Camera),
    screenSharing: !off(participant, Track.Source.ScreenShare),
    quality: participant.connectionQuality,
    handRaisedAt: handRaisedAt(participant),
    isGuest: participant.attributes[GUEST_ATTRIBUTE] === "1",
  };
}

const same = (a: ParticipantSnapshot, b: ParticipantSnapshot) =>
  a.name === b.name &&
  a.accountName === b.accountName &&
  a.isLocal === b.isLocal &&
  a.isSpeaking === b.isSpeaking &&
  a.micMuted === b.micMuted &&
  a.cameraOff === b.cameraOff &&
  a.screenSharing === b.screenSharing &&
  a.quality === b.quality &&
  a.handRaisedAt === b.handRaisedAt &&
  a.isGuest === b.isGuest;

/** A participant's speaking, muted, camera, screen-share and connection-quality state, kept current. */
export function useParticipantState(participant: Participant): ParticipantSnapshot {
  const cache = useRef<{ participant: Participant; snapshot: ParticipantSnapshot } | null>(null);

  const subscribe = useCallback(
    (notify: () => void) => {
      for (const event of EVENTS) participant.on(event, notify);
      return () => {
        for (const event of EVENTS) participant.off(event, notify);
      };
    },
    [participant],
  );

  const getSnapshot = useCallback(() => {
    const next = participantSnapshot(participant);
    const previous = cache.current;
    if (previous && previous.participant === participant && same(previous.snapshot, next))
      return previous.snapshot;
    cache.current = { participant, snapshot: next };
    return next;
  }, [participant]);

  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

export const QUALITY_LABEL: Record<ConnectionQuality, string> = {
  [ConnectionQuality.Excellent]: "Excellent connection",
  [ConnectionQuality.Good]: "Good connection",
  [ConnectionQuality.Poor]: "Poor connection",
  [ConnectionQuality.Lost]: "Connection lost",
  [ConnectionQuality.Unknown]: "Connection quality unknown",
};
