/**
 * LiveKit's end-to-end encryption, loaded only when someone joins an encrypted room (see
 * load.ts). The passphrase becomes the shared key in the browser (PBKDF2, in LiveKit's key
 * provider); Parlor's server never sees it. LiveKit's worker encrypts every outgoing frame and
 * data packet and decrypts incoming ones; it is served by Parlor itself
 * (scripts/copy-processor-assets.mjs copies it into public/processors).
 */
import { ExternalE2EEKeyProvider, isE2EESupported } from "livekit-client";

import type { CallEncryption } from "./types";

export const E2EE_WORKER_URL = "/processors/e2ee/livekit-e2ee-worker.mjs";

/** Whether this browser can encrypt media frames (insertable streams or RTCRtpScriptTransform). */
export const e2eeSupported = (): boolean => isE2EESupported();

export function callEncryption(passphrase: string): CallEncryption {
  return {
    start() {
      const keyProvider = new ExternalE2EEKeyProvider();
      const worker = new Worker(E2EE_WORKER_URL, { type: "module", name: "parlor-e2ee" });
      return {
        options: { keyProvider, worker },
        ready: keyProvider.setKey(passphrase),
        dispose: () => worker.terminate(),
      };
    },
  };
}
