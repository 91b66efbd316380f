import { guardLiveStream } from "../access";
import { createPasswordResetLink } from "../accounts/password-reset";
import { dependencyHealth } from "./health";
import { RECONCILE_EVERY_MS } from "./jobs";
import * as moderation from "../calls/moderation";
import { reconcileInBackgroundIfStale } from "../presence/reconcile";
import { activeRooms } from "../presence/views";
import { adminSearchInput, adminUserInput, setDisabledInput, setSiteAdminInput } from "./schemas";
import { liveParticipantInput, liveRoomInput } from "../rooms/schemas";
import { deleteTeamInput } from "../teams/schemas";
import * as teams from "../teams/logic";
import * as users from "../accounts/users";
import { adminProcedure, createTRPCRouter } from "../lib/trpc";

/**
 * Presence older than this makes the admin view start a reconciliation with LiveKit (in the
 * background: the view answers from the records at once and refetches when it changes something).
 * Longer than the background job's interval (RECONCILE_EVERY_MS), so this only happens when the
 * job has fallen behind; webhooks keep presence live in between.
 */
const EXACT_WITHIN_MS = RECONCILE_EVERY_MS + 15_000;

export const adminRouter = createTRPCRouter({
  /** Database, LiveKit, webhooks and reconciliation: each one's state and what to check. */
  health: adminProcedure.query(({ ctx }) => dependencyHealth(ctx.services)),

  activeRooms: adminProcedure.query(async ({ ctx }) => {
    const [rooms] = await Promise.all([
      activeRooms(ctx.services),
      reconcileInBackgroundIfStale(ctx.services, EXACT_WITHIN_MS),
    ]);
    return rooms;
  }),

  /** Signals each change of presence anywhere; the admin page then refetches `activeRooms`. Closes when the session ends or admin rights go. */
  changes: adminProcedure.subscription(async ({ ctx, signal }) => {
    const holder = { sessionId: ctx.session.sessionId, userId: ctx.user.id };
    return guardLiveStream(ctx.services, holder, "site-admin", signal, async function* (open) {
      for await (const teamId of ctx.services.presenceBus.changes(open)) yield { teamId, at: new Date() };
    });
  }),

  endRoom: adminProcedure
    .input(liveRoomInput)
    .mutation(({ ctx, input }) => moderation.endRoom(ctx.services, ctx.user, input)),

  removeParticipant: adminProcedure
    .input(liveParticipantInput)
    .mutation(({ ctx, input }) =>
      moderation.removeParticipant(ctx.services, ctx.user, input, input.identity),
    ),

  users: adminProcedure
    .input(adminSearchInput)
    .query(({ ctx, input }) => users.listUsers(ctx.services, input)),

  setSiteAdmin: adminProcedure
    .input(setSiteAdminInput)
    .mutation(({ ctx, input }) => users.setSiteAdmin(ctx.services, ctx.user, input.userId, input.isAdmin)),

  setDisabled: adminProcedure
    .input(setDisabledInput)
    .mutation(({ ctx, input }) => users.setDisabled(ctx.services, ctx.user, input.userId, input.disabled)),

  /** A reset link to hand over by hand (the way when the instance sends no email). */
  createPasswordResetLink: adminProcedure
    .input(adminUserInput)
    .mutation(({ ctx, input }) =>
      createPasswordResetLink(ctx.services, ctx.user, input.userId, ctx.meta.origin),
    ),

  teams: adminProcedure
    .input(adminSearchInput)
    .query(({ ctx, input }) => teams.listAllTeams(ctx.services, input)),

  deleteTeam: adminProcedure
    .input(deleteTeamInput)
    .mutation(({ ctx, input }) =>
      teams.adminDeleteTeam(ctx.services, ctx.user, input.teamSlug, input.confirmName),
    ),
});
