import { getPreferences, updatePreferences } from "./preferences";
import { updatePreferencesInput } from "./preferences-schemas";
import { createTRPCRouter, protectedProcedure } from "../lib/trpc";

export const preferencesRouter = createTRPCRouter({
  get: protectedProcedure.query(({ ctx }) => getPreferences(ctx.services, ctx.user.id)),
  update: protectedProcedure
    .input(updatePreferencesInput)
    .mutation(({ ctx, input }) => updatePreferences(ctx.services, ctx.user.id, input)),
});
