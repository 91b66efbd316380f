/**
 * Domain errors. Logic throws these; `toTRPCError` in trpc.ts is the one place that maps them to
 * tRPC codes. Messages are written for the person who will read them.
 */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

/** Machine-readable causes a page acts on (e.g. offer to knock when a room is locked). */
export type ErrorReason = "room-locked" | "room-encrypted";

/** Marks AppErrors from any copy of this module (see `AppError[Symbol.hasInstance]`). */
const APP_ERROR = Symbol.for("parlor.AppError");

export class AppError extends Error {
  override name = "AppError";
  readonly [APP_ERROR] = true;

  /**
   * `instanceof AppError` holds for an AppError made by another copy of this module. A bundler
   * can load a module twice (Next builds instrumentation, which creates the services, and the
   * route handlers as separate module graphs); without this, a LiveKit failure thrown by the
   * services' copy was not recognised by the router's copy and answered 500 instead of 503.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" && value !== null && (value as { [APP_ERROR]?: unknown })[APP_ERROR] === true
    );
  }

  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: {
      field?: string;
      retryAfterSeconds?: number;
      /** For SERVICE_UNAVAILABLE: which service failed (metrics), when not LiveKit. */
      dependency?: "livekit" | "smtp" | "recorder" | "storage";
      reason?: ErrorReason;
    } = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, message: string) => new AppError("BAD_REQUEST", message, { field });
export const notFound = (message: string) => new AppError("NOT_FOUND", message);
export const forbidden = (message: string) => new AppError("FORBIDDEN", message);
export const conflict = (message: string, field?: string) => new AppError("CONFLICT", message, { field });
export const unauthorized = (message = "Please sign in to continue.") =>
  new AppError("UNAUTHORIZED", message);
/** A room is end-to-end encrypted: Parlor's server must not see or keep what is said in it. */
export const roomEncrypted = (message: string) =>
  new AppError("FORBIDDEN", message, { reason: "room-encrypted" });
export const serviceUnavailable = (message: string) => new AppError("SERVICE_UNAVAILABLE", message);

export function tooManyRequests(retryAfterSeconds: number, what = "Too many attempts") {
  const wait = Math.max(1, Math.ceil(retryAfterSeconds));
  const human =
    wait < 90
      ? `${wait} seconds`
      : wait < 90 * 60
        ? `${Math.ceil(wait / 60)} minutes`
        : `${Math.ceil(wait / 3600)} hours`;
  return new AppError("TOO_MANY_REQUESTS", `${what}. Please try again in ${human}.`, {
    retryAfterSeconds: wait,
  });
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "57014", // query_canceled (statement timeout)
  "53300", // too_many_connections
]);

/** True when an error (or anything in its cause chain) means the database could not be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_ERROR_CODES.has(code) || code.startsWith("08"))) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The first error code in an error's cause chain (a Postgres SQLSTATE, a driver or socket code), for logs. */
export function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "SERVICE_UNAVAILABLE") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The Postgres error code of a failed query (drizzle wraps the driver's error in `cause`). */
export function postgresErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => postgresErrorCode(error) === "23505";
