import type { AppRouter } from "@parlor/api";
import type { TRPCClientErrorLike } from "@trpc/client";

export type ClientError = TRPCClientErrorLike<AppRouter>;

export interface ErrorInfo {
  /** A sentence a person can act on. */
  message: string;
  /** The tRPC error code, e.g. "BAD_REQUEST"; undefined when the server was not reached. */
  code: string | undefined;
  /** Messages per input field, for forms to show beside the field. */
  fieldErrors: Record<string, string[]>;
  /** Set when the server throttled the request. */
  retryAfterSeconds: number | undefined;
  requestId: string | undefined;
}

const UNREACHABLE = "Parlor could not be reached. Check your connection and try again.";

/** Reads what a failed call said: its message, field errors and retry time. */
export function describeError(error: ClientError | Error | null | undefined): ErrorInfo {
  const data = error && "data" in error ? (error.data as ClientError["data"] | undefined) : undefined;
  let message = error?.message || "Something went wrong. Please try again.";
  // fetch() failing outright (offline, server down) surfaces as a TypeError's message.
  if (!data && /failed to fetch|networkerror|load failed|fetch failed/i.test(message)) message = UNREACHABLE;
  if (!data && /^Unexpected token|is not valid JSON/i.test(message)) message = UNREACHABLE;
  return {
    message,
    code: data?.code,
    fieldErrors: data?.fieldErrors ?? {},
    retryAfterSeconds: data?.retryAfterSeconds,
    requestId: data?.requestId,
  };
}

/** The first message for one field, from the server's `fieldErrors`. */
export function fieldError(error: ClientError | Error | null | undefined, field: string): string | undefined {
  return describeError(error).fieldErrors[field]?.[0];
}
