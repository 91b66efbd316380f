/**
 * The tRPC transformer: superjson, with a fast way to serialise the answers Parlor actually sends.
 *
 * superjson walks every value of an answer through its whole list of type rules, which cost about
 * half a second of the server's only thread for `admin.activeRooms` with 1,000 rooms and 10,000
 * people (plain JSON of the same answer: ~25 ms). Parlor's answers are plain objects, arrays,
 * strings, numbers, booleans, null and Dates; for those, `serialize` produces what superjson
 * produces once written as JSON (the same `json` and the same `meta`, whose paths may come in
 * another order, so clients keep plain superjson), walking each value once and copying nothing. Anything else (undefined, Map, Set, bigint, class instances, NaN, -0,
 * invalid dates, empty keys or keys with a dot or backslash, an object seen twice) goes to superjson itself.
 */
import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;

/** Thrown inside the walk when a value needs superjson's own rules. */
const NEEDS_SUPERJSON = Symbol("needs superjson");

/** Keys superjson refuses (prototype pollution): left to it, so that it throws as it does. */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function fastSerialize(value: unknown): SuperJSONResult | typeof NEEDS_SUPERJSON {
  const datePaths: string[] = [];
  const seen = new Set<object>();
  // The path of the value being walked; joined only when a Date needs it.
  const path: (string | number)[] = [];

  // Checks that JSON.stringify will write the value exactly as superjson's `json` would (a Date
  // through its toJSON, which is toISOString), and notes where the Dates are. Copies nothing.
  function walk(node: unknown): void {
    if (node === null) return;
    switch (typeof node) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(node) || Object.is(node, -0)) throw NEEDS_SUPERJSON;
        return;
      case "object":
        break;
      default:
        throw NEEDS_SUPERJSON;
    }
    if (seen.has(node)) throw NEEDS_SUPERJSON; // superjson records referential equalities
    seen.add(node);
    if (node instanceof Date) {
      if (Number.isNaN(node.getTime()) || Object.hasOwn(node, "toJSON")) throw NEEDS_SUPERJSON;
      datePaths.push(path.join("."));
      return;
    }
    if (Array.isArray(node)) {
      if (Object.getPrototypeOf(node) !== Array.prototype) throw NEEDS_SUPERJSON;
      for (let i = 0; i < node.length; i++) {
        if (!(i in node)) throw NEEDS_SUPERJSON;
        path.push(i);
        walk(node[i]);
        path.pop();
      }
      return;
    }
    const proto = Object.getPrototypeOf(node) as unknown;
    if (proto !== Object.prototype && proto !== null) throw NEEDS_SUPERJSON;
    for (const key of Object.keys(node)) {
      if (key === "" || key.includes(".") || key.includes("\\") || REFUSED_KEYS.has(key))
        throw NEEDS_SUPERJSON;
      path.push(key);
      walk((node as Record<string, unknown>)[key]);
      path.pop();
    }
  }

  try {
    walk(value);
  } catch (error) {
    if (error === NEEDS_SUPERJSON) return NEEDS_SUPERJSON;
    throw error;
  }
  // The value itself is the `json`: tRPC writes it with JSON.stringify, which writes each Date as
  // its ISO string, as superjson's copy would hold it.
  const json = value as SuperJSONResult["json"];
  if (datePaths.length === 0) return { json };
  let values: unknown;
  if (datePaths.length === 1 && datePaths[0] === "") values = ["Date"];
  else {
    const byPath: Record<string, ["Date"]> = {};
    for (const at of datePaths) byPath[at] = ["Date"];
    values = byPath;
  }
  return { json, meta: { values, v: 1 } as SuperJSONResult["meta"] };
}

export const transformer = {
  serialize(value: unknown): SuperJSONResult {
    const fast = fastSerialize(value);
    return fast === NEEDS_SUPERJSON ? superjson.serialize(value) : fast;
  },
  deserialize: <T = unknown>(payload: SuperJSONResult): T => superjson.deserialize<T>(payload),
};
