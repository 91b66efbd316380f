import * as z from "../lib/zod";

import { CHAT_MESSAGE_MAX, CHAT_TOO_LONG, chatLength } from "../lib/call";
import { roomInput } from "../lib/common-schemas";

export { CHAT_MESSAGE_MAX, CHAT_TOO_LONG, CHAT_TOPIC, chatLength } from "../lib/call";

export const chatMessageBody = z
  .string()
  .trim()
  .min(1, "Write a message first.")
  // Counted as the call's decoder and message box count it (see `chatLength`).
  .refine((value) => chatLength(value) <= CHAT_MESSAGE_MAX, CHAT_TOO_LONG)
  .refine((value) => !value.includes("\u0000"), "Must not contain a NUL character.");

export const sendChatInput = roomInput.extend({ body: chatMessageBody });

export const listChatInput = roomInput.extend({
  /** Only this meeting's messages (from the room's history). */
  meetingId: z.uuid().optional(),
  /** Messages older than this one's time, for paging back. */
  before: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(100),
});

export const deleteChatInput = roomInput.extend({ messageId: z.uuid() });

export const CHAT_SEARCH_MIN = 2;
/** What the timeline's search box sends: the words to find, all of them, in any case. */
export const chatSearchQuery = z
  .string()
  .trim()
  .min(CHAT_SEARCH_MIN, `Type at least ${CHAT_SEARCH_MIN} characters to search.`)
  .max(200, "Search for at most 200 characters.")
  .refine((value) => !value.includes("\u0000"), "Must not contain a NUL character.");

export const searchChatInput = roomInput.extend({
  query: chatSearchQuery,
  /** Matches older than this one's time, for paging back. */
  before: z.date().optional(),
  limit: z.number().int().min(1).max(50).default(30),
});

export const chatRetentionInput = z.object({
  days: z.number().int().min(1, "Keep chat for at least a day.").max(3650, "At most 10 years."),
});

export type SendChatInput = z.input<typeof sendChatInput>;
export type SearchChatInput = z.input<typeof searchChatInput>;

/** A guest's message: the room is the one their pass is for, so none is named. */
export const guestChatSendInput = z.object({ body: chatMessageBody });
