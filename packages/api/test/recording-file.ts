/** A recording's file fetched through Parlor's authorized route, as a signed-in person (or nobody). */
import { handleRecordingRequest } from "../src/recordings/http";
import type { Services } from "../src/lib/services";
import { TEST_ORIGIN, type TestClient } from "./harness";

export function fetchRecording(
  services: Services,
  person: TestClient | null,
  id: string,
  headers: Record<string, string> = {},
) {
  const cookie: Record<string, string> = person?.cookies.size
    ? { cookie: [...person.cookies].map(([k, v]) => `${k}=${v}`).join("; ") }
    : {};
  return handleRecordingRequest(
    services,
    new Request(`${TEST_ORIGIN}/api/recordings/${id}`, { headers: { ...headers, ...cookie } }),
    id,
  );
}
