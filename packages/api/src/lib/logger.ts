import pino, { stdSerializers, type Logger } from "pino";

export type { Logger };

/**
 * Errors as logged: drizzle puts a failed query's parameters (which can hold a password hash, an
 * email or a token's hash) into the message and the error; both are dropped, the SQL is kept.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized.params;
  if (typeof serialized.message === "string") serialized.message = stripParams(serialized.message);
  if (typeof serialized.stack === "string") serialized.stack = stripParams(serialized.stack);
  if (error.cause) serialized.cause = serializeError(error.cause);
  return serialized;
}

const stripParams = (text: string) => text.replace(/\nparams: [^\n]*/g, "\nparams: [redacted]");

/** Structured JSON logs. Secrets are redacted by key wherever they appear in a log object. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "parlor" },
      serializers: { err: serializeError },
      redact: {
        paths: [
          "password",
          "*.password",
          "newPassword",
          "*.newPassword",
          "currentPassword",
          "*.currentPassword",
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
    },
    destination ?? pino.destination(1),
  );
}
