import type { AppRouter } from "@parlor/api";
import { createTRPCClient, TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { afterEach, describe, expect, it, vi } from "vitest";

import { devLoggerLink, shouldLogOperation } from "./logger";

const PASSWORD = "hunter2-correct-horse";

/** A server that fails every call with `code`. */
function failingLink(code: string, httpStatus: number): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        observer.error(
          TRPCClientError.from({
            error: { message: `${op.path} failed`, code: -32000, data: { code, httpStatus } },
          }),
        );
      });
}

/** Everything the console printed while `run` ran. */
async function consoleOutput(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
  await run().catch(() => undefined);
  return lines.join("\n");
}

afterEach(() => vi.restoreAllMocks());

describe("the development logger link", () => {
  for (const [code, status] of [
    ["UNAUTHORIZED", 401],
    ["TOO_MANY_REQUESTS", 429],
    ["INTERNAL_SERVER_ERROR", 500],
    ["SERVICE_UNAVAILABLE", 503],
  ] as const) {
    it(`never prints an auth.* input, even for ${code}`, async () => {
      const client = createTRPCClient<AppRouter>({ links: [devLoggerLink(true), failingLink(code, status)] });
      const output = await consoleOutput(async () => {
        await client.auth.signIn.mutate({ email: "ada@example.com", password: PASSWORD }).catch(() => {});
        await client.auth.signUp
          .mutate({ email: "ada@example.com", password: PASSWORD, name: "Ada" })
          .catch(() => {});
        await client.auth.changePassword
          .mutate({ currentPassword: PASSWORD, newPassword: `${PASSWORD}!` })
          .catch(() => {});
      });
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain("ada@example.com");
    });
  }

  it("prints an unexpected failure of another procedure, not an expected one", async () => {
    const broken = createTRPCClient<AppRouter>({
      links: [devLoggerLink(true), failingLink("INTERNAL_SERVER_ERROR", 500)],
    });
    const output = await consoleOutput(() => broken.team.list.query());
    expect(output).toContain("team.list");

    const refused = createTRPCClient<AppRouter>({
      links: [devLoggerLink(true), failingLink("NOT_FOUND", 404)],
    });
    expect(await consoleOutput(() => refused.team.get.query({ teamSlug: "nope" }))).toBe("");
  });

  it("prints nothing outside development", () => {
    const error = Object.assign(new Error("x"), { data: { code: "INTERNAL_SERVER_ERROR" } });
    expect(shouldLogOperation({ path: "team.list", direction: "down", result: error }, false)).toBe(false);
  });
});
