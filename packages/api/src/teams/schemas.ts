import * as z from "../lib/zod";

import { displayText, emailSchema, linkToken, slugSchema } from "../lib/common-schemas";

export const teamRoleSchema = z.enum(["owner", "admin", "member"]);

export const createTeamInput = z.object({ name: displayText("Team name") });

export const teamMemberInput = z.object({ teamSlug: slugSchema, userId: z.uuid("Unknown member.") });

export const changeRoleInput = teamMemberInput.extend({ role: teamRoleSchema });

export const createInviteInput = z.object({
  teamSlug: slugSchema,
  role: z.enum(["admin", "member"]).default("member"),
  /** Days until the link expires. */
  expiresInDays: z.number().int().min(1).max(30).default(7),
  /** Null or absent: unlimited. */
  maxUses: z.number().int().min(1).max(1000).nullish(),
});

export const inviteTokenInput = z.object({ token: linkToken("That invite link is not valid.") });

/** An invite link for one person, sent to their address (needs SMTP). */
export const sendInviteInput = z.object({
  teamSlug: slugSchema,
  email: emailSchema,
  role: z.enum(["admin", "member"]).default("member"),
});

/** Renaming keeps the team's address (its slug): links people saved keep working. */
export const renameTeamInput = z.object({ teamSlug: slugSchema, name: displayText("Team name") });

/** Deleting asks for the team's name, typed, as confirmation. */
export const deleteTeamInput = z.object({
  teamSlug: slugSchema,
  confirmName: z
    .string({ error: "Type the team's name to confirm." })
    .max(256, "That is not the team's name."),
});

export const revokeInviteInput = z.object({ teamSlug: slugSchema, inviteId: z.uuid() });

export type CreateTeamInput = z.input<typeof createTeamInput>;
export type SendInviteInput = z.input<typeof sendInviteInput>;
export type CreateInviteInput = z.input<typeof createInviteInput>;
