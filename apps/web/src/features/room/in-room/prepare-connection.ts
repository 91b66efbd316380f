import type { ConnectionDetails } from "../room-store";

const prepared = new Set<string>();

/** LiveKit Cloud, where livekit-client also picks the region (as its `isCloud` tells). */
const isLiveKitCloud = (url: URL) =>
  url.hostname.endsWith(".livekit.cloud") || url.hostname.endsWith(".livekit.run");

/**
 * Warms the way to this LiveKit server while the person is still in the pre-join, so Join only
 * has to connect: the name is resolved and a connection opened (with TLS negotiated, for wss)
 * before the signalling WebSocket needs them. With LiveKit Cloud, livekit-client's
 * `Room.prepareConnection` also picks the region. Elsewhere it would send a CORS request to the
 * server's root, which a proxy in front of a self-hosted LiveKit may answer without CORS headers
 * (an error in the console on every pre-join): the same HEAD request goes as `no-cors`, which
 * warms the connection just as well and needs no answer the page can read. Once per server and
 * page; a failure is only a missed warm-up.
 */
export function prepareConnection(details: Pick<ConnectionDetails, "serverUrl" | "participantToken">): void {
  if (prepared.has(details.serverUrl)) return;
  prepared.add(details.serverUrl);
  const url = new URL(details.serverUrl);
  if (isLiveKitCloud(url)) {
    void import("livekit-client")
      .then(({ Room }) => new Room().prepareConnection(details.serverUrl, details.participantToken))
      .catch(() => undefined);
    return;
  }
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  void fetch(url, { method: "HEAD", mode: "no-cors", cache: "no-store" }).catch(() => undefined);
}
