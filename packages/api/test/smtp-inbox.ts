/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives, parsed
 * by `mailparser`: tests send Parlor's emails through an actual SMTP exchange, never a mock.
 */
import type { AddressInfo } from "node:net";

import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** Envelope recipients, as the SMTP exchange named them (RCPT TO). */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  mailFrom: string;
  from: string;
  subject: string;
  text: string;
  /** The HTML part, when the email has one. */
  html: string | null;
  /** The user the client authenticated as. */
  authenticatedAs: string | undefined;
}

export async function startSmtpInbox(credentials = { user: "parlor", password: "mail-secret" }) {
  const received: ReceivedMail[] = [];
  const listeners = new Set<() => void>();
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, but AUTH still required.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error("Invalid username or password"));
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            from: mail.from?.text ?? "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: mail.html || null,
            authenticatedAs: typeof session.user === "string" ? session.user : undefined,
          });
          for (const listener of listeners) listener();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${credentials.user}:${credentials.password}@127.0.0.1:${port}`,
    port,
    received,
    /** The messages sent to `address` so far. */
    to: (address: string) => received.filter((m) => m.to.includes(address)),
    /** Waits for the `count`-th message to `address`. */
    async waitFor(address: string, count = 1, timeoutMs = 5_000): Promise<ReceivedMail> {
      const found = () => received.filter((m) => m.to.includes(address))[count - 1];
      if (found()) return found()!;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no email number ${count} to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          const mail = found();
          if (!mail) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(mail);
        };
        listeners.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpInbox = Awaited<ReturnType<typeof startSmtpInbox>>;

/** The first link to `path` (e.g. "/reset-password/") in a message's text, and its token. */
export function linkIn(mail: ReceivedMail, origin: string, path: string) {
  const escaped = `${origin}${path}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return { url: match[0], token: match[1]! };
}
