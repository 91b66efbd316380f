/**
 * How a Parlor room appears in LiveKit: the options and metadata it is opened with, and the name a
 * participant is shown by. Rooms, guests and chat all put people into the same call, so they share these.
 */
import type { schema } from "@parlor/db";

import { cleanText, PARTICIPANT_NAME_MAX } from "../lib/common-schemas";
import type { TeamSummary } from "../teams/logic";

type RoomRow = typeof schema.rooms.$inferSelect;

function roomMetadata(team: Pick<TeamSummary, "id" | "slug">, room: RoomRow) {
  return JSON.stringify({
    parlor: {
      teamId: team.id,
      teamSlug: team.slug,
      roomId: room.id,
      roomSlug: room.slug,
      roomName: room.name,
    },
  });
}

export const liveKitOptions = (team: Pick<TeamSummary, "id" | "slug">, room: RoomRow) => ({
  name: room.livekitRoomName,
  emptyTimeoutSeconds: room.emptyTimeoutSeconds,
  departureTimeoutSeconds: room.departureTimeoutSeconds,
  maxParticipants: room.maxParticipants,
  metadata: roomMetadata(team, room),
});

/** The participant's shown name: what they typed, else their saved display name, else their account name. */
export function participantDisplayName(...candidates: (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const cleaned = Array.from(cleanText(candidate ?? ""))
      .slice(0, PARTICIPANT_NAME_MAX)
      .join("")
      .trim();
    if (cleaned) return cleaned;
  }
  return "Guest";
}
