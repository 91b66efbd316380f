import { nameFromSlug, slugify } from "@parlor/api/schemas";
import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";

import { earlyMediaScript } from "@/features/room/devices/early-media";
import { baseCaptureConstraints } from "@/features/room/devices/local-media";
import { MalformedRoomAddress, RoomNotFound } from "@/features/room/room-address";
import { RoomPage } from "@/features/room/room-page";
import { decodeParam } from "@/lib/params";
import { NONCE_HEADER } from "@/lib/security-headers";
import { getCurrentUser, loadForPage, serverApi } from "@/trpc/server";

/** The longest slug an address may carry (the shared slug schema's limit). */
const SLUG_MAX = 80;

/**
 * The room at this address, or the team alone when no room has it (a typo, or a room still to be
 * created: the page asks before creating anything). The preferences come along so the pre-join
 * can start the camera with the person's saved choices at once.
 */
const loadRoom = cache(async (teamSlug: string, roomSlug: string) => {
  const api = await serverApi();
  const user = await getCurrentUser();
  const isSiteAdmin = user?.isAdmin ?? false;
  try {
    const [room, preferences] = await Promise.all([
      api.room.get({ teamSlug, roomSlug }),
      api.preferences.get(),
    ]);
    return {
      found: true as const,
      teamName: room.teamName,
      roomName: room.name,
      canModerate: room.canManage || isSiteAdmin,
      encrypted: room.encrypted,
      preferences,
      accountName: user?.name,
    };
  } catch (error) {
    if (!(error instanceof TRPCError) || error.code !== "NOT_FOUND") throw error;
    // The team still has to be ours (else the not-found page).
    const team = await api.team.get({ teamSlug });
    return { found: false as const, teamName: team.name };
  }
});

/** "Hello World", "StandUp" → the slug a room with that name has ("hello-world", "standup"). */
const canonicalSlug = (address: string) => slugify(address, SLUG_MAX);

export async function generateMetadata({ params }: PageProps<"/t/[team]/[room]">): Promise<Metadata> {
  const { team, room } = await params;
  const slug = canonicalSlug(decodeParam(room));
  try {
    const names = await loadRoom(decodeParam(team), slug);
    return {
      title: names.found ? `${names.roomName} · ${names.teamName}` : `No such room · ${names.teamName}`,
    };
  } catch {
    return { title: "Room" };
  }
}

export default async function Room({ params }: PageProps<"/t/[team]/[room]">) {
  const { team, room } = await params;
  const teamSlug = decodeParam(team);
  const address = decodeParam(room);
  const roomSlug = canonicalSlug(address);
  if (!roomSlug) {
    const api = await serverApi();
    const found = await loadForPage(() => api.team.get({ teamSlug }));
    return <MalformedRoomAddress teamSlug={found.slug} teamName={found.name} address={address} />;
  }
  if (roomSlug !== address) {
    redirect(`/t/${encodeURIComponent(teamSlug)}/${encodeURIComponent(roomSlug)}`);
  }
  const loaded = await loadForPage(() => loadRoom(teamSlug, roomSlug));
  if (!loaded.found) {
    return (
      <RoomNotFound
        teamSlug={teamSlug}
        teamName={loaded.teamName}
        roomSlug={roomSlug}
        suggestedName={nameFromSlug(roomSlug)}
      />
    );
  }
  const { preferences } = loaded;
  const script = earlyMediaScript(
    {
      video: preferences.cameraEnabled,
      audio: preferences.microphoneEnabled,
      fallbackIds: { videoinput: preferences.videoInputId, audioinput: preferences.audioInputId },
    },
    baseCaptureConstraints(),
  );
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <RoomPage
      key={`${teamSlug}/${roomSlug}`}
      earlyMedia={script ? { script, nonce } : undefined}
      teamSlug={teamSlug}
      roomSlug={roomSlug}
      teamName={loaded.teamName}
      roomName={loaded.roomName}
      canModerate={loaded.canModerate}
      initialPreferences={loaded.preferences}
      accountName={loaded.accountName}
      encrypted={loaded.encrypted}
    />
  );
}
