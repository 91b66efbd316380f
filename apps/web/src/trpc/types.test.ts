// Type-level tests: they hold when `pnpm typecheck` passes (vitest runs them as no-ops). They prove
// the client sees the server's procedure types end to end, with no hand-written copies.
import type { AppRouter, RouterInputs, RouterOutputs } from "@parlor/api";
import type { TRPCClientErrorLike } from "@trpc/client";
import { describe, expectTypeOf, it } from "vitest";

import type { api } from "./react";

type Api = typeof api;

describe("the client sees the server's types", () => {
  it("infers inputs and outputs from the router", () => {
    expectTypeOf<RouterInputs["room"]["connectionDetails"]>().toEqualTypeOf<{
      teamSlug: string;
      roomSlug: string;
      participantName?: string | undefined;
    }>();
    expectTypeOf<RouterOutputs["room"]["connectionDetails"]>().toEqualTypeOf<{
      serverUrl: string;
      roomName: string;
      participantToken: string;
      participantName: string;
      expiresAt: Date; // a real Date on the client, thanks to superjson
      encrypted: boolean;
    }>();
    expectTypeOf<RouterOutputs["auth"]["me"]>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string;
      isAdmin: boolean;
    } | null>();
  });

  it("types the React hooks from the same router", () => {
    type RenameMutation = ReturnType<Api["room"]["rename"]["useMutation"]>;
    expectTypeOf<Parameters<RenameMutation["mutate"]>[0]>().toEqualTypeOf<RouterInputs["room"]["rename"]>();
    expectTypeOf<NonNullable<RenameMutation["data"]>>().toEqualTypeOf<RouterOutputs["room"]["rename"]>();

    type Teams = RouterOutputs["team"]["list"];
    expectTypeOf<Teams[number]["role"]>().toEqualTypeOf<"owner" | "admin" | "member">();
  });

  it("exposes the error formatter's field errors to the client", () => {
    type Data = TRPCClientErrorLike<AppRouter>["data"];
    expectTypeOf<NonNullable<Data>["fieldErrors"]>().toEqualTypeOf<Record<string, string[]> | undefined>();
    expectTypeOf<NonNullable<Data>["retryAfterSeconds"]>().toEqualTypeOf<number | undefined>();
  });
});
