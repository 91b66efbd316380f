import { guardLiveStream } from "../access";
import * as guests from "../guests/logic";
import * as hands from "../calls/hands";
import * as lobby from "../guests/lobby";
import * as moderation from "../calls/moderation";
import * as rooms from "./logic";
import { roomInput, teamSlugInput } from "../lib/common-schemas";
import { createGuestLinkInput, revokeGuestLinkInput, setLockedInput } from "../guests/schemas";
import {
  connectionDetailsInput,
  createRoomInput,
  ensureRoomInput,
  muteParticipantInput,
  participantInput,
  renameRoomInput,
  roomHistoryInput,
  setEncryptedInput,
  setHandInput,
} from "./schemas";
import { requireMembership } from "../teams/logic";
import { createTRPCRouter, protectedProcedure } from "../lib/trpc";

export const roomRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createRoomInput)
    .mutation(({ ctx, input }) =>
      rooms.createRoom(ctx.services, ctx.user, input.teamSlug, input.name, { e2ee: input.e2ee }),
    ),

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
    .input(ensureRoomInput)
    .mutation(({ ctx, input }) =>
      rooms.ensureRoom(ctx.services, ctx.user, input.teamSlug, input.roomSlug, { create: input.create }),
    ),

  /** A query (no side effects): it only reads and signs a token. */
  connectionDetails: protectedProcedure
    .input(connectionDetailsInput)
    .query(({ ctx, input }) =>
      rooms.connectionDetails(ctx.services, ctx.user, input.teamSlug, input.roomSlug, input.participantName),
    ),

  history: protectedProcedure
    .input(roomHistoryInput)
    .query(({ ctx, input }) =>
      rooms.getRoomHistory(ctx.services, ctx.user, input.teamSlug, input.roomSlug, input.limit),
    ),

  /**
   * Signals each change of who is in the team's rooms (server-sent events); clients then refetch
   * `room.list`. Closes when the session ends or the membership is withdrawn; capped per session
   * and per user.
   */
  presenceChanges: protectedProcedure.input(teamSlugInput).subscription(async ({ ctx, input, signal }) => {
    const team = await requireMembership(ctx.services, ctx.user, input.teamSlug);
    const holder = { sessionId: ctx.session.sessionId, userId: ctx.user.id };
    return guardLiveStream(ctx.services, holder, { teamId: team.id }, signal, async function* (open) {
      for await (const teamId of ctx.services.presenceBus.changes(open)) {
        if (teamId === team.id) yield { teamSlug: team.slug, at: new Date() };
      }
    });
  }),

  muteParticipant: protectedProcedure
    .input(muteParticipantInput)
    .mutation(({ ctx, input }) =>
      moderation.muteParticipant(ctx.services, ctx.user, input, input.identity, input.kind),
    ),

  removeParticipant: protectedProcedure
    .input(participantInput)
    .mutation(({ ctx, input }) =>
      moderation.removeParticipant(ctx.services, ctx.user, input, input.identity),
    ),

  /** Raises or lowers the caller's own hand in the call. */
  setHand: protectedProcedure
    .input(setHandInput)
    .mutation(({ ctx, input }) => hands.setOwnHand(ctx.services, ctx.user, input, input.raised)),

  /** Moderators lower someone's hand. */
  lowerHand: protectedProcedure
    .input(participantInput)
    .mutation(({ ctx, input }) => moderation.lowerHand(ctx.services, ctx.user, input, input.identity)),

  end: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => moderation.endRoom(ctx.services, ctx.user, input)),

  /** While locked, everyone but the room's moderators knocks; it lifts when the meeting ends. */
  setLocked: protectedProcedure
    .input(setLockedInput)
    .mutation(({ ctx, input }) => lobby.setLocked(ctx.services, ctx.user, input, input.locked)),

  /** End-to-end encryption on or off (owners, admins); refused while anyone is in the call. */
  setEncrypted: protectedProcedure
    .input(setEncryptedInput)
    .mutation(({ ctx, input }) =>
      rooms.setRoomEncrypted(ctx.services, ctx.user, input.teamSlug, input.roomSlug, input.encrypted),
    ),

  createGuestLink: protectedProcedure
    .input(createGuestLinkInput)
    .mutation(({ ctx, input }) => guests.createGuestLink(ctx.services, ctx.user, input, ctx.meta.origin)),

  guestLinks: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => guests.listGuestLinks(ctx.services, ctx.user, input)),

  revokeGuestLink: protectedProcedure
    .input(revokeGuestLinkInput)
    .mutation(({ ctx, input }) => guests.revokeGuestLink(ctx.services, ctx.user, input)),
});
