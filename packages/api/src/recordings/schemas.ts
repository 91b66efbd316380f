// Input schemas of the recording procedures and the constants the call's code shares with the
// server. Client-safe: zod only.
import { roomInput } from "../schemas/room";
import { z } from "../schemas/zod";

export const recordingInput = roomInput.extend({ recordingId: z.uuid("Not a recording of this room.") });

export const setMembersRecordInput = z.object({
  teamSlug: roomInput.shape.teamSlug,
  membersMay: z.boolean(),
});

export { isRecorderIdentity, RECORDER_IDENTITY_PREFIX } from "./identity";
