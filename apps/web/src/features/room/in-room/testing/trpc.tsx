import type { AppRouter } from "@parlor/api";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { ReactNode } from "react";

import { api } from "@/trpc/react";

/** Queries every call view makes, answered as for a room with nothing special going on. */
const QUIET_ROOM: Record<string, unknown> = {
  "recording.list": {
    recordings: [],
    active: null,
    interruption: null,
    canRecord: false,
    cannotRecordReason: null,
  },
};
export const quietRoomAnswer = (path: string) => QUIET_ROOM[path] ?? { ok: true };

/**
 * A tRPC client whose link records each call and answers it with `answer(path)` (default
 * `{ ok: true }`), so components that call the API render without a server.
 */
export function recordingClient(answer: (path: string) => unknown = quietRoomAnswer) {
  const calls: { path: string; input: unknown }[] = [];
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        calls.push({ path: op.path, input: op.input });
        observer.next({ result: { type: "data", data: answer(op.path) } });
        observer.complete();
      });
  const client = api.createClient({ links: [link] });
  const queryClient = new QueryClient();
  function Provider({ children }: { children: ReactNode }) {
    return (
      <api.Provider client={client} queryClient={queryClient}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </api.Provider>
    );
  }
  return { calls, Provider };
}
