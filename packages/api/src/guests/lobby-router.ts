import * as lobby from "./lobby";
import { roomInput } from "../lib/common-schemas";
import { lobbyRequestInput } from "./schemas";
import { createTRPCRouter, protectedProcedure } from "../lib/trpc";

/** Asking to join a room and answering (lobby.ts); changes arrive through `room.presenceChanges`. */
export const lobbyRouter = createTRPCRouter({
  /** Who is waiting to be let in (the room's moderators). */
  list: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => lobby.listLobby(ctx.services, ctx.user, input)),

  admit: protectedProcedure
    .input(lobbyRequestInput)
    .mutation(({ ctx, input }) => lobby.decide(ctx.services, ctx.user, input, input.requestId, "admitted")),

  deny: protectedProcedure
    .input(lobbyRequestInput)
    .mutation(({ ctx, input }) => lobby.decide(ctx.services, ctx.user, input, input.requestId, "denied")),

  /** A member asks to join a locked room. */
  knock: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => lobby.knock(ctx.services, ctx.user, input)),

  /** Where the member stands at the room's door (`open` unless it is locked for them). */
  myStatus: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => lobby.knockStatus(ctx.services, ctx.user, input)),
});
