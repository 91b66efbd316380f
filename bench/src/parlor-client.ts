/**
 * Talks to a running Parlor the way its web client does: tRPC over HTTP (superjson, the batch
 * link's URL and body shapes), the session cookie, and an Origin header equal to the app's own
 * on every POST (the proxy refuses others as cross-site).
 */
import superjson from "superjson";

export interface Session {
  cookie: string;
  user: { id: string; email: string; name: string; isAdmin: boolean };
}

export class TRPCCallError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly body: string,
  ) {
    super(`${path}: HTTP ${status} ${code ?? ""} ${message}`);
  }
}

interface Envelope {
  result?: { data: { json: unknown; meta?: unknown } };
  error?: { json: { message: string; code: number; data?: { code?: string; httpStatus?: number } } };
}

/** The exact request the web client's httpBatchLink sends for one call. */
export function batchRequest(path: string, type: "query" | "mutation", input: unknown) {
  const serialized = { 0: superjson.serialize(input) };
  if (type === "query") {
    return {
      method: "GET" as const,
      path: `/api/trpc/${path}?batch=1&input=${encodeURIComponent(JSON.stringify(serialized))}`,
      body: undefined,
    };
  }
  return { method: "POST" as const, path: `/api/trpc/${path}?batch=1`, body: JSON.stringify(serialized) };
}

export function createParlorClient(baseUrl: string, defaults: { forwardedFor?: string } = {}) {
  const origin = new URL(baseUrl).origin;

  function headersFor(
    method: string,
    session?: { cookie: string } | null,
    extra: Record<string, string> = {},
  ) {
    const headers: Record<string, string> = { accept: "application/json", ...extra };
    if (method !== "GET") {
      headers.origin = origin;
      headers["content-type"] = "application/json";
    }
    if (session?.cookie) headers.cookie = session.cookie;
    if (defaults.forwardedFor) headers["x-forwarded-for"] = defaults.forwardedFor;
    return headers;
  }

  async function call<T>(
    type: "query" | "mutation",
    path: string,
    input: unknown,
    session?: { cookie: string } | null,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ data: T; response: Response }> {
    const request = batchRequest(path, type, input);
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: headersFor(request.method, session, extraHeaders),
      body: request.body,
    });
    const text = await response.text();
    let parsed: Envelope[] | undefined;
    try {
      parsed = JSON.parse(text) as Envelope[];
    } catch {
      throw new TRPCCallError(path, response.status, undefined, "response is not JSON", text);
    }
    const first = parsed[0];
    if (!first || first.error || !first.result) {
      const error = first?.error?.json;
      throw new TRPCCallError(path, response.status, error?.data?.code, error?.message ?? "no result", text);
    }
    return { data: superjson.deserialize(first.result.data as never) as T, response };
  }

  return {
    baseUrl,
    origin,
    query: <T = unknown>(
      path: string,
      input: unknown,
      session?: { cookie: string } | null,
      extra?: Record<string, string>,
    ) => call<T>("query", path, input, session, extra).then((r) => r.data),
    mutate: <T = unknown>(
      path: string,
      input: unknown,
      session?: { cookie: string } | null,
      extra?: Record<string, string>,
    ) => call<T>("mutation", path, input, session, extra).then((r) => r.data),

    /** Creates an account; the returned cookie is the new session's. `ip` stands for the client's address. */
    async signUp(email: string, password: string, name: string, ip?: string): Promise<Session> {
      const { data, response } = await call<{ user: Session["user"] }>(
        "mutation",
        "auth.signUp",
        { email, password, name },
        null,
        ip ? { "x-forwarded-for": ip } : {},
      );
      const cookie = response.headers
        .getSetCookie()
        .map((line) => line.split(";")[0]!)
        .find((pair) => /auth_session=/.test(pair));
      if (!cookie) throw new Error("auth.signUp answered without a session cookie");
      return { cookie, user: data.user };
    },
  };
}

export type ParlorClient = ReturnType<typeof createParlorClient>;
