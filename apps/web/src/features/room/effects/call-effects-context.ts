"use client";

import { createContext, useContext, useSyncExternalStore } from "react";

import type { CallEffects, CallEffectsState } from "./call-effects";

/** The call's effects controller, for the settings dialog. */
export const CallEffectsContext = createContext<CallEffects | null>(null);

export function useCallEffects(): { effects: CallEffects; state: CallEffectsState } | null {
  const effects = useContext(CallEffectsContext);
  const state = useSyncExternalStore(
    effects?.subscribe ?? noopSubscribe,
    effects?.getState ?? nothing,
    effects?.getState ?? nothing,
  );
  return effects && state ? { effects, state } : null;
}

const noopSubscribe = () => () => undefined;
const nothing = () => null;
