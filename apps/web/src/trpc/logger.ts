import type { AppRouter } from "@parlor/api";
import { loggerLink, type Operation, type TRPCLink } from "@trpc/client";

/** The procedures whose input must never be printed anywhere: passwords, emails. */
export const isSecretProcedure = (path: string) => path === "auth" || path.startsWith("auth.");

/** Failures a person meets in normal use (wrong password, throttled, not allowed): not a bug to report. */
const EXPECTED_CODES = new Set([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
]);

interface LoggedOperation {
  /** tRPC passes the whole operation, though its types only promise it going up. */
  path?: Operation["path"];
  direction: "up" | "down";
  result?: unknown;
}

/**
 * Whether the development console shows this call: only unexpected failures (a bug, an outage),
 * never an expected one (it would raise Next's red error badge for a wrong password), and never a
 * call of `auth.*`, whose input holds a password (Next forwards the browser console to the
 * `pnpm dev` terminal).
 */
export function shouldLogOperation(entry: LoggedOperation, development: boolean): boolean {
  if (!development || entry.direction !== "down" || !(entry.result instanceof Error)) return false;
  if (entry.path === undefined || isSecretProcedure(entry.path)) return false;
  const code = (entry.result as { data?: { code?: unknown } }).data?.code;
  return typeof code !== "string" || !EXPECTED_CODES.has(code);
}

/** tRPC's logger link under that rule. */
export function devLoggerLink(development = process.env.NODE_ENV === "development"): TRPCLink<AppRouter> {
  return loggerLink({ enabled: (entry) => shouldLogOperation(entry, development) });
}
