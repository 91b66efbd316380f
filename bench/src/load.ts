/**
 * Closed-loop HTTP load with autocannon: `connections` keep-alive connections, each sending its
 * own sequence of requests (one person's join, say) back to back for `durationSeconds`.
 * Latencies come from autocannon's per-response timings (sub-millisecond), and a sequence's
 * latency is the sum of its requests' on one connection.
 */
import autocannon, { type Client, type Request as CannonRequest } from "autocannon";

export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  name: string;
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  /** The requests connection `i` sends, in order, over and over. */
  sequenceFor(connection: number): LoadRequest[];
  /** Per-request timeout. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  name: string;
  connections: number;
  durationSeconds: number;
  /** Sequences completed with every response 2xx, per second. */
  perSecond: number;
  /** Requests answered, per second (all statuses). */
  requestsPerSecond: number;
  sequences: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx responses, socket errors and timeouts. */
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.baseUrl);
  let next = 0;
  const sequenceLength = new Map<Client, number>();
  const progress = new Map<Client, { step: number; elapsed: number; ok: boolean }>();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sequences = 0;
  let requests = 0;
  let non2xx = 0;

  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: url.origin,
      connections: options.connections,
      duration: options.durationSeconds,
      timeout: options.timeoutSeconds ?? 10,
      pipelining: 1,
      setupClient(client: Client) {
        const sequence = options.sequenceFor(next++);
        sequenceLength.set(client, sequence.length);
        client.setRequests(
          sequence.map((r): CannonRequest => ({
            method: r.method,
            path: r.path,
            headers: r.headers,
            body: r.body,
          })),
        );
      },
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );

  instance.on("response", (client: Client, statusCode: number, _bytes: number, responseTime: number) => {
    requests++;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    const ok = statusCode >= 200 && statusCode < 300;
    if (!ok) non2xx++;
    const state = progress.get(client) ?? { step: 0, elapsed: 0, ok: true };
    state.step++;
    state.elapsed += responseTime;
    state.ok &&= ok;
    if (state.step >= (sequenceLength.get(client) ?? 1)) {
      if (state.ok) {
        sequences++;
        latencies.push(state.elapsed);
      }
      progress.set(client, { step: 0, elapsed: 0, ok: true });
    } else {
      progress.set(client, state);
    }
  });

  const result = await done;
  latencies.sort((a, b) => a - b);
  const duration = result.duration || options.durationSeconds;
  const socketErrors = result.errors - result.timeouts;
  return {
    name: options.name,
    connections: options.connections,
    durationSeconds: round(duration),
    perSecond: round(sequences / duration, 1),
    requestsPerSecond: round(requests / duration, 1),
    sequences,
    requests,
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? NaN),
    errors: non2xx + result.errors,
    non2xx,
    socketErrors,
    timeouts: result.timeouts,
    statuses,
  };
}
