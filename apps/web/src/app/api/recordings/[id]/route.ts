import { getServices, handleRecordingRequest } from "@parlor/api/server";

/** A recording's file, to members of its team only, with range requests (the player seeks). */
async function handler(req: Request, { params }: { params: Promise<{ id: string }> }) {
  let services;
  try {
    services = await getServices();
  } catch {
    return Response.json(
      { error: "Parlor cannot reach its database right now. Please try again in a moment." },
      { status: 503, headers: { "retry-after": "5", "cache-control": "no-store" } },
    );
  }
  return handleRecordingRequest(services, req, (await params).id);
}

export { handler as GET, handler as HEAD };
