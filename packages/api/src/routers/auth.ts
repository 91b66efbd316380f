import { changePassword, signIn, signOut, signUp } from "../auth/service";
import { changePasswordInput, signInInput, signUpInput } from "../schemas/auth";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { user, cookie } = await signUp(ctx.services, input, ctx.meta);
    ctx.setCookie(cookie.serialized);
    return { user };
  }),

  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const { user, cookie } = await signIn(ctx.services, input, ctx.meta);
    ctx.setCookie(cookie.serialized);
    return { user };
  }),

  signOut: protectedProcedure.mutation(async ({ ctx }) => {
    ctx.setCookie((await signOut(ctx.services, ctx.session.sessionId, ctx.meta.secure)).serialized);
    return { ok: true as const };
  }),

  me: publicProcedure.query(async ({ ctx }) => (await ctx.auth())?.user ?? null),

  changePassword: protectedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changePassword(
      ctx.services,
      { sessionId: ctx.session.sessionId, userId: ctx.user.id },
      input,
      ctx.meta,
    );
    return { ok: true as const };
  }),
});
