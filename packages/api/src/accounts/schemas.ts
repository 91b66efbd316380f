import * as z from "../lib/zod";

import { displayText, emailSchema, linkToken } from "../lib/common-schemas";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export const newPasswordSchema = z
  .string({ error: "Choose a password." })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

export const signUpInput = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  name: displayText("Name"),
});

export const signInInput = z.object({
  email: emailSchema,
  password: z
    .string({ error: "Enter your password." })
    .min(1, "Enter your password.")
    .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`),
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(PASSWORD_MAX),
  newPassword: newPasswordSchema,
});

export const requestPasswordResetInput = z.object({ email: emailSchema });

export const passwordResetTokenInput = z.object({
  token: linkToken("That password reset link is not valid."),
});

/** The new password follows the same rules as at sign-up. */
export const resetPasswordInput = passwordResetTokenInput.extend({ password: newPasswordSchema });

export const deleteAccountInput = z.object({
  password: z
    .string({ error: "Enter your password to confirm." })
    .min(1, "Enter your password to confirm.")
    .max(PASSWORD_MAX),
});

export type SignUpInput = z.input<typeof signUpInput>;
export type SignInInput = z.input<typeof signInInput>;

const NEXT_BASE = "http://parlor.invalid";

/**
 * Where to go after signing in: a path on this site, or the home page. What is judged is the
 * path as a browser will follow it, after normalisation (dot segments, `%2e`, backslashes, tabs
 * and newlines resolved): `/.//evil.example` normalises to `//evil.example`, another host.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || typeof next !== "string") return "/";
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return "/";
  if (/\p{Cc}/u.test(next)) return "/";
  try {
    const url = new URL(next, NEXT_BASE);
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (url.origin !== NEXT_BASE || !path.startsWith("/") || /^\/[/\\]/.test(path)) return "/";
    return path;
  } catch {
    return "/";
  }
}
