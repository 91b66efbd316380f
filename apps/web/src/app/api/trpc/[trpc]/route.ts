import { getServices, handleTRPCRequest } from "@parlor/api/server";

/**
 * The tRPC API. The handler answers SERVICE_UNAVAILABLE in tRPC's error shape when the services
 * cannot start (the database is down at first use), adds `Retry-After` to throttled calls, and
 * streams `room.presenceChanges` as server-sent events.
 */
function handler(req: Request) {
  return handleTRPCRequest(getServices, req);
}

export { handler as GET, handler as POST };
