"use client";

import type { AppRouter } from "@parlor/api";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { MAX_BATCH_SIZE, UNBATCHED_PATHS } from "@parlor/api/limits";
import { httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";

import { devLoggerLink } from "./logger";
import { makeQueryClient } from "./query-client";

export const api = createTRPCReact<AppRouter>();

let browserQueryClient: QueryClient | undefined;

/** One client per browser tab (kept across re-renders and Suspense), a fresh one per server render. */
function getQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

function baseUrl(): string {
  if (typeof window !== "undefined") return "";
  return `http://localhost:${process.env.PORT ?? 3000}`;
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    api.createClient({
      links: [
        devLoggerLink(),
        // Subscriptions (presence changes) stream as server-sent events; sign-in, sign-up and
        // the like go alone (the server refuses them in a batch); the rest is batched, within
        // the server's batch size.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: `${baseUrl()}/api/trpc`, transformer: superjson }),
          false: splitLink({
            condition: (op) => UNBATCHED_PATHS.has(op.path),
            true: httpLink({ url: `${baseUrl()}/api/trpc`, transformer: superjson }),
            false: httpBatchLink({
              url: `${baseUrl()}/api/trpc`,
              transformer: superjson,
              maxURLLength: 2_000,
              maxItems: MAX_BATCH_SIZE,
            }),
          }),
        }),
      ],
    }),
  );

  return (
    <api.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </api.Provider>
  );
}
