/**
 * The emails Parlor sends, as plain text: every client shows it, and links stay visible. Names
 * people typed (a team's, a person's) appear only in the body, never in the subject, and made
 * unlinkable: the only link in an email is the one Parlor made.
 */
import type { MailMessage } from "./mailer";

export function passwordResetMessage(to: { email: string; name: string }, url: string): MailMessage {
  return {
    to: to.email,
    subject: "Reset your Parlor password",
    text: [
      `Hello ${unlinkable(to.name)},`,
      "",
      "Someone (hopefully you) asked to reset the password of your Parlor account. To choose a new one, open this link within the hour:",
      "",
      url,
      "",
      "The link works once. Resetting signs you out everywhere.",
      "",
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ].join("\n"),
  };
}

export const INVITE_SUBJECT = "You're invited to a team on Parlor";

export function inviteMessage(
  to: string,
  invite: { teamName: string; inviterName: string; url: string; expiresAt: Date },
): MailMessage {
  return {
    to,
    subject: INVITE_SUBJECT,
    text: [
      "Hello,",
      "",
      `${unlinkable(invite.inviterName)} invited you to join the team “${unlinkable(invite.teamName)}” on Parlor, where it keeps its video rooms.`,
      "",
      "To join, open this link and sign in or create an account:",
      "",
      invite.url,
      "",
      `The link works once and expires on ${invite.expiresAt.toUTCString()}.`,
    ].join("\n"),
  };
}

/**
 * Text someone typed, written so that no mail client makes a link of it: the separators of web
 * and email addresses are bracketed the way security notices write them ("evil[.]example",
 * "http[:]//"). Ordinary names ("Acme Inc.", "R&D") are left as they are.
 */
export function unlinkable(text: string): string {
  return text
    .replace(/:\/\//g, "[:]//")
    .replace(/(?<=[\p{L}\p{N}_-])\.(?=\p{L})/gu, "[.]")
    .replace(/(?<=\S)@(?=\S)/gu, "[@]");
}
