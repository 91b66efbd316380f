import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger, serializeError } from "../src/lib/logger";

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
        input: { password: "hunter3", token: "abc" },
        headers: { cookie: "auth_session=xyz", authorization: "Bearer qqq" },
      },
      "something happened",
    );
    const line = JSON.parse(lines.join(""));
    expect(line).toMatchObject({ level: 30, requestId: "r-1", msg: "something happened", service: "parlor" });
    expect(lines.join("")).not.toMatch(/hunter2|hunter3|abc|xyz|qqq/);
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
