import { nameFromSlug } from "@parlor/api/schemas";
import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { cache } from "react";

import { RoomPage } from "@/features/room/room-page";
import { decodeParam } from "@/lib/params";
import { getCurrentUser, loadForPage, serverApi } from "@/trpc/server";

/**
 * The team's and room's names (a room that does not exist yet is named after its address), and
 * whether this person may moderate it: team owners and admins, and site admins.
 */
const loadNames = cache(async (teamSlug: string, roomSlug: string) => {
  const api = await serverApi();
  const isSiteAdmin = (await getCurrentUser())?.isAdmin ?? false;
  try {
    const room = await api.room.get({ teamSlug, roomSlug });
    return { teamName: room.teamName, roomName: room.name, canModerate: room.canManage || isSiteAdmin };
  } catch (error) {
    // Not found (or not a valid address): the team still has to be ours; the room page explains the rest.
    if (!(error instanceof TRPCError) || (error.code !== "NOT_FOUND" && error.code !== "BAD_REQUEST"))
      throw error;
    const team = await loadForPage(() => api.team.get({ teamSlug }));
    return {
      teamName: team.name,
      roomName: nameFromSlug(roomSlug.toLocaleLowerCase()),
      canModerate: team.role !== "member" || isSiteAdmin,
    };
  }
});

export async function generateMetadata({ params }: PageProps<"/t/[team]/[room]">): Promise<Metadata> {
  const { team, room } = await params;
  try {
    const names = await loadNames(decodeParam(team), decodeParam(room));
    return { title: `${names.roomName} · ${names.teamName}` };
  } catch {
    return { title: "Room" };
  }
}

export default async function Room({ params }: PageProps<"/t/[team]/[room]">) {
  const { team, room } = await params;
  const teamSlug = decodeParam(team);
  const roomSlug = decodeParam(room);
  const names = await loadForPage(() => loadNames(teamSlug, roomSlug));
  return <RoomPage key={`${teamSlug}/${roomSlug}`} teamSlug={teamSlug} roomSlug={roomSlug} {...names} />;
}
