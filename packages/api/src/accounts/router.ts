import { checkPasswordReset, requestPasswordReset, resetPassword } from "./password-reset";
import { changePassword, hasAccounts, signIn, signOut, signUp } from "./auth";
import {
  changePasswordInput,
  deleteAccountInput,
  passwordResetTokenInput,
  requestPasswordResetInput,
  resetPasswordInput,
  signInInput,
  signUpInput,
} from "./schemas";
import { deleteOwnAccount } from "./users";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../lib/trpc";

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
    ctx.setCookie(
      (
        await signOut(
          ctx.services,
          { sessionId: ctx.session.sessionId, userId: ctx.user.id },
          ctx.meta.secure,
        )
      ).serialized,
    );
    return { ok: true as const };
  }),

  me: publicProcedure.query(async ({ ctx }) => (await ctx.auth())?.user ?? null),

  /** Whether this instance has no account yet (its first sign-up becomes the site admin). */
  firstRun: publicProcedure.query(async ({ ctx }) => ({ firstRun: !(await hasAccounts(ctx.services)) })),

  changePassword: protectedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changePassword(
      ctx.services,
      { sessionId: ctx.session.sessionId, userId: ctx.user.id },
      input,
      ctx.meta,
    );
    return { ok: true as const };
  }),

  /** What the sign-in and team pages offer: with no SMTP, reset links come from a site admin. */
  capabilities: publicProcedure.query(({ ctx }) => ({ email: ctx.services.mailer.enabled })),

  /** Same answer whether or not the address has an account. */
  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx.services, input.email, ctx.meta)),

  checkPasswordReset: publicProcedure
    .input(passwordResetTokenInput)
    .query(({ ctx, input }) => checkPasswordReset(ctx.services, input.token)),

  /**
   * Sets the new password and ends every session of the account; the person then signs in. A
   * cookie of one of those sessions is cleared on its next use; another account's is left alone.
   */
  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx, input }) => resetPassword(ctx.services, input.token, input.password)),

  deleteAccount: protectedProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    await deleteOwnAccount(ctx.services, ctx.user, input.password, ctx.meta);
    ctx.setCookie(ctx.services.sessions.blankCookie(ctx.meta.secure).serialized);
    return { ok: true as const };
  }),
});
