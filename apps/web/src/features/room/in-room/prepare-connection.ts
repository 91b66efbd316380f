import { Room } from "livekit-client";

import type { ConnectionDetails } from "../room-store";

const prepared = new Set<string>();

/**
 * Warms the way to this LiveKit server while the person is still in the pre-join, so Join only
 * has to connect: livekit-client's `Room.prepareConnection` resolves the name and opens (and, for
 * wss, negotiates TLS on) a connection to the server, and with LiveKit Cloud picks the region.
 * Once per server and page; a failure is only a missed warm-up (livekit-client logs it).
 */
export function prepareConnection(details: Pick<ConnectionDetails, "serverUrl" | "participantToken">): void {
  if (prepared.has(details.serverUrl)) return;
  prepared.add(details.serverUrl);
  void new Room().prepareConnection(details.serverUrl, details.participantToken);
}
