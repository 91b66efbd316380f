import pino, { type Logger } from "pino";

export type { Logger };

/** Structured JSON logs. Secrets are redacted by key wherever they appear in a log object. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "parlor" },
    redact: {
      paths: [
        "password",
        "*.password",
        "newPassword",
        "*.newPassword",
        "token",
        "*.token",
        "participantToken",
        "*.participantToken",
        "cookie",
        "*.cookie",
        "headers.cookie",
        "headers.authorization",
        "*.headers.cookie",
        "*.headers.authorization",
        "authorization",
        "*.authorization",
      ],
      censor: "[redacted]",
    },
  });
}
