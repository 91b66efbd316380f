import { guestTokenInput } from "../guests/schemas";
import { roomInput } from "../lib/common-schemas";
import { teamSlugInput } from "../lib/common-schemas";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../lib/trpc";
import * as recordings from "./logic";
import { recordingInput, setMembersRecordInput } from "./schemas";

/** Recording a room's meetings (logic.ts): start, stop, list, delete, and the team's policy. */
export const recordingRouter = createTRPCRouter({
  /** Owners and admins (members when the team allows); refused in encrypted rooms. */
  start: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => recordings.startRecording(ctx.services, ctx.user, input)),

  /** Resolves once the file is finished. */
  stop: protectedProcedure
    .input(roomInput)
    .mutation(({ ctx, input }) => recordings.stopRecording(ctx.services, ctx.user, input)),

  /** The room's recordings (members), whether one is running, and whether the caller may record. */
  list: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => recordings.listRecordings(ctx.services, ctx.user, input)),

  /** Whether the room's meeting is being recorded now (the pre-join says so). */
  status: protectedProcedure
    .input(roomInput)
    .query(({ ctx, input }) => recordings.recordingStatus(ctx.services, ctx.user, input)),

  /** The same for a guest link's page, before the guest enters. */
  guestStatus: publicProcedure
    .input(guestTokenInput)
    .query(({ ctx, input }) => recordings.recordingStatusForGuestLink(ctx.services, input.token)),

  /** Owners and admins; the file goes with it. */
  delete: protectedProcedure
    .input(recordingInput)
    .mutation(({ ctx, input }) => recordings.deleteRecording(ctx.services, ctx.user, input)),

  policy: protectedProcedure
    .input(teamSlugInput)
    .query(({ ctx, input }) => recordings.recordingPolicy(ctx.services, ctx.user, input.teamSlug)),

  /** Whether members may record, and how many days recordings are kept (owners and admins). */
  setPolicy: protectedProcedure
    .input(setMembersRecordInput)
    .mutation(({ ctx, input: { teamSlug, ...change } }) =>
      recordings.setRecordingPolicy(ctx.services, ctx.user, teamSlug, change),
    ),
});
