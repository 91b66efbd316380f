import * as z from "../lib/zod";

/** Site administration: search and paging for the users and teams lists. */
export const adminSearchInput = z.object({
  query: z.string().max(200, "Search for at most 200 characters.").default(""),
  limit: z.number().int().min(1).max(100).default(50),
  offset: z.number().int().min(0).max(1_000_000).default(0),
});

export const adminUserInput = z.object({ userId: z.uuid("Unknown user.") });

export const setSiteAdminInput = adminUserInput.extend({ isAdmin: z.boolean() });

export const setDisabledInput = adminUserInput.extend({ disabled: z.boolean() });
