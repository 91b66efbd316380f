import * as chat from "../chat/logic";
import { guestChatSendInput } from "../chat/schemas";
import { guestStatusStream } from "./streams";
import * as guests from "./logic";
import { guestChatListInput, guestJoinInput, guestSetHandInput, guestTokenInput } from "./schemas";
import { createTRPCRouter, guestProcedure, publicProcedure } from "../lib/trpc";

/** People without an account, let in by a guest link (logic.ts). */
export const guestRouter = createTRPCRouter({
  /** What a guest link leads to, and where this browser's guest stands with it. */
  preview: publicProcedure
    .input(guestTokenInput)
    .query(async ({ ctx, input }) => guests.previewGuestLink(ctx.services, input.token, await ctx.guest())),

  /** Joins under a typed name: sets the guest cookie; admitted at once or waiting in the lobby. */
  join: publicProcedure.input(guestJoinInput).mutation(async ({ ctx, input }) => {
    const { cookie, status } = await guests.joinAsGuest(ctx.services, ctx.meta, input.token, input.name);
    ctx.setCookie(cookie.serialized);
    return status;
  }),

  status: guestProcedure.query(({ ctx }) => guests.guestStatus(ctx.services, ctx.guestSession)),

  /**
   * The guest's status now and after each change (server-sent events through the presence
   * channel); ends with the pass (left, removed, link withdrawn).
   */
  statusChanges: guestProcedure.subscription(({ ctx, signal }) =>
    guestStatusStream(ctx.services, ctx.guestSession, ctx.meta.ip, signal),
  ),

  /** Knocks again after nobody answered in time. */
  askAgain: guestProcedure.mutation(({ ctx }) =>
    guests.askAgain(ctx.services, ctx.guestSession, ctx.meta.ip),
  ),

  /** A LiveKit token, once admitted. */
  connectionDetails: guestProcedure.query(({ ctx }) =>
    guests.guestConnectionDetails(ctx.services, ctx.guestSession),
  ),

  /** The chat of the meeting the guest is in (the room's earlier meetings stay the team's). */
  chatList: guestProcedure
    .input(guestChatListInput)
    .query(({ ctx, input }) => chat.listMessagesForGuest(ctx.services, ctx.guestSession, input.limit)),

  chatSend: guestProcedure
    .input(guestChatSendInput)
    .mutation(({ ctx, input }) => chat.sendMessageAsGuest(ctx.services, ctx.guestSession, input.body)),

  /** Raises or lowers the guest's own hand in the call. */
  setHand: guestProcedure
    .input(guestSetHandInput)
    .mutation(({ ctx, input }) => guests.setGuestHand(ctx.services, ctx.guestSession, input.raised)),

  /** Ends the guest pass (leaving, or giving up on waiting). */
  leave: guestProcedure.mutation(async ({ ctx }) => {
    ctx.setCookie((await guests.leaveAsGuest(ctx.services, ctx.guestSession, ctx.meta.secure)).serialized);
    return { ok: true as const };
  }),
});
