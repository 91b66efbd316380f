import { appRouter, createContext, getServices, type Services } from "@parlor/api/server";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

const STARTING =
  "Parlor is starting or cannot reach its database right now. Please try again in a moment.";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    router: appRouter,
    req,
    createContext: async ({ resHeaders }) => {
      let services: Services;
      try {
        services = await getServices();
      } catch {
        // The database is down at first use: answer 503 in tRPC's error shape, never a stack trace.
        throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: STARTING });
      }
      return createContext(services, {
        headers: req.headers,
        setCookie: (cookie) => resHeaders.append("set-cookie", cookie),
      });
    },
    responseMeta({ errors, data, type }) {
      const headers = new Headers({ "cache-control": "no-store" });
      if (type === "query") headers.set("vary", "cookie");
      // Throttled calls tell clients when to come back, from the domain error or the error shape.
      const fromCause = errors
        .filter((error) => error.code === "TOO_MANY_REQUESTS")
        .map((error) => (error.cause as { details?: { retryAfterSeconds?: number } } | undefined)?.details)
        .map((details) => details?.retryAfterSeconds)
        .find((seconds) => typeof seconds === "number");
      const fromShape = data
        .map((response) => ("error" in response ? response.error.data : undefined))
        .filter((shape) => shape?.code === "TOO_MANY_REQUESTS")
        .map((shape) => shape?.retryAfterSeconds)
        .find((seconds) => typeof seconds === "number");
      const retryAfter = fromCause ?? fromShape;
      if (retryAfter !== undefined) headers.set("retry-after", String(Math.ceil(retryAfter)));
      return { headers };
    },
  });
}

export { handler as GET, handler as POST };
