import * as z from "zod";

import { teamSlugInput } from "../lib/common-schemas";
import {
  changeRoleInput,
  createInviteInput,
  createTeamInput,
  deleteTeamInput,
  inviteTokenInput,
  renameTeamInput,
  revokeInviteInput,
  sendInviteInput,
  teamMemberInput,
} from "./schemas";
import * as guests from "../guests/logic";
import { guestLinkPolicyInput } from "../guests/schemas";
import * as teams from "./logic";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../lib/trpc";

export const teamRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createTeamInput)
    .mutation(({ ctx, input }) => teams.createTeam(ctx.services, ctx.user, input.name)),

  list: protectedProcedure.query(({ ctx }) => teams.listTeams(ctx.services, ctx.user)),

  get: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => teams.requireMembership(ctx.services, ctx.user, input.teamSlug)),

  rename: protectedProcedure
    .input(renameTeamInput)
    .mutation(({ ctx, input }) => teams.renameTeam(ctx.services, ctx.user, input.teamSlug, input.name)),

  delete: protectedProcedure
    .input(deleteTeamInput)
    .mutation(({ ctx, input }) =>
      teams.deleteTeam(ctx.services, ctx.user, input.teamSlug, input.confirmName),
    ),

  members: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => teams.listMembers(ctx.services, ctx.user, input.teamSlug)),

  changeRole: protectedProcedure
    .input(changeRoleInput)
    .mutation(({ ctx, input }) =>
      teams.changeRole(ctx.services, ctx.user, input.teamSlug, input.userId, input.role),
    ),

  removeMember: protectedProcedure
    .input(teamMemberInput)
    .mutation(({ ctx, input }) => teams.removeMember(ctx.services, ctx.user, input.teamSlug, input.userId)),

  leave: protectedProcedure
    .input(teamSlugInput)
    .mutation(({ ctx, input }) => teams.leaveTeam(ctx.services, ctx.user, input.teamSlug)),

  createInvite: protectedProcedure
    .input(createInviteInput)
    .mutation(({ ctx, input }) => teams.createInvite(ctx.services, ctx.user, input, ctx.meta.origin)),

  sendInvite: protectedProcedure
    .input(sendInviteInput)
    .mutation(({ ctx, input }) => teams.sendInvite(ctx.services, ctx.user, input)),

  invites: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => teams.listInvites(ctx.services, ctx.user, input.teamSlug)),

  revokeInvite: protectedProcedure
    .input(revokeInviteInput)
    .mutation(({ ctx, input }) => teams.revokeInvite(ctx.services, ctx.user, input.teamSlug, input.inviteId)),

  /** The invite page's preview: the team's name. Needs the secret token, not a session. */
  previewInvite: publicProcedure
    .input(inviteTokenInput)
    .query(({ ctx, input }) => teams.previewInvite(ctx.services, input.token)),

  acceptInvite: protectedProcedure
    .input(inviteTokenInput)
    .output(
      z.object({
        id: z.string(),
        slug: z.string(),
        name: z.string(),
        role: z.enum(["owner", "admin", "member"]),
      }),
    )
    .mutation(({ ctx, input }) => teams.acceptInvite(ctx.services, ctx.user, input.token)),

  /** Whether plain members may invite guests to the team's rooms. */
  guestLinkPolicy: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => guests.guestLinkPolicy(ctx.services, ctx.user, input.teamSlug)),

  setGuestLinkPolicy: protectedProcedure
    .input(guestLinkPolicyInput)
    .mutation(({ ctx, input }) =>
      guests.setGuestLinkPolicy(ctx.services, ctx.user, input.teamSlug, input.membersCreateGuestLinks),
    ),
});
