import { initTRPC, TRPCError } from "@trpc/server";
import * as z from "zod";

import type { Context } from "./context";
import {
  AppError,
  errorCode,
  isDatabaseUnavailable,
  type ErrorReason,
  postgresErrorCode,
  unauthorized,
  forbidden,
} from "./errors";
import { isTransientConflict } from "./retry";
import { transformer } from "./transformer";

export interface ErrorData {
  /** Messages per input field, for forms to show beside the field. */
  fieldErrors?: Record<string, string[]>;
  retryAfterSeconds?: number;
  /** Why, when a page should act on it (see `ErrorReason`). */
  reason?: ErrorReason;
  /** Quoted in logs; lets a person report an unexpected failure. */
  requestId?: string;
}

const GENERIC_MESSAGE = "Something went wrong on our side. Please try again in a moment.";
const VALUE_NOT_STORABLE = "Some of what was sent cannot be stored. Check it and try again.";
const DATABASE_UNAVAILABLE = "Parlor cannot reach its database right now. Please try again in a moment.";
const DATABASE_CONFLICT = "Someone changed the same thing at this moment. Please try again.";

/** The one place where domain errors become tRPC errors. */
export function toTRPCError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof AppError) return new TRPCError({ code: cause.code, message: cause.message, cause });
  if (isDatabaseUnavailable(cause) || isDatabaseUnavailable(error)) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE, cause });
  }
  // A deadlock that outlasted its retries (lib/retry.ts): nothing was changed, and a retry works.
  if (isTransientConflict(cause)) {
    return new TRPCError({ code: "CONFLICT", message: DATABASE_CONFLICT, cause });
  }
  // Postgres "data exceptions" (class 22: a value it cannot store or read, e.g. a NUL character,
  // a date out of range) come from what the client sent, whichever check let it through.
  if (postgresErrorCode(cause)?.startsWith("22")) {
    return new TRPCError({ code: "BAD_REQUEST", message: VALUE_NOT_STORABLE, cause });
  }
  return error;
}

const t = initTRPC.context<Context>().create({
  // superjson on the wire, serialised faster for plain answers (lib/transformer.ts).
  transformer,
  // Never send stack traces, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const data: typeof shape.data & ErrorData = { ...shape.data };
    delete (data as { stack?: unknown }).stack;
    let message = shape.message;

    if (error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError) {
      const flattened = z.flattenError(error.cause);
      const fieldErrors = flattened.fieldErrors as Record<string, string[]>;
      data.fieldErrors = fieldErrors;
      const [field, messages] = Object.entries(fieldErrors)[0] ?? [];
      message = messages?.[0]
        ? `${field}: ${messages[0]}`
        : (flattened.formErrors[0] ?? "The request is not valid.");
    } else if (error.cause instanceof AppError) {
      const { field, retryAfterSeconds, reason } = error.cause.details;
      if (field) data.fieldErrors = { [field]: [error.cause.message] };
      if (retryAfterSeconds) data.retryAfterSeconds = retryAfterSeconds;
      if (reason) data.reason = reason;
    } else if (error.code === "INTERNAL_SERVER_ERROR") {
      message = GENERIC_MESSAGE;
    } else if (error.code === "PARSE_ERROR") {
      message = "The request could not be read.";
    }
    if (ctx) data.requestId = ctx.meta.requestId;
    return { ...shape, message, data };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

/** Maps domain errors to tRPC codes and logs the unexpected ones with the request id. */
const errorHandling = t.middleware(async ({ ctx, next, path, type }) => {
  const start = performance.now();
  const result = await next();
  const { metrics } = ctx.services;
  metrics.procedureDuration.observe({ path, type }, (performance.now() - start) / 1000);
  if (result.ok) {
    metrics.procedureCalls.inc({ path, type, code: "OK" });
    if (type === "subscription" && isAsyncIterable(result.data)) {
      return { ...result, data: mapStreamErrors(result.data) };
    }
    return result;
  }
  const mapped = toTRPCError(result.error);
  metrics.procedureCalls.inc({ path, type, code: mapped.code });
  if (mapped.code === "SERVICE_UNAVAILABLE") {
    metrics.dependencyErrors.inc({
      dependency:
        mapped.cause instanceof AppError ? (mapped.cause.details.dependency ?? "livekit") : "database",
    });
  }
  if (mapped.code === "INTERNAL_SERVER_ERROR") {
    ctx.logger.error({ err: mapped.cause ?? mapped, path, type }, "unexpected error in procedure");
  } else if (mapped.code === "SERVICE_UNAVAILABLE") {
    const cause = errorCode(mapped.cause);
    ctx.logger.warn(
      { path, reason: mapped.message, cause, ms: performance.now() - start },
      "dependency unavailable",
    );
  }
  throw mapped;
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** A subscription's errors come while it streams, after the middleware returned: map them the same way. */
async function* mapStreamErrors<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw toTRPCError(
      error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error }),
    );
  }
}

export const publicProcedure = t.procedure.use(errorHandling);

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const auth = await ctx.auth();
  if (!auth) throw unauthorized();
  return next({ ctx: { ...ctx, session: auth.session, user: auth.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw forbidden("Only site administrators can do this.");
  return next();
});

/**
 * For guests (guests/logic.ts): a guest session from its own cookie, bound to one room. Guests are not
 * signed in: every other procedure's `ctx.auth()` is null for them.
 */
export const guestProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const guest = await ctx.guest();
  if (!guest) {
    throw unauthorized("Your guest pass has ended. Open the guest link again to ask to join.");
  }
  return next({ ctx: { ...ctx, guestSession: guest } });
});
