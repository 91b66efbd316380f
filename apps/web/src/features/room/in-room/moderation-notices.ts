import { MODERATION_TOPIC, type ModerationNotice } from "@parlor/api/schemas/call";
import type { RemoteParticipant } from "livekit-client";

import type { RoomFailure } from "../room-failures";

export { MODERATION_TOPIC };

const decoder = new TextDecoder();
const isName = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 256;

/**
 * A moderator's action as the server announced it on the moderation topic, or null. Only the
 * server sends there (`from` is undefined); anything a participant sends is a forgery and ignored.
 */
export function decodeModerationNotice(
  payload: Uint8Array,
  from: RemoteParticipant | undefined,
): ModerationNotice | null {
  if (from) return null;
  try {
    const value = JSON.parse(decoder.decode(payload)) as Record<string, unknown> | null;
    if (!value || !isName(value.by)) return null;
    if (value.type === "muted" && (value.kind === "audio" || value.kind === "video"))
      return { type: "muted", kind: value.kind, by: value.by };
    if (value.type === "removed" || value.type === "ended" || value.type === "deleted")
      return { type: value.type, by: value.by };
  } catch {
    // Not JSON: ignored.
  }
  return null;
}

/** What a mute notice tells the person muted. */
export function muteNoticeText(notice: Extract<ModerationNotice, { type: "muted" }>) {
  return notice.kind === "audio"
    ? { title: `${notice.by} muted your microphone`, description: "Unmute it when you want to speak." }
    : { title: `${notice.by} turned off your camera`, description: "Turn it on again when you are ready." };
}

/** The failure page a notice that ends your call leads to (`endedByYou`: you pressed End meeting). */
export function failureFromNotice(
  notice: Exclude<ModerationNotice, { type: "muted" }>,
  endedByYou: boolean,
): RoomFailure {
  switch (notice.type) {
    case "removed":
      return { kind: "kicked", by: notice.by };
    case "deleted":
      return { kind: "deleted", by: notice.by };
    case "ended":
      return { kind: "ended", by: notice.by, byYou: endedByYou };
  }
}
