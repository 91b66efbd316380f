/**
 * Next builds instrumentation (which creates the services) and the route handlers as separate
 * module graphs, so an AppError can come from another copy of errors.ts than the router's. It
 * must still map to its own code, not to a 500.
 */
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";

import { testDriver } from "@parlor/db/testing";

import type * as errors from "../src/lib/errors";
import { AppError, serviceUnavailable } from "../src/lib/errors";
import { toTRPCError } from "../src/lib/trpc";
import { errorOf, startTestApp } from "./harness";

describe("AppError across module copies", () => {
  it("is recognised when made by a second copy of the module", async () => {
    const specifier = "../src/lib/errors.ts?second-copy";
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof errors;
    expect(copy.AppError).not.toBe(AppError);
    const foreign = copy.serviceUnavailable("The video service is not reachable right now.");
    expect(foreign).toBeInstanceOf(AppError);
    expect(serviceUnavailable("x")).toBeInstanceOf(copy.AppError);
    const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: foreign }));
    expect(mapped.code).toBe("SERVICE_UNAVAILABLE");
    expect(mapped.message).toBe("The video service is not reachable right now.");
  });

  it("maps a Postgres data exception (a value it cannot store) to BAD_REQUEST, not a 500", () => {
    const postgresError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: "22021",
    });
    const queryError = Object.assign(new Error("Failed query: select …"), { cause: postgresError });
    const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: queryError }));
    expect(mapped.code).toBe("BAD_REQUEST");
    expect(mapped.message).not.toMatch(/select|UTF8/);
  });

  it("is not fooled by other errors", () => {
    expect(new Error("x")).not.toBeInstanceOf(AppError);
    expect({ code: "SERVICE_UNAVAILABLE" }).not.toBeInstanceOf(AppError);
    expect(null).not.toBeInstanceOf(AppError);
  });
});

describe(`values Postgres cannot store, on ${testDriver()}`, () => {
  it("refuses a NUL character with BAD_REQUEST instead of failing in the database", async () => {
    const app = await startTestApp();
    try {
      const admin = await app.signUp("Site Admin");
      for (const roomName of ["\u0000", "a\u0000'\"\\"]) {
        expect((await errorOf(admin.trpc.admin.endRoom.mutate({ roomName }))).code).toBe("BAD_REQUEST");
        expect(
          (await errorOf(admin.trpc.admin.removeParticipant.mutate({ roomName: "x", identity: roomName })))
            .code,
        ).toBe("BAD_REQUEST");
      }
    } finally {
      await app.close();
    }
  });
});
