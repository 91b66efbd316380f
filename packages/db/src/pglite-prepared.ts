// Named server-side prepared statements for the embedded PGlite database.
//
// PGlite's own `query()` parses every statement into the UNNAMED statement, so Postgres parses,
// analyses and plans each query again on every call, and it sends parse, describe, bind, describe,
// execute and sync as separate calls into the WASM engine. On the join path that made the room
// lookup cost ~7 ms instead of ~1.6 ms for the same statement prepared once (docs/performance.md).
// This wrapper Parses each distinct statement text once into a NAMED statement and afterwards sends
// only Bind + Execute + Sync, in one call. Postgres/postgres.js needs none of this: it prepares
// statements itself.
import {
  messages as backend,
  type PGlite,
  parse,
  protocol,
  type QueryOptions,
  type Results,
  type Transaction,
} from "@electric-sql/pglite";

type BackendMessage = backend.BackendMessage;
type RowDescription = backend.RowDescriptionMessage;
type ParameterDescription = backend.ParameterDescriptionMessage;
type DatabaseError = backend.DatabaseError;

// Frontend messages are built with PGlite's exported copy of node-postgres' pg-protocol serializer
// (the one its own `query()` uses), so the bytes match what PGlite sends and no second copy of the
// protocol library is needed.
const { serialize } = protocol;

export interface PreparedStatementOptions {
  /** Distinct statement texts kept prepared; the least recently used is closed beyond this. */
  maxStatements?: number;
}

/** What Parse + Describe taught us about one prepared statement. */
interface PreparedStatement {
  name: string;
  paramTypes: number[];
  /** Prepended to each execution's messages: Execute alone sends rows without their fields. */
  rowDescription: RowDescription | undefined;
}

/**
 * Statements that are worth preparing and safe to: one plain DML/query statement. BEGIN, SET,
 * LISTEN, DDL and multi-statement text go to PGlite's own `query()` unchanged (a `;` anywhere but
 * at the end is treated as several statements, erring towards the plain path).
 */
const PREPARABLE = /^\s*(select|insert|update|delete|with|values)\b[^;]*;?\s*$/i;

/**
 * Errors meaning the prepared statement, not the query, is at fault: the schema changed under it
 * ("cached plan must not change result type" after a column is added under `select *`), or it is
 * gone (`prepared statement "..." does not exist` after DEALLOCATE / DISCARD ALL).
 */
function isStale(error: unknown): error is DatabaseError {
  if (!isDatabaseError(error)) return false;
  if (error.code === "26000") return true;
  return error.code === "0A000" && /cached plan/i.test(error.message);
}

/** Numbers statement names across all wrappers, so two on one client never take the same name. */
let nextStatementId = 0;

/** Runs one protocol round trip; PGlite already parses the backend messages. */
type Send = (message: Uint8Array, queryOptions?: QueryOptions) => Promise<BackendMessage[]>;

/**
 * The named statements of one client by text, bounded, so statements built with varying
 * `in (...)` lists cannot grow it without end: the least recently used makes room.
 */
