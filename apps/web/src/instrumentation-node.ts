/**
 * Server start on Node: requests are stamped with their socket's address; a misconfigured
 * instance stops at once with a clear message instead of failing on its first request; the
 * database is opened and migrated before requests arrive.
 */
import { ConfigError, getServices, stampPeerAddresses } from "@parlor/api/server";

import { serveTokenRouteBesideNext } from "./token-route";

// Before any request: lets the API know each request's socket address (packages/api/src/lib/client-address.ts).
stampPeerAddresses();
// The join token route answered beside Next, without its request pipeline (token-route.ts).
serveTokenRouteBesideNext();

try {
  await getServices();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  // Anything else (the database not reachable yet) is tried again on the first request.
  console.error(
    `Parlor could not start its services yet: ${error instanceof Error ? error.message : String(error)}`,
  );
}
