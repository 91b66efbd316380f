// The PGlite wrapper that runs queries as named prepared statements: its answers (rows, fields,
// affected rows, errors) must be those of PGlite's own `query()`, and it must really prepare.
import { PGlite, type QueryOptions, types } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createDatabase } from "../src/client";
import { withPreparedStatements } from "../src/pglite-prepared";
import * as schema from "../src/schema";

/** The parsers drizzle's pglite driver passes: dates and timestamps stay strings. */
const drizzleParsers: QueryOptions["parsers"] = {
  [types.TIMESTAMP]: (value) => value,
  [types.TIMESTAMPTZ]: (value) => value,
  [types.INTERVAL]: (value) => value,
  [types.DATE]: (value) => value,
  1231: (value) => value,
  1115: (value) => value,
  1185: (value) => value,
  1187: (value) => value,
  1182: (value) => value,
};

const optionVariants: Array<[string, QueryOptions | undefined]> = [
  ["defaults", undefined],
  ["array rows", { rowMode: "array" }],
  ["object rows, drizzle parsers", { rowMode: "object", parsers: drizzleParsers }],
  ["array rows, drizzle parsers", { rowMode: "array", parsers: drizzleParsers }],
];

describe("PGlite with named prepared statements", () => {
  let client: PGlite;
  let prepared: PGlite;

  /** The texts of the statements prepared in the (single) PGlite session. */
  async function preparedTexts(): Promise<string[]> {
    const result = await client.query<{ statement: string }>(
      "select statement from pg_prepared_statements where name like 'parlor_%' order by name",
    );
    return result.rows.map((row) => row.statement);
  }

  beforeAll(async () => {
    client = new PGlite("memory://");
    prepared = withPreparedStatements(client, { maxStatements: 8 });
    await client.exec(`
      create table things (
        id uuid primary key default gen_random_uuid(),
        name text not null unique,
        count int,
        big bigint,
        flag boolean,
        at timestamptz,
        doc jsonb,
        tags text[],
        numbers int[]
      );
    `);
  });
  afterAll(() => client.close());
  beforeEach(async () => {
    await client.exec("truncate things; deallocate all;");
    // Forget the statements deallocated above: a fresh wrapper per test.
    prepared = withPreparedStatements(client, { maxStatements: 8 });
  });

  it("answers like PGlite's own query for every type, row mode and parser set", async () => {
    await client.query(
      `insert into things (id, name, count, big, flag, at, doc, tags, numbers)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9), ('00000000-0000-4000-8000-000000000002', 'empty', null, null, null, null, null, null, null)`,
      [
        "00000000-0000-4000-8000-000000000001",
        "full",
        42,
        9007199254740993n,
        true,
        new Date("2026-01-02T03:04:05.678Z"),
        { nested: { list: [1, "two", null] } },
        ["a", "b,c", 'd"e'],
        [1, 2, 3],
      ],
    );
    const select =
      "select id, name, count, big, flag, at, doc, tags, numbers from things where id = any($1) or name = $2 or flag = $3 or at < $4 or doc @> $5 order by name";
    const params = [
      ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"],
      "none",
      false,
      new Date("2000-01-01"),
      { nested: {} },
    ];
    for (const [, options] of optionVariants) {
      const expected = await client.query(select, params, options);
      const actual = await prepared.query(select, params, options);
      expect(actual).toEqual(expected);
      expect(actual.rows).toHaveLength(2);
    }
    // null parameters stay null.
    const nullParams = [null, null, null, null, null];
    expect(await prepared.query(select, nullParams)).toEqual(await client.query(select, nullParams));
  });

  it("reports affected rows and RETURNING rows of insert, update and delete like PGlite", async () => {
    const statements: Array<[string, unknown[]]> = [
      ["insert into things (name, count) values ($1, $2), ($3, $4) returning name, count", ["a", 1, "b", 2]],
      ["update things set count = count + $1 where name = any($2) returning name, count", [10, ["a", "b"]]],
      ["update things set flag = $1", [true]],
      ["delete from things where name = $1 returning name", ["a"]],
      ["delete from things where name = $1", ["nobody"]],
    ];
    for (const [text, params] of statements) {
      // Each statement runs on the plain client, is undone, then runs prepared: same answer.
      await client.exec("begin");
      const expected = await client.query(text, params);
      await client.exec("rollback");
      const actual = await prepared.query(text, params);
      expect(actual).toEqual(expected);
    }
    expect((await prepared.query("select name, count, flag from things")).rows).toEqual([
      { name: "b", count: 12, flag: true },
    ]);
  });

  it("prepares each statement text once and reuses it", async () => {
    const text = "select name from things where count > $1";
    for (let i = 0; i < 3; i++) await prepared.query(text, [i]);
    expect(await preparedTexts()).toEqual([text]);
    // Statements that cannot be prepared go to PGlite's own query and are not kept.
    await prepared.query("set statement_timeout = 5000");
    await prepared.query("select 1; select 2").catch(() => undefined);
    expect(await preparedTexts()).toEqual([text]);
  });

  it("sends a prepared statement's Bind, Execute and Sync in one call into the engine", async () => {
    const small = withPreparedStatements(client, { maxStatements: 2 });
    const engineCalls = vi.spyOn(client, "execProtocolStream");
    const callsFor = async (text: string) => {
      engineCalls.mockClear();
      await small.query(text, [1]);
      return engineCalls.mock.calls.length;
    };
    try {
      expect(await callsFor("select $1::int as a")).toBe(2); // Parse + Describe, then the execution
      expect(await callsFor("select $1::int as a")).toBe(1);
      expect(await callsFor("select $1::int as b")).toBe(2);
      // Past the bound, the eviction's Close travels with the next Parse: no call of its own.
      expect(await callsFor("select $1::int as c")).toBe(2);
      expect(await preparedTexts()).toEqual(["select $1::int as b", "select $1::int as c"]);
    } finally {
      engineCalls.mockRestore();
    }
  });

  it("raises a unique violation (23505) and data exceptions (22xxx) exactly like PGlite", async () => {
    const insert = "insert into things (name, count) values ($1, $2)";
    await prepared.query(insert, ["taken", 1]);
    const failures: Array<[string, unknown[]]> = [
      [insert, ["taken", 2]], // 23505
      [insert, ["other", 2 ** 40]], // 22003 integer out of range
      ["select name from things where id = $1", ["not-a-uuid"]], // 22P02
      ["select count / $1 from things", [0]], // 22012 division by zero
    ];
    for (const [text, params] of failures) {
      const expected = await client.query(text, params).catch((error: unknown) => error);
      const actual = await prepared.query(text, params).catch((error: unknown) => error);
      expect(actual).toBeInstanceOf(Error);
      expect(actual).toBeInstanceOf((expected as Error).constructor);
      const fields = ["message", "code", "detail", "constraint", "table", "severity", "query", "params"];
      for (const field of fields) {
        expect((actual as Record<string, unknown>)[field], field).toEqual(
          (expected as Record<string, unknown>)[field],
        );
      }
    }
    // The connection stays usable and the failed statements stay prepared (the cache is not poisoned).
    expect((await prepared.query(insert, ["fine", 3])).affectedRows).toBe(1);
    expect(await preparedTexts()).toEqual(
      expect.arrayContaining([insert, "select name from things where id = $1"]),
    );
  });

  it("does not cache a statement that fails to parse", async () => {
    const error = await prepared.query("select nope from things").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "42703" });
    expect(await preparedTexts()).toEqual([]);
    expect((await prepared.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  it("uses the same statement inside and outside transactions", async () => {
    const insert = "insert into things (name) values ($1) returning name";
    await prepared.query(insert, ["outside"]);
    await prepared.transaction(async (tx) => {
      await tx.query(insert, ["inside"]);
      expect((await tx.query("select count(*)::int as n from things")).rows).toEqual([{ n: 2 }]);
    });
    await prepared.query(insert, ["after"]);
    expect((await prepared.query<{ name: string }>("select name from things order by name")).rows).toEqual([
      { name: "after" },
      { name: "inside" },
      { name: "outside" },
    ]);
    expect((await preparedTexts()).filter((text) => text === insert)).toHaveLength(1);
  });

  it("rolls a transaction back when a prepared statement fails in it, and stays usable", async () => {
    const insert = "insert into things (name) values ($1)";
    await prepared.query(insert, ["first"]);
    const error = await prepared
      .transaction(async (tx) => {
        await tx.query(insert, ["second"]);
        await tx.query(insert, ["first"]);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "23505" });
    expect((await prepared.query("select name from things")).rows).toEqual([{ name: "first" }]);
    await prepared.transaction(async (tx) => {
      await tx.query(insert, ["third"]);
    });
    expect((await prepared.query("select count(*)::int as n from things")).rows).toEqual([{ n: 2 }]);
  });

  it("keeps concurrent queries and a transaction apart", async () => {
    const insert = "insert into things (name) values ($1)";
    const count = "select count(*)::int as n from things";
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => prepared.query(insert, [`outside ${i}`])),
      prepared.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.query(insert, [`inside ${i}`]);
        // Nothing from outside slips into the transaction while it runs.
        const seen = (await tx.query<{ n: number }>(count)).rows[0]?.n ?? 0;
        expect(seen % 5).toBe(0);
      }),
      ...Array.from({ length: 10 }, () => prepared.query(count)),
    ]);
    expect((await prepared.query(count)).rows).toEqual([{ n: 15 }]);
  });

  it("keeps at most maxStatements prepared, closing the least recently used", async () => {
    const small = withPreparedStatements(client, { maxStatements: 3 });
    const texts = [1, 2, 3, 4, 5].map((n) => `select ${n} as n, name from things where name = $1`);
    for (const text of texts) await small.query(text, ["x"]);
    expect(await preparedTexts()).toEqual(texts.slice(2));
    // Using the oldest survivor keeps it; an evicted text is prepared again and still answers.
    await small.query(texts[2] as string, ["x"]);
    await small.query(texts[0] as string, ["x"]);
    expect((await preparedTexts()).sort()).toEqual([texts[0], texts[2], texts[4]].sort());
    expect((await small.query(texts[0] as string, ["x"])).fields.map((f) => f.name)).toEqual(["n", "name"]);
  });

  it("recovers when DDL changes what a prepared `select *` returns", async () => {
    await client.exec("create table widgets (id int primary key)");
    await prepared.query("insert into widgets (id) values ($1)", [1]);
    const selectAll = "select * from widgets where id = $1";
    expect((await prepared.query(selectAll, [1])).rows).toEqual([{ id: 1 }]);
    await client.exec("alter table widgets add column label text not null default 'new'");
    expect((await prepared.query(selectAll, [1])).rows).toEqual([{ id: 1, label: "new" }]);
    // Prepared afresh, with the new columns.
    expect((await prepared.query(selectAll, [1])).rows).toEqual([{ id: 1, label: "new" }]);
    expect((await preparedTexts()).filter((text) => text === selectAll)).toHaveLength(1);
    await client.exec("drop table widgets");
  });

  it("names the columns as they are now after a rename under a prepared `select *`", async () => {
    // The row type is unchanged, only a name: the answer must not keep the first description's.
    await client.exec("create table gadgets (id int primary key, label text)");
    await prepared.query("insert into gadgets (id, label) values ($1, $2)", [1, "one"]);
    const selectAll = "select * from gadgets where id = $1";
    expect((await prepared.query(selectAll, [1])).rows).toEqual([{ id: 1, label: "one" }]);
    await client.exec("alter table gadgets rename column label to title");
    const after = await prepared.query(selectAll, [1]);
    expect(after).toEqual(await client.query(selectAll, [1]));
    expect(after.rows).toEqual([{ id: 1, title: "one" }]);
    await client.exec("drop table gadgets");
  });

  it("recovers when its statements were deallocated behind its back", async () => {
    const text = "select count(*)::int as n from things";
    await prepared.query(text);
    await client.exec("deallocate all");
    expect((await prepared.query(text)).rows).toEqual([{ n: 0 }]);
    expect((await prepared.query(text)).rows).toEqual([{ n: 0 }]);
    expect(await preparedTexts()).toEqual([text]);
  });

  it("lets two wrappers share one client without their statement names colliding", async () => {
    const other = withPreparedStatements(client);
    await prepared.query("select 1 as one");
    expect((await other.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
    expect((await prepared.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  it("lets a stale statement fail a transaction (which rolls back), then recovers outside it", async () => {
    await client.exec("create table sprockets (id int primary key)");
    const selectAll = "select * from sprockets";
    await prepared.query(selectAll);
    await client.exec("alter table sprockets add column size int");
    // Inside a transaction the failed statement has aborted it: no retry, PGlite rolls back.
    const error = await prepared
      .transaction(async (tx) => {
        await tx.query("insert into sprockets (id) values ($1)", [1]);
        await tx.query(selectAll);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "0A000" });
    expect((await prepared.query(selectAll)).rows).toEqual([]);
    expect((await prepared.query(selectAll)).fields.map((f) => f.name)).toEqual(["id", "size"]);
    await client.exec("drop table sprockets");
  });

  it("passes every other member through to PGlite", async () => {
    expect(prepared).toBeInstanceOf(PGlite);
    expect(await prepared.exec("select 1 as one")).toEqual(await client.exec("select 1 as one"));
    expect(prepared.ready).toBe(true);
    const received: string[] = [];
    const unlisten = await prepared.listen("things_changed", (payload) => received.push(payload));
    await prepared.query("select pg_notify('things_changed', $1)", ["hello"]);
    await unlisten();
    expect(received).toEqual(["hello"]);
  });
});

describe("createDatabase on PGlite", () => {
  it("runs drizzle's queries as prepared statements", async () => {
    const handle = createDatabase({ dataDir: "memory://" });
    try {
      await handle.migrate();
      await handle.db.select().from(schema.users).limit(1);
      await handle.db.transaction(async (tx) => {
        await tx.select().from(schema.teams).limit(1);
      });
      const result = await handle.db.execute<{ statement: string }>(
        sql`select statement from pg_prepared_statements`,
      );
      const statements = (result as unknown as { rows: Array<{ statement: string }> }).rows.map(
        (row) => row.statement,
      );
      expect(statements.some((text) => /from "users"/.test(text))).toBe(true);
      expect(statements.some((text) => /from "teams"/.test(text))).toBe(true);
    } finally {
      await handle.close();
    }
  });
});
