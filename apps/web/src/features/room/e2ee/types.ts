import type { BaseKeyProvider } from "livekit-client";

/** LiveKit's encryption for one connection: its key provider and worker, and when the key is set. */
export interface StartedEncryption {
  /** The Room's `encryption` option (media and data are both encrypted with it). */
  options: { keyProvider: BaseKeyProvider; worker: Worker };
  /** Resolves once the key is derived from the passphrase; join only then. */
  ready: Promise<void>;
  /** Ends the worker (after the call disconnected). */
  dispose: () => void;
}

/** Handed from the pre-join to the call: starts a fresh encryption for each connection attempt. */
export interface CallEncryption {
  start: () => StartedEncryption;
}

/** How one person's media reaches this browser. */
export type PersonEncryption = "encrypted" | "not-encrypted" | "no-media" | "cannot-decrypt";
