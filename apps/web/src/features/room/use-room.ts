"use client";

import { useEffect, useMemo, useSyncExternalStore } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import {
  createRoomStore,
  IDLE,
  isStateFor,
  phaseOf,
  type RoomApi,
  type RoomStore,
  type RoomTarget,
} from "./room-store";

type TRPCClient = ReturnType<typeof api.useUtils>["client"];

/** The store's API, over tRPC: `room.ensure` (mutation) and `room.connectionDetails` (query). */
export function trpcRoomApi(client: TRPCClient): RoomApi {
  return {
    // Never creates: the page asked before (a mistyped address leaves nothing behind).
    ensure: (teamSlug, roomSlug, signal) =>
      client.room.ensure.mutate({ teamSlug, roomSlug, create: false }, { signal }),
    connectionDetails: (teamSlug, roomSlug, participantName, signal) =>
      client.room.connectionDetails.query(
        { teamSlug, roomSlug, participantName: participantName || undefined },
        { signal },
      ),
  };
}

// One store per browser tab: the cache outlives the page component (the canonical-slug redirect
// remounts it; coming back to a room reuses a token that is still good).
let tabStore: RoomStore | null = null;

export function useRoomStore(): RoomStore {
  const { client } = api.useUtils();
  tabStore ??= createRoomStore({
    api: trpcRoomApi(client),
    describeError: (error) => {
      const info = describeError(error as Error);
      return { message: info.message, code: info.code ?? null };
    },
  });
  return tabStore;
}

/**
 * The seed's `useRoom`: runs ensure → connection details for the room on the page, as `name`,
 * while `enabled`, and re-runs when the cached details stop matching (other room or name, token
 * lifetime over). Returns the state for this target only, and cancels what is under way when
 * the page goes away.
 */
export function useRoom({ teamSlug, roomSlug, participantName, enabled }: RoomTarget & { enabled: boolean }) {
  const store = useRoomStore();
  const raw = useSyncExternalStore(store.subscribe, store.getState, () => IDLE);
  const target = useMemo(
    () => ({ teamSlug, roomSlug, participantName }),
    [teamSlug, roomSlug, participantName],
  );
  const state = isStateFor(raw, target) ? raw : IDLE;
  const phase = phaseOf(state);

  // Another room or name: the cached details go at once.
  useEffect(() => {
    if (enabled) store.setTarget(target);
  }, [enabled, store, target]);

  // Idle and wanted (first visit, name changed, token ran out): initialize.
  useEffect(() => {
    if (enabled && phase === "idle") void store.initialize(target);
  }, [enabled, phase, store, target]);

  // Leaving the page cancels requests under way (ready details stay cached).
  useEffect(() => () => store.abort(), [store]);

  return { ...state, phase, store, target };
}
