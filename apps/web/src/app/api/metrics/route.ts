import { getServices, handleMetrics } from "@parlor/api/server";

/** Prometheus scrape endpoint: 404 unless METRICS_TOKEN is set, 401 without that bearer token. */
export function GET(req: Request) {
  return handleMetrics(getServices, req);
}
