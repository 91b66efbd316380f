/** The requests each benchmarked operation sends, exactly as the web client sends them. */
import type { LoadRequest } from "./load";
import { batchRequest } from "./parlor-client";
import type { Joiner } from "./seed";

const withSession = (
  request: ReturnType<typeof batchRequest>,
  cookie: string,
  origin: string,
): LoadRequest => ({
  method: request.method,
  path: request.path,
  body: request.body,
  headers:
    request.method === "POST"
      ? { cookie, origin, "content-type": "application/json", accept: "application/json" }
      : { cookie, accept: "application/json" },
});

/** What the room page sends from "Join" to holding connection details: `room.ensure`, then `room.connectionDetails`. */
export function joinPath(joiner: Joiner, origin: string): LoadRequest[] {
  return [
    withSession(
      batchRequest("room.ensure", "mutation", { teamSlug: joiner.teamSlug, roomSlug: joiner.roomSlug }),
      joiner.session.cookie,
      origin,
    ),
    ...connectionDetailsOnly(joiner, origin),
  ];
}

export function connectionDetailsOnly(joiner: Joiner, origin: string): LoadRequest[] {
  return [
    withSession(
      batchRequest("room.connectionDetails", "query", {
        teamSlug: joiner.teamSlug,
        roomSlug: joiner.roomSlug,
        participantName: joiner.session.user.name,
      }),
      joiner.session.cookie,
      origin,
    ),
  ];
}

/**
 * Meet's `/api/connection-details`: the room and name in the query string, no session. `path` is
 * Parlor's in-app reference route by default, or the bare reference app's route (reference-app.ts).
 */
export function reference(joiner: Joiner, path = "/api/bench/reference-token"): LoadRequest[] {
  const query = new URLSearchParams({ roomName: joiner.roomName, participantName: joiner.session.user.name });
  return [{ method: "GET", path: `${path}?${query}`, headers: { accept: "application/json" } }];
}
