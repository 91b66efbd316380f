import { guardLiveStream } from "../access";
import { RECONCILE_EVERY_MS } from "../jobs";
import * as moderation from "../moderation";
import { activeRooms, reconcileIfStale } from "../presence";
import { liveParticipantInput, liveRoomInput } from "../schemas/room";
import { adminProcedure, createTRPCRouter } from "../trpc";

/**
 * Presence older than this is reconciled with LiveKit before the admin view answers. Longer than
 * the background job's interval (RECONCILE_EVERY_MS), so the view only pays for reconciliation
 * when the job has fallen behind; webhooks keep it live in between.
 */
const EXACT_WITHIN_MS = RECONCILE_EVERY_MS + 15_000;

export const adminRouter = createTRPCRouter({
  activeRooms: adminProcedure.query(async ({ ctx }) => {
    try {
      await reconcileIfStale(ctx.services, EXACT_WITHIN_MS);
    } catch (error) {
      // LiveKit unreachable: the recorded presence is the best answer there is.
      ctx.logger.warn({ err: error }, "reconciliation before admin.activeRooms failed");
    }
    return activeRooms(ctx.services);
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
});
