"use client";

import { useParticipants, useRoomContext } from "@livekit/components-react";
import { HAND_ATTRIBUTE } from "@parlor/api/schemas/call";
import { RoomEvent, type Participant } from "livekit-client";
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";

import { api } from "@/trpc/react";

import { handRaisedAt } from "./use-participant-state";

/** Identities with a raised hand, first raised first; `order(identity)` is 1-based, or 0. */
export function handQueue(participants: Participant[]) {
  const raised = participants
    .map((p) => ({ identity: p.identity, at: handRaisedAt(p) }))
    .filter((p): p is { identity: string; at: string } => p.at !== null)
    .sort((a, b) => a.at.localeCompare(b.at) || a.identity.localeCompare(b.identity))
    .map((p) => p.identity);
  return { raised, order: (identity: string) => raised.indexOf(identity) + 1 };
}

type HandQueue = ReturnType<typeof handQueue>;

const HandQueueContext = createContext<HandQueue>(handQueue([]));

/** Computes the call's hand queue once for every tile and list row below it. */
export function HandQueueProvider({ children }: { children: ReactNode }) {
  const participants = useParticipants();
  const room = useRoomContext();
  // useParticipants does not follow attribute changes (a hand going up or down): count them.
  const [handChanges, setHandChanges] = useState(0);
  useEffect(() => {
    const onChanged = (changed: Record<string, string>) => {
      if (HAND_ATTRIBUTE in changed) setHandChanges((n) => n + 1);
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onChanged);
    return () => void room.off(RoomEvent.ParticipantAttributesChanged, onChanged);
  }, [room]);
  // handChanges: the participants' attributes changed in place.
  const queue = useMemo(() => handQueue(participants), [participants, handChanges]);
  return createElement(HandQueueContext.Provider, { value: queue }, children);
}

export const useHandQueue = () => useContext(HandQueueContext);

/** Raise or lower one's own hand; the server sets it so that everyone sees the same queue. */
export function useOwnHand(ref: { teamSlug: string; roomSlug: string }, guest = false) {
  const setHand = api.room.setHand.useMutation();
  // A guest's pass names their room: the server finds it from the guest session.
  const setGuestHand = api.guest.setHand.useMutation();
  return {
    pending: guest ? setGuestHand.isPending : setHand.isPending,
    set: (raised: boolean) =>
      guest ? setGuestHand.mutateAsync({ raised }) : setHand.mutateAsync({ ...ref, raised }),
  };
}
