/**
 * Loads the encryption code (LiveKit's key provider; the worker itself is a file fetched by the
 * browser) on demand: only in an encrypted room, when Join is pressed.
 */
import type * as CallEncryptionModule from "./call-encryption";

let loaded: Promise<typeof CallEncryptionModule> | null = null;

export function loadCallEncryption(): Promise<typeof CallEncryptionModule> {
  loaded ??= import("./call-encryption").catch((error: unknown) => {
    loaded = null;
    throw error;
  });
  return loaded;
}
