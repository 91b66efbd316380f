import * as z from "../lib/zod";

import { displayText, PARTICIPANT_NAME_MAX, roomInput, slugSchema } from "../lib/common-schemas";

export const createRoomInput = z.object({
  teamSlug: slugSchema,
  name: displayText("Room name"),
  /** End-to-end encrypted from the start (owners and admins can change it later). */
  e2ee: z.boolean().optional(),
});

/**
 * `create: false` only looks the room up (the room page: a mistyped address must leave nothing
 * behind); the default creates a room that does not exist yet, as the contract has it.
 */
export const ensureRoomInput = roomInput.extend({ create: z.boolean().default(true) });

export const renameRoomInput = roomInput.extend({ name: displayText("Room name") });

export const connectionDetailsInput = roomInput.extend({
  /** Shown to others in the room; the identity is always the signed-in user's id. */
  participantName: z
    .string()
    .max(PARTICIPANT_NAME_MAX * 4, `Name must be at most ${PARTICIPANT_NAME_MAX} characters.`)
    .optional(),
});

export type CreateRoomInput = z.input<typeof createRoomInput>;
export type ConnectionDetailsInput = z.input<typeof connectionDetailsInput>;

/** Free text that goes to the database as it is: Postgres text cannot hold a NUL character. */
const storableText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.includes("\u0000"), "Must not contain a NUL character.");

export const participantInput = roomInput.extend({ identity: storableText(256) });

export const muteParticipantInput = participantInput.extend({ kind: z.enum(["audio", "video"]) });

export const roomHistoryInput = roomInput.extend({ limit: z.number().int().min(1).max(100).default(20) });

/** Site admins act on rooms by their LiveKit name, across teams. */
export const liveRoomInput = z.object({ roomName: storableText(128) });

export const liveParticipantInput = liveRoomInput.extend({ identity: storableText(256) });

export const setHandInput = roomInput.extend({ raised: z.boolean() });

export const setEncryptedInput = roomInput.extend({ encrypted: z.boolean() });
