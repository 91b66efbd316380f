/**
 * The bench's bare reference (see docs/performance.md): LiveKit Meet's
 * `app/api/connection-details/route.ts`, as Meet writes it — room and name from the query string,
 * a random postfix kept in a cookie, `AccessToken` from livekit-server-sdk, no session, no
 * database, no check on who asks — in a Next.js app that has nothing else (no proxy, no
 * instrumentation, no Parlor code). Only `pnpm bench` builds and starts it.
 */
import { randomBytes } from "node:crypto";

import { AccessToken, type AccessTokenOptions, type VideoGrant } from "livekit-server-sdk";
import { NextResponse, type NextRequest } from "next/server";

const API_KEY = process.env.LIVEKIT_API_KEY;
const API_SECRET = process.env.LIVEKIT_API_SECRET;
const LIVEKIT_URL = process.env.LIVEKIT_URL;
const COOKIE_KEY = "random-participant-postfix";

export async function GET(request: NextRequest) {
  try {
    const roomName = request.nextUrl.searchParams.get("roomName");
    const participantName = request.nextUrl.searchParams.get("participantName");
    const metadata = request.nextUrl.searchParams.get("metadata") ?? "";
    if (!LIVEKIT_URL) throw new Error("LIVEKIT_URL is not defined");
    let randomParticipantPostfix = request.cookies.get(COOKIE_KEY)?.value;
    if (typeof roomName !== "string") {
      return new NextResponse("Missing required query parameter: roomName", { status: 400 });
    }
    if (participantName === null) {
      return new NextResponse("Missing required query parameter: participantName", { status: 400 });
    }
    if (!randomParticipantPostfix) randomParticipantPostfix = randomBytes(2).toString("hex");
    const participantToken = await createParticipantToken(
      { identity: `${participantName}__${randomParticipantPostfix}`, name: participantName, metadata },
      roomName,
    );
    const data = { serverUrl: LIVEKIT_URL, roomName, participantToken, participantName };
    return new NextResponse(JSON.stringify(data), {
      headers: {
        "Content-Type": "application/json",
        "Set-Cookie": `${COOKIE_KEY}=${randomParticipantPostfix}; Path=/; HttpOnly; SameSite=Strict; Secure; Expires=${new Date(Date.now() + 2 * 60 * 60 * 1000).toUTCString()}`,
      },
    });
  } catch (error) {
    if (error instanceof Error) return new NextResponse(error.message, { status: 500 });
    return new NextResponse("Internal error", { status: 500 });
  }
}

function createParticipantToken(userInfo: AccessTokenOptions, roomName: string) {
  const at = new AccessToken(API_KEY, API_SECRET, userInfo);
  at.ttl = "5m";
  const grant: VideoGrant = {
    room: roomName,
    roomJoin: true,
    canPublish: true,
    canPublishData: true,
    canSubscribe: true,
  };
  at.addGrant(grant);
  return at.toJwt();
}
