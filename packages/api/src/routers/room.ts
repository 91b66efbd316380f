import * as rooms from "../rooms";
import { teamSlugInput } from "../schemas/common";
import { connectionDetailsInput, createRoomInput, renameRoomInput, roomInput } from "../schemas/room";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const roomRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createRoomInput)
    .mutation(({ ctx, input }) => rooms.createRoom(ctx.services, ctx.user, input.teamSlug, input.name)),

  list: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => rooms.listRooms(ctx.services, ctx.user, input.teamSlug)),

  get: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => rooms.getRoom(ctx.services, ctx.user, input.teamSlug, input.roomSlug)),

  rename: protectedProcedure
    .input(renameRoomInput)
    .mutation(({ ctx, input }) =>
      rooms.renameRoom(ctx.services, ctx.user, input.teamSlug, input.roomSlug, input.name),
    ),

  delete: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => rooms.deleteRoom(ctx.services, ctx.user, input.teamSlug, input.roomSlug)),

  ensure: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => rooms.ensureRoom(ctx.services, ctx.user, input.teamSlug, input.roomSlug)),

  /** A query (no side effects): it only reads and signs a token. */
  connectionDetails: protectedProcedure
    .input(connectionDetailsInput)
    .query(({ ctx, input }) =>
      rooms.connectionDetails(ctx.services, ctx.user, input.teamSlug, input.roomSlug, input.participantName),
    ),
});
