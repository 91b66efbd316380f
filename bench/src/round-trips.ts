/**
 * SQL round trips per request, counted with the database client's query logger (`onQuery` of
 * @parlor/db's createDatabase): Parlor's real services and HTTP handler run in this process
 * against the bench's database and LiveKit double, and each request is sent through
 * `handleTRPCRequest` exactly as the web server receives it.
 */
import { createDatabase } from "@parlor/db";
import { createServices, handleTRPCRequest, loadConfig } from "@parlor/api/server";

import type { LiveKitDouble } from "./livekit";
import type { LoadRequest } from "./load";

export interface RoundTripCount {
  name: string;
  /** Statements sent per request, once warm (the median of the repetitions). */
  statements: number;
  /** The statements of the last repetition, shortened, for the report. */
  sql: string[];
  /** RoomService calls made to LiveKit per request. */
  livekitCalls: number;
}

export async function countRoundTrips(
  databaseUrl: string,
  livekit: LiveKitDouble,
  origin: string,
  cases: { name: string; requests: LoadRequest[] }[],
  repetitions = 5,
): Promise<RoundTripCount[]> {
  let log: string[] = [];
  const database = createDatabase({
    url: databaseUrl,
    maxConnections: 2,
    onQuery: (query) => log.push(query),
  });
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    APP_URL: origin,
    LIVEKIT_URL: livekit.wsUrl,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    LOG_LEVEL: "silent",
  });
  const services = createServices(config, { database });
  const results: RoundTripCount[] = [];
  try {
    for (const testCase of cases) {
      const counts: number[] = [];
      let sql: string[] = [];
      let livekitCalls = 0;
      for (let i = 0; i < repetitions; i++) {
        log = [];
        const callsBefore = livekit.calls.length;
        for (const request of testCase.requests) {
          const response = await handleTRPCRequest(
            services,
            new Request(`${origin}${request.path}`, {
              method: request.method,
              headers: { host: new URL(origin).host, ...request.headers },
              body: request.body,
            }),
          );
          if (response.status !== 200) {
            throw new Error(
              `${testCase.name}: ${request.method} ${request.path} answered ${response.status}: ${await response.text()}`,
            );
          }
          await response.text();
        }
        counts.push(log.length);
        sql = log.map((q) => q.replace(/\s+/g, " ").slice(0, 160));
        livekitCalls = livekit.calls.length - callsBefore;
      }
      counts.sort((a, b) => a - b);
      results.push({
        name: testCase.name,
        statements: counts[Math.floor(counts.length / 2)]!,
        sql,
        livekitCalls,
      });
    }
  } finally {
    await database.close();
  }
  return results;
}
