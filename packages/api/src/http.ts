import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { createContext } from "./context";
import { AppError } from "./lib/errors";
import { appRouter } from "./root";
import type { Services } from "./services";

export const TRPC_ENDPOINT = "/api/trpc";

/**
 * Serves the tRPC API over HTTP (the web app's `/api/trpc` route, and tests without a server).
 * `services` may still be starting; when it cannot start (the database is down), every call in
 * the request answers SERVICE_UNAVAILABLE in tRPC's own error shape.
 */
export function handleTRPCRequest(services: Services | (() => Promise<Services>), req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    router: appRouter,
    req,
    createContext: async ({ resHeaders }) => {
      let ready: Services;
      try {
        ready = typeof services === "function" ? await services() : services;
      } catch {
        throw new TRPCError({
          code: "SERVICE_UNAVAILABLE",
          message: "Parlor is starting or cannot reach its database. Please try again in a moment.",
        });
      }
      return createContext(ready, {
        headers: req.headers,
        setCookie: (cookie) => resHeaders.append("set-cookie", cookie),
      });
    },
    responseMeta({ errors, type }) {
      const headers = new Headers({ "cache-control": "no-store" });
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.details.retryAfterSeconds : undefined))
        .find((s) => s !== undefined);
      if (retryAfter) headers.set("retry-after", String(retryAfter));
      // Responses depend on the session cookie: never cache them in shared caches.
      if (type === "query") headers.set("vary", "cookie");
      return { headers };
    },
  });
}

