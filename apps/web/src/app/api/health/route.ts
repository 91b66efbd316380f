import { getServices, handleHealth } from "@parlor/api/server";

/** Database and LiveKit reachability, for load balancers and uptime checks. */
export function GET() {
  return handleHealth(getServices);
}
