import * as z from "../lib/zod";

import { GUEST_LINK_DEFAULT_HOURS, GUEST_LINK_MAX_HOURS } from "../lib/call";
import { displayText, PARTICIPANT_NAME_MAX, roomInput, slugSchema } from "../lib/common-schemas";

// Guest links' lifetimes live with the call's zod-free constants (the call's invite dialog uses them).
export { GUEST_LINK_DEFAULT_HOURS, GUEST_LINK_MAX_HOURS };

/** A knock nobody answers lapses after this long; the person may ask again. */
export const LOBBY_TIMEOUT_SECONDS = 10 * 60;

export const createGuestLinkInput = roomInput.extend({
  expiresInHours: z
    .number()
    .int()
    .min(1, "A guest link lasts at least an hour.")
    .max(GUEST_LINK_MAX_HOURS, "A guest link lasts at most 30 days.")
    .default(GUEST_LINK_DEFAULT_HOURS),
  /** True: guests wait in the lobby until someone admits them. False: they join directly. */
  requireKnock: z.boolean().default(true),
});

export const guestLinkInput = roomInput.extend({ linkId: z.uuid("Unknown guest link.") });

/** Withdrawing a link also removes its guests from the call (the access rule refuses them). */
export const revokeGuestLinkInput = guestLinkInput;

export const guestTokenInput = z.object({
  token: z
    .string()
    .trim()
    .min(16, "That guest link is not valid.")
    .max(128, "That guest link is not valid.")
    .regex(/^[A-Za-z0-9_-]+$/, "That guest link is not valid."),
});

export const guestJoinInput = guestTokenInput.extend({
  name: displayText("Name", PARTICIPANT_NAME_MAX),
});

export const lobbyRequestInput = roomInput.extend({ requestId: z.uuid("Unknown request.") });

export const setLockedInput = roomInput.extend({ locked: z.boolean() });

export const guestLinkPolicyInput = z.object({
  teamSlug: slugSchema,
  membersCreateGuestLinks: z.boolean(),
});

export type CreateGuestLinkInput = z.input<typeof createGuestLinkInput>;
export type GuestJoinInput = z.input<typeof guestJoinInput>;

/** A guest's chat list and hand: the room is the one their pass is for, so none is named. */
export const guestChatListInput = z.object({ limit: z.number().int().min(1).max(200).default(100) });
export const guestSetHandInput = z.object({ raised: z.boolean() });
