import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger, serializeError } from "../src/lib/logger";
import { errorOf, startTestApp } from "./harness";

describe("logging", () => {
  it("redacts passwords, tokens and cookies wherever they appear", () => {
    const lines: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
    );
    logger.child({ requestId: "r-1" }).info(
      {
        password: "hunter2",
        input: { password: "hunter3", token: "abc", currentPassword: "hunter4", newPassword: "hunter5" },
        headers: { cookie: "auth_session=xyz", authorization: "Bearer qqq" },
      },
      "something happened",
    );
    const line = JSON.parse(lines.join(""));
    expect(line).toMatchObject({ level: 30, requestId: "r-1", msg: "something happened", service: "parlor" });
    expect(lines.join("")).not.toMatch(/hunter2|hunter3|hunter4|hunter5|abc|xyz|qqq/);
  });

  it("keeps a failed query's SQL but not its parameters", () => {
    const cause = Object.assign(new Error("duplicate key value"), { code: "23505" });
    const error = Object.assign(
      new Error(
        'Failed query: insert into "users" ("email", "password_hash") values ($1, $2)\nparams: ada@example.com,$argon2id$v=19$secret',
      ),
      {
        cause,
        params: ["ada@example.com", "$argon2id$v=19$secret"],
      },
    );
    const text = JSON.stringify(serializeError(error));
    expect(text).toContain('insert into \\"users\\"');
    expect(text).toContain("23505");
    expect(text).not.toContain("ada@example.com");
    expect(text).not.toContain("argon2id");
  });
});

describe("auth procedures in the server's logs", () => {
  it("never log a password, at any level, whether the call succeeds, fails or is throttled", async () => {
    const lines: string[] = [];
    const logger = createLogger(
      "trace",
      new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
    );
    const app = await startTestApp({ logger });
    try {
      const secret = "Tr0ub4dor&3-my-real-password";
      const typo = "Tr0ub4dor&3-my-real-passwrod";
      const person = await app.signUp("Ada", "ada-logs@example.com");
      await person.trpc.auth.changePassword.mutate({
        currentPassword: "correct horse battery staple",
        newPassword: secret,
      });
      const visitor = app.client();
      await visitor.trpc.auth.signIn.mutate({ email: "ada-logs@example.com", password: secret });
      const codes = new Set<string | undefined>();
      for (let i = 0; i < 8; i++) {
        codes.add(
          (await errorOf(visitor.trpc.auth.signIn.mutate({ email: "ada-logs@example.com", password: typo })))
            .code,
        );
      }
      expect(codes).toContain("TOO_MANY_REQUESTS");
      codes.clear();
      codes.add(
        (
          await errorOf(
            visitor.trpc.auth.signUp.mutate({ email: "x@example.com", password: "short", name: "X" }),
          )
        ).code,
      );
      codes.add(
        (
          await errorOf(
            person.trpc.auth.changePassword.mutate({ currentPassword: typo, newPassword: `${secret}!` }),
          )
        ).code,
      );
      expect([...codes].every((code) => code && code !== "INTERNAL_SERVER_ERROR")).toBe(true);

      const output = lines.join("");
      expect(output.length).toBeGreaterThan(0);
      for (const word of [secret, typo, "short", "correct horse battery staple"])
        expect(output).not.toContain(word);
    } finally {
      await app.close();
    }
  });
});