function createStatementCache(send: Send, maxStatements: number) {
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  const statements = new Map<string, PreparedStatement>();
  // Statements dropped from the cache, closed at the head of the next Parse's message so that an
  // eviction costs no call of its own. (Close of an unknown name is not an error in Postgres.)
  const unclosed: string[] = [];

  async function prepare(text: string, queryOptions?: QueryOptions): Promise<PreparedStatement> {
    const cached = statements.get(text);
    if (cached) {
      statements.delete(text);
      statements.set(text, cached);
      return cached;
    }
    for (const [oldText, old] of statements) {
      if (statements.size < maxStatements) break;
      statements.delete(oldText);
      unclosed.push(old.name);
    }
    const name = `parlor_${++nextStatementId}`;
    // Parse + Describe statement in one call: the parameter types choose each value's serializer,
    // the row description names the result columns. Sync ends the error-skipping on failure, so a
    // statement that does not parse throws here, is not cached and leaves the connection usable.
    const messages = await send(
      concat(
        ...unclosed.splice(0).map((closing) => serialize.close({ type: "S", name: closing })),
        serialize.parse({ name, text }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ),
      queryOptions,
    );
    const statement: PreparedStatement = {
      name,
      paramTypes: find<ParameterDescription>(messages, "parameterDescription")?.dataTypeIDs ?? [],
      rowDescription: find<RowDescription>(messages, "rowDescription"),
    };
    statements.set(text, statement);
    return statement;
  }

  /** A stale statement is forgotten so the next call prepares it afresh. */
  function forgetStale(text: string, error: DatabaseError) {
    const stale = statements.get(text);
    statements.delete(text);
    if (stale && error.code !== "26000") unclosed.push(stale.name);
  }

  return { prepare, forgetStale };
}

/** Prepares (once) and executes a statement; its caller holds PGlite's query mutex. */
function createPreparedRunner(client: PGlite, maxStatements: number) {
  const send: Send = (message, queryOptions) =>
    client.execProtocolStream(message, { syncToFs: false, onNotice: queryOptions?.onNotice });
  const statements = createStatementCache(send, maxStatements);

  return async function runPrepared<T>(
    text: string,
    params: unknown[],
    queryOptions: QueryOptions | undefined,
  ): Promise<Results<T>> {
    try {
      const statement = await statements.prepare(text, queryOptions);
      // Serialised exactly as PGlite's runQuery does: null stays null, else the serializer for
      // the described parameter type (the caller's first), else toString().
      const values = params.map((value, index) => {
        if (value === null || value === undefined) return null;
        const type = statement.paramTypes[index] as number;
        const serializer = queryOptions?.serializers?.[type] ?? client.serializers[type];
        return serializer ? serializer(value) : String(value);
      });
      // Bind + Execute + Sync in one call into the engine.
      const messages = await send(
        concat(
          serialize.bind({ statement: statement.name, values }),
          serialize.execute({}),
          serialize.sync(),
        ),
        queryOptions,
      );
      const described = statement.rowDescription ? [statement.rowDescription, ...messages] : messages;
      // PGlite's own result parser: the caller's parsers over the client's, rowMode honoured.
      return parse.parseResults(described, client.parsers, queryOptions)[0] as Results<T>;
    } catch (error) {
      if (isDatabaseError(error)) {
        if (isStale(error)) statements.forgetStale(text, error);
        // Shaped like PGlite's own query errors (which carry the statement and its parameters).
        Object.assign(error, { query: text, params, queryOptions });
      }
      throw error;
    }
  };
}

/**
 * Wraps a PGlite client so that `query()` (and a transaction's `query()`) runs preparable
 * statements as named prepared statements. Every other member is PGlite's own, unchanged.
 */
export function withPreparedStatements(client: PGlite, options: PreparedStatementOptions = {}): PGlite {
  const runPrepared = createPreparedRunner(client, options.maxStatements ?? 256);

  const canPrepare = (text: string, queryOptions?: QueryOptions) =>
    PREPARABLE.test(text) && !queryOptions?.blob && !queryOptions?.paramTypes;

  async function query<T>(
    text: string,
    params: unknown[] = [],
    queryOptions?: QueryOptions,
  ): Promise<Results<T>> {
    if (!canPrepare(text, queryOptions)) return client.query<T>(text, params, queryOptions);
    await client._checkReady();
    try {
      // The same locks PGlite's `query()` takes: the transaction mutex keeps this statement out
      // of a running `transaction()`, the query mutex keeps the engine to one message stream.
      return await client._runExclusiveTransaction(() =>
        client._runExclusiveQuery(async () => {
          const result = await runPrepared<T>(text, params, queryOptions);
          await client.syncToFs();
          return result;
        }),
      );
    } catch (error) {
      // Outside a transaction a statement gone stale (DDL, DEALLOCATE) is retried once unprepared.
      if (isStale(error)) return client.query<T>(text, params, queryOptions);
      throw error;
    }
  }

  /** A transaction's handle whose `query()` prepares too; errors propagate so PGlite rolls back. */
  function transactionWithPreparedStatements(tx: Transaction): Transaction {
    return new Proxy(tx, {
      get(target, property, receiver) {
        if (property !== "query") return Reflect.get(target, property, receiver);
        return async <T>(text: string, params: unknown[] = [], queryOptions?: QueryOptions) => {
          if (!canPrepare(text, queryOptions)) return target.query<T>(text, params, queryOptions);
          if (target.closed) throw new Error("Transaction is closed");
          // Inside `transaction()` PGlite holds the transaction mutex; only the query mutex is ours
          // to take, and the data is synced to disk at COMMIT.
          return client._runExclusiveQuery(() => runPrepared<T>(text, params, queryOptions));
        };
      },
    });
  }

  return new Proxy(client, {
    get(target, property) {
      if (property === "query") return query;
      if (property === "transaction") {
        return <T>(callback: (tx: Transaction) => Promise<T>) =>
          target.transaction((tx) => callback(transactionWithPreparedStatements(tx)));
      }
      const value: unknown = Reflect.get(target, property, target);
      // PGlite's methods use private fields, so they must run with the real instance as `this`.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function find<T extends BackendMessage>(messages: BackendMessage[], name: string): T | undefined {
  return messages.find((message) => message.name === name) as T | undefined;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof backend.DatabaseError;
}
