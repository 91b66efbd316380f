// Input schemas of the recording procedures and the constants the call's code shares with the
// server. Client-safe: zod only.
import { roomInput } from "../lib/common-schemas";
import * as z from "../lib/zod";

export const recordingInput = roomInput.extend({ recordingId: z.uuid("Not a recording of this room.") });

/** Days a team keeps its recordings (the team settings' form). */
export const recordingRetentionInput = z.object({
  days: z
    .number({ error: "Say how many days, e.g. 90." })
    .int("Say a whole number of days.")
    .min(1, "Keep recordings for at least a day.")
    .max(3650, "At most 10 years."),
});

/** The team's recording settings; what is left out stays as it is. */
export const setMembersRecordInput = z.object({
  teamSlug: roomInput.shape.teamSlug,
  membersMay: z.boolean().optional(),
  /** null keeps recordings until someone deletes them (the default). */
  retentionDays: recordingRetentionInput.shape.days.nullable().optional(),
});

export { isRecorderIdentity, RECORDER_IDENTITY_PREFIX } from "./identity";
