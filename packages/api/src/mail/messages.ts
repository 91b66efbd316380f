/** The emails Parlor sends, as plain text: every client shows it, and links stay visible. */
import type { MailMessage } from "./mailer";

export function passwordResetMessage(to: { email: string; name: string }, url: string): MailMessage {
  return {
    to: to.email,
    subject: "Reset your Parlor password",
    text: [
      `Hello ${to.name},`,
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

export function inviteMessage(
  to: string,
  invite: { teamName: string; inviterName: string; url: string; expiresAt: Date },
): MailMessage {
  return {
    to,
    subject: `${invite.inviterName} invited you to ${invite.teamName} on Parlor`,
    text: [
      "Hello,",
      "",
      `${invite.inviterName} invited you to join the team ${invite.teamName} on Parlor, where it keeps its video rooms.`,
      "",
      "To join, open this link and sign in or create an account:",
      "",
      invite.url,
      "",
      `The link works once and expires on ${invite.expiresAt.toUTCString()}.`,
    ].join("\n"),
  };
}
