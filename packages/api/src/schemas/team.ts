import { z } from "zod";

import { displayText, slugSchema } from "./common";

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

export const inviteTokenInput = z.object({
  token: z
    .string()
    .trim()
    .min(16, "That invite link is not valid.")
    .max(128, "That invite link is not valid.")
    .regex(/^[A-Za-z0-9_-]+$/, "That invite link is not valid."),
});

export const revokeInviteInput = z.object({ teamSlug: slugSchema, inviteId: z.uuid() });

export type CreateTeamInput = z.input<typeof createTeamInput>;
export type CreateInviteInput = z.input<typeof createInviteInput>;
