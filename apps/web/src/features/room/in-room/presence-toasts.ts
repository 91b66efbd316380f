"use client";

import { toast } from "@parlor/ui/toaster";
import { RoomEvent, type RemoteParticipant, type Room } from "livekit-client";
import { useEffect } from "react";

const who = (p: RemoteParticipant) => p.name || p.identity;

/**
 * Toasts when people join and leave. LiveKit announces only arrivals after you joined, so the
 * people already there do not flood you. Quick reconnects also get a word.
 */
export function usePresenceToasts(room: Room) {
  useEffect(() => {
    const joined = (p: RemoteParticipant) =>
      toast(`${who(p)} joined`, { id: `presence-${p.identity}`, duration: 3000 });
    const left = (p: RemoteParticipant) =>
      toast(`${who(p)} left`, { id: `presence-${p.identity}`, duration: 3000 });
    const reconnected = () => toast.success("Reconnected", { id: "reconnected", duration: 2500 });
    room
      .on(RoomEvent.ParticipantConnected, joined)
      .on(RoomEvent.ParticipantDisconnected, left)
      .on(RoomEvent.Reconnected, reconnected);
    return () => {
      room
        .off(RoomEvent.ParticipantConnected, joined)
        .off(RoomEvent.ParticipantDisconnected, left)
        .off(RoomEvent.Reconnected, reconnected);
    };
  }, [room]);
}
