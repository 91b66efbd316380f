/**
 * Receives the real LiveKit server's webhooks over HTTP on loopback and hands each to Parlor's
 * real handler. LiveKit must know the URL before it starts, and the app must know LiveKit's
 * address before it starts, so the receiver asks for the app's services lazily (503 until then).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

import { handleLiveKitWebhook } from "../src/http";
import type { Services } from "../src/lib/services";

export async function startWebhookReceiver(services: () => Services | undefined) {
  let delivered = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const svc = services();
    if (!svc) return void res.writeHead(503).end();
    const response = await handleLiveKitWebhook(
      svc,
      new Request(`http://127.0.0.1${req.url}`, {
        method: "POST",
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      }),
    );
    if (response.ok) delivered++;
    res.writeHead(response.status).end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/livekit/webhook`,
    /** Webhooks the handler accepted. */
    delivered: () => delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
