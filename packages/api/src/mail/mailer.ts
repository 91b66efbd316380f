/**
 * The only code that sends email: one SMTP transport (nodemailer) built from SMTP_URL and
 * MAIL_FROM. Without SMTP_URL, `enabled` is false and sending is refused.
 */
import { createTransport } from "nodemailer";

import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

const NOT_CONFIGURED =
  "This Parlor cannot send email: it has no SMTP server configured. Ask your site administrator.";
const SEND_FAILED =
  "Parlor could not send the email just now. Please try again in a moment; if it keeps happening, ask your administrator to check SMTP_URL.";

export function createMailer(config: Config["mail"], logger: Logger) {
  const transport = config
    ? createTransport(
        {
          url: config.smtpUrl,
          // Bounded waits, so a dead mail server cannot hold a request.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
        },
        { from: config.from },
      )
    : null;
  /** Sends started in the background and not yet settled. */
  const pending = new Set<Promise<void>>();

  async function send(message: MailMessage): Promise<void> {
    if (!transport) throw new AppError("BAD_REQUEST", NOT_CONFIGURED);
    try {
      await transport.sendMail(message);
    } catch (error) {
      const code = (error as { code?: unknown; responseCode?: unknown }).code;
      const responseCode = (error as { responseCode?: unknown }).responseCode;
      logger.warn(
        { code, responseCode, reason: error instanceof Error ? error.message : String(error) },
        "sending email failed",
      );
      throw new AppError("SERVICE_UNAVAILABLE", SEND_FAILED, { dependency: "smtp" });
    }
  }

  return {
    enabled: transport !== null,
    send,

    /**
     * Sends without making the caller wait: used where the answer must not depend on whether a
     * message went out (a reset request for an unknown address answers as fast as for a known one).
     * Failures are logged by `send`.
     */
    sendInBackground(message: () => Promise<MailMessage | null>): void {
      const task = message()
        .then((built) => (built ? send(built) : undefined))
        .catch((error: unknown) => {
          if (!(error instanceof AppError)) logger.error({ err: error }, "preparing an email failed");
        })
        .finally(() => pending.delete(task));
      pending.add(task);
    },

    /** Resolves once every background send has finished (tests; a graceful shutdown). */
    async idle(): Promise<void> {
      while (pending.size) await Promise.all(pending);
    },

    close: () => transport?.close(),
  };
}

export type Mailer = ReturnType<typeof createMailer>;
