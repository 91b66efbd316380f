import { getServices, handleLiveKitWebhook } from "@parlor/api/server";

/** LiveKit's webhooks: signature-checked and applied once (exempt from the proxy's Origin check). */
export async function POST(req: Request) {
  let services;
  try {
    services = await getServices();
  } catch {
    // LiveKit retries a failed delivery.
    return Response.json(
      { error: "Parlor cannot reach its database right now." },
      { status: 503, headers: { "retry-after": "5", "cache-control": "no-store, no-transform" } },
    );
  }
  return handleLiveKitWebhook(services, req);
}
