/**
 * Loads the processors' code on demand. Kept apart from call-effects.ts (which needs
 * livekit-client) so the pre-join can use it without pulling the call's code into its bundle.
 */
import type * as ProcessorsModule from "./processors";

type Processors = typeof ProcessorsModule;

let processorsModule: Promise<Processors> | null = null;

/** The processors' code, loaded once and only when an effect is on. */
export function loadProcessors(): Promise<Processors> {
  processorsModule ??= import("./processors").catch((error: unknown) => {
    processorsModule = null;
    throw error;
  });
  return processorsModule;
}

export const TOO_SLOW_NOTICE =
  "Background effect turned off: this device is too slow for it (each frame took too long). Your camera works as before.";
