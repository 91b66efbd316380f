"use client";

import { useRoomContext } from "@livekit/components-react";
import { REACTION_TOPIC, REACTIONS, type Reaction } from "@parlor/api/schemas/call";
import { RoomEvent, type RemoteParticipant } from "livekit-client";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";

/** How long a reaction floats over its sender's tile. */
export const REACTION_SECONDS = 4;

export interface FloatingReaction {
  key: number;
  identity: string;
  emoji: Reaction;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reaction someone sent, or null: only the known set, never free text. */
export function decodeReaction(payload: Uint8Array): Reaction | null {
  try {
    const value = JSON.parse(decoder.decode(payload)) as { emoji?: unknown } | null;
    return REACTIONS.find((r) => r === value?.emoji) ?? null;
  } catch {
    return null;
  }
}

const ReactionsContext = createContext<{
  reactions: FloatingReaction[];
  send: (emoji: Reaction) => void;
} | null>(null);

/**
 * Reactions: a small set of emoji sent to everyone as LiveKit data, shown over the sender's tile
 * for a few seconds. Rate-limited per sender on screen. Sent reliable: on the real server the
 * lossy channel delivered nothing to the others (feature-gallery.test.ts), and a few small
 * messages a second cost nothing on the reliable one.
 */
export function ReactionsProvider({ children }: { children: ReactNode }) {
  const room = useRoomContext();
  const [reactions, setReactions] = useState<FloatingReaction[]>([]);
  const sequence = useRef(0);
  const lastShown = useRef(new Map<string, number>());

  const show = useCallback((identity: string, emoji: Reaction) => {
    // At most a few per second per person, so nobody can flood the screen.
    const now = performance.now();
    if (now - (lastShown.current.get(identity) ?? -Infinity) < 250) return;
    lastShown.current.set(identity, now);
    const key = ++sequence.current;
    setReactions((list) => [...list.slice(-30), { key, identity, emoji }]);
    setTimeout(() => setReactions((list) => list.filter((r) => r.key !== key)), REACTION_SECONDS * 1000);
  }, []);

  useEffect(() => {
    const onData = (payload: Uint8Array, from?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== REACTION_TOPIC || !from) return;
      const emoji = decodeReaction(payload);
      if (emoji) show(from.identity, emoji);
    };
    room.on(RoomEvent.DataReceived, onData);
    return () => void room.off(RoomEvent.DataReceived, onData);
  }, [room, show]);

  const send = useCallback(
    (emoji: Reaction) => {
      show(room.localParticipant.identity, emoji);
      void room.localParticipant
        .publishData(encoder.encode(JSON.stringify({ emoji })), { reliable: true, topic: REACTION_TOPIC })
        .catch(() => undefined);
    },
    [room, show],
  );

  return <ReactionsContext.Provider value={{ reactions, send }}>{children}</ReactionsContext.Provider>;
}

export function useReactions() {
  return useContext(ReactionsContext) ?? { reactions: [], send: () => undefined };
}

/** The reactions floating over one person's tile. */
export function TileReactions({ identity }: { identity: string }) {
  const { reactions } = useReactions();
  const mine = reactions.filter((r) => r.identity === identity);
  if (mine.length === 0) return null;
  return (
    <div className="pointer-events-none absolute inset-x-0 bottom-10 flex justify-center" aria-hidden="true">
      {mine.map((r, i) => (
        <span
          key={r.key}
          data-testid="reaction"
          className="absolute animate-[parlor-float_4s_ease-out_forwards] text-4xl drop-shadow-md motion-reduce:animate-none"
          style={{ left: `${40 + ((r.key * 17 + i * 7) % 20)}%` }}
        >
          {r.emoji}
        </span>
      ))}
    </div>
  );
}
