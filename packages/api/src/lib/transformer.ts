/**
 * The tRPC transformer: superjson, with a fast way to serialise the answers Parlor actually sends.
 *
 * superjson walks every value of an answer through its whole list of type rules, which cost about
 * half a second of the server's only thread for `admin.activeRooms` with 1,000 rooms and 10,000
 * people (plain JSON of the same answer: ~25 ms). Parlor's answers are plain objects, arrays,
 * strings, numbers, booleans, null and Dates; for those, `serialize` produces what plain superjson
 * reads back as superjson's own output: the same `json`, and the same annotations in `meta`, given
 * as the nested tree superjson's deserialiser also reads (`{ "0": { "joinedAt": ["Date"] } }`
 * rather than `{ "0.joinedAt": ["Date"] }`), so clients keep plain superjson. It walks each value
 * once, copying only the objects and arrays that hold a Date, with the Date's ISO string in its
 * place: writing 11,000 Dates through their toJSON took JSON.stringify longer than the rest of
 * that answer, and flat paths made a tenth of its bytes. Anything else (undefined, Map, Set,
 * bigint, class instances, NaN, -0, invalid dates, empty keys or keys with a dot or backslash, an
 * object seen twice) goes to superjson itself.
 */
import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;

/** superjson's value annotations as a tree: a Date, or the annotated children by key. */
type Annotations = ["Date"] | { [key: string]: Annotations };

/** Thrown inside the walk when a value needs superjson's own rules. */
const NEEDS_SUPERJSON = Symbol("needs superjson");

/** The annotation of every Date (one array for all: nothing changes it). */
const DATE: Annotations = ["Date"];

/** Keys superjson refuses (prototype pollution): left to it, so that it throws as it does. */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function fastSerialize(value: unknown): SuperJSONResult | typeof NEEDS_SUPERJSON {
  const seen = new Set<object>();
  // The annotations of the node walked last (undefined: it needs none).
  let annotated: Annotations | undefined;

  // Checks that the node can be written as superjson's `json` would hold it, and returns what to
  // write instead when it is not the node itself: a Date's ISO string, or a copy of an object or
  // array holding one. Sets `annotated`.
  function walk(node: unknown): unknown {
    annotated = undefined;
    if (node === null) return undefined;
    switch (typeof node) {
      case "string":
      case "boolean":
        return undefined;
      case "number":
        if (!Number.isFinite(node) || Object.is(node, -0)) throw NEEDS_SUPERJSON;
        return undefined;
      case "object":
        break;
      default:
        throw NEEDS_SUPERJSON;
    }
    if (seen.has(node)) throw NEEDS_SUPERJSON; // superjson records referential equalities
    seen.add(node);
    if (node instanceof Date) {
      if (Number.isNaN(node.getTime()) || Object.hasOwn(node, "toJSON")) throw NEEDS_SUPERJSON;
      annotated = DATE;
      return node.toISOString();
    }
    let children: Record<string, Annotations> | undefined;
    if (Array.isArray(node)) {
      if (Object.getPrototypeOf(node) !== Array.prototype) throw NEEDS_SUPERJSON;
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        if (!(i in node)) throw NEEDS_SUPERJSON;
        const written = walk(node[i]);
        if (written !== undefined) (copy ??= node.slice())[i] = written;
        if (annotated) (children ??= {})[i] = annotated;
      }
      annotated = children;
      return copy;
    }
    const proto = Object.getPrototypeOf(node) as unknown;
    if (proto !== Object.prototype && proto !== null) throw NEEDS_SUPERJSON;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(node)) {
      if (key === "" || key.includes(".") || key.includes("\\") || REFUSED_KEYS.has(key))
        throw NEEDS_SUPERJSON;
      const written = walk((node as Record<string, unknown>)[key]);
      if (written !== undefined) (copy ??= { ...node })[key] = written;
      if (annotated) (children ??= {})[key] = annotated;
    }
    annotated = children;
    return copy;
  }

  let written: unknown;
  try {
    written = walk(value);
  } catch (error) {
    if (error === NEEDS_SUPERJSON) return NEEDS_SUPERJSON;
    throw error;
  }
  const json = (written === undefined ? value : written) as SuperJSONResult["json"];
  if (!annotated) return { json };
  return { json, meta: { values: annotated, v: 1 } as SuperJSONResult["meta"] };
}

export const transformer = {
  serialize(value: unknown): SuperJSONResult {
    const fast = fastSerialize(value);
    return fast === NEEDS_SUPERJSON ? superjson.serialize(value) : fast;
  },
  deserialize: <T = unknown>(payload: SuperJSONResult): T => superjson.deserialize<T>(payload),
};
