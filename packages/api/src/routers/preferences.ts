import { getPreferences, updatePreferences } from "../preferences";
import { updatePreferencesInput } from "../schemas/preferences";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const preferencesRouter = createTRPCRouter({
  get: protectedProcedure.query(({ ctx }) => getPreferences(ctx.services, ctx.user.id)),
  update: protectedProcedure
    .input(updatePreferencesInput)
    .mutation(({ ctx, input }) => updatePreferences(ctx.services, ctx.user.id, input)),
});
