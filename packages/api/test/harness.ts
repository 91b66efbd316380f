/**
 * Test harness: Parlor's real services on a fresh database (PGlite, or Postgres when the test
 * project says so), reached through the real HTTP handler with a tRPC client per simulated
 * browser, cookies and all. `startTestAppOnLiveKit` talks to the real LiveKit server;
 * `startTestApp` to the double, for tests that inject LiveKit failures or count its calls.
 */
import { createTestDatabase } from "@parlor/db/testing";
import type { DatabaseHandle } from "@parlor/db";
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import superjson from "superjson";

import { loadConfig } from "../src/lib/config";
import { handleTRPCRequest } from "../src/http";
import { createLogger } from "../src/lib/logger";
import type { AppRouter } from "../src/root";
import { createServices, type ServiceOverrides, type Services } from "../src/lib/services";
import { startLiveKitDouble, type LiveKitDouble } from "./livekit-double";

export const TEST_ORIGIN = "http://parlor.test";

export interface TestAppOptions extends Omit<ServiceOverrides, "database"> {
  env?: Record<string, string>;
  /** Share another app's database (a second web instance). */
  database?: DatabaseHandle;
  livekit?: LiveKitDouble;
}

/** Where a LiveKit server (real or double) answers, and its key pair. */
export interface LiveKitEndpoint {
  wsUrl: string;
  apiKey: string;
  apiSecret: string;
}

export type TestClient = ReturnType<TestApp["client"]>;
export type TestApp = Awaited<ReturnType<typeof startTestApp>>;
export type RealLiveKitTestApp = Awaited<ReturnType<typeof startTestAppOnLiveKit>>;

let emailCounter = 0;
export const uniqueEmail = (prefix = "user") =>
  `${prefix}-${Date.now().toString(36)}-${++emailCounter}@example.com`;
export const GOOD_PASSWORD = "correct horse battery staple";
/** How long the test app waits for LiveKit (the double) before it answers SERVICE_UNAVAILABLE. */
export const TEST_LIVEKIT_TIMEOUT_MS = 8_000;

/** The app on the LiveKit double (failure injection, call counting). */
export async function startTestApp(options: TestAppOptions = {}) {
  const ownsLiveKit = !options.livekit;
  const livekit = options.livekit ?? (await startLiveKitDouble());
  const app = await startApp(livekit, options);
  return {
    ...app,
    livekit,
    async close() {
      await app.close();
      if (ownsLiveKit) await livekit.close();
    },
  };
}

/** The app on a real LiveKit server (see livekit-server.ts). */
export async function startTestAppOnLiveKit(
  server: LiveKitEndpoint,
  options: Omit<TestAppOptions, "livekit"> = {},
) {
  return startApp(server, options);
}

async function startApp(livekit: LiveKitEndpoint, options: Omit<TestAppOptions, "livekit">) {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    LIVEKIT_URL: livekit.wsUrl,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    // A hang guard, not a speed check: the double answers on loopback, but 20 members asking at
    // once on a busy 2-core machine can take seconds. Tests of a hanging LiveKit wait this long.
    LIVEKIT_TIMEOUT_MS: String(TEST_LIVEKIT_TIMEOUT_MS),
    LOG_LEVEL: "silent",
    ...options.env,
  });
  const services: Services = createServices(config, {
    ...options,
    database,
    logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
  });

  /** A simulated browser: its own cookie jar and client (socket) address. */
  function client(ip = "203.0.113.10", origin = TEST_ORIGIN) {
    const cookies = new Map<string, string>();
    const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

    async function fetchThroughHandler(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set("host", new URL(TEST_ORIGIN).host);
      if (origin) headers.set("origin", origin);
      if (cookies.size) headers.set("cookie", cookieHeader());
      const response = await handleTRPCRequest(
        services,
        new Request(request.url, {
          method: request.method,
          headers,
          body: request.body,
          duplex: "half",
        } as RequestInit),
        { peerAddress: ip },
      );
      for (const line of response.headers.getSetCookie()) {
        const [pair = "", ...attributes] = line.split(";").map((s) => s.trim());
        const [name = "", value = ""] = pair.split("=");
        const expired = !value || attributes.some((a) => /^max-age=0$/i.test(a));
        if (expired) cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    }

    const trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({ url: `${TEST_ORIGIN}/api/trpc`, transformer: superjson, fetch: fetchThroughHandler }),
      ],
    });
    return { trpc, cookies, fetch: fetchThroughHandler, ip };
  }

  async function signUp(name = "Test User", email = uniqueEmail(), ip?: string) {
    const browser = client(ip);
    const { user } = await browser.trpc.auth.signUp.mutate({ email, password: GOOD_PASSWORD, name });
    return { ...browser, user, email };
  }

  /** Brings people into the owner's team with the given roles, through invites as in the app. */
  async function addToTeam(
    owner: { trpc: TRPCClient<AppRouter> },
    teamSlug: string,
    people: readonly (readonly [{ trpc: TRPCClient<AppRouter> }, "admin" | "member"])[],
  ) {
    for (const [person, role] of people) {
      const { token } = await owner.trpc.team.createInvite.mutate({ teamSlug, role });
      await person.trpc.team.acceptInvite.mutate({ token });
    }
  }

  return {
    services,
    database,
    config,
    client,
    signUp,
    addToTeam,
    async close() {
      if (ownsDatabase) await database.close();
    },
  };
}

/** The tRPC error code of a rejected call (e.g. "UNAUTHORIZED"), for `expect(...).rejects`. */
export async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as
        | {
            code: string;
            httpStatus: number;
            fieldErrors?: Record<string, string[]>;
            retryAfterSeconds?: number;
          }
        | undefined;
      return { code: data?.code, httpStatus: data?.httpStatus, message: error.message, data };
    }
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
