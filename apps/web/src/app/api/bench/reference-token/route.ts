/**
 * The benchmark's reference: what LiveKit Meet's `/api/connection-details` does — mint a join
 * token for the room and name in the query string, with no session, no database and no checks
 * on who asks. It exists only while PARLOR_BENCH_REFERENCE=1 (set by `pnpm bench` alone), and
 * deliberately uses no Parlor code: `AccessToken` from livekit-server-sdk, as Meet does.
 */
import { randomBytes } from "node:crypto";

import { AccessToken, type VideoGrant } from "livekit-server-sdk";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  if (process.env.PARLOR_BENCH_REFERENCE !== "1") {
    return new Response("Not Found", { status: 404 });
  }
  const params = new URL(request.url).searchParams;
  const roomName = params.get("roomName");
  const participantName = params.get("participantName");
  if (!roomName || !participantName) {
    return new Response("Missing roomName or participantName", { status: 400 });
  }
  const serverUrl = process.env.LIVEKIT_PUBLIC_URL || process.env.LIVEKIT_URL || "ws://localhost:7880";
  const token = new AccessToken(
    process.env.LIVEKIT_API_KEY || "devkey",
    process.env.LIVEKIT_API_SECRET || "secret",
    {
      identity: `${participantName}__${randomBytes(2).toString("hex")}`,
      name: participantName,
      ttl: "5m",
    },
  );
  const grant: VideoGrant = {
    room: roomName,
    roomJoin: true,
    canPublish: true,
    canPublishData: true,
    canSubscribe: true,
  };
  token.addGrant(grant);
  const participantToken = await token.toJwt();
  return Response.json({ serverUrl, roomName, participantToken, participantName });
}
