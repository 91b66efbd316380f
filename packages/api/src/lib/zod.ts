// The one import of zod for the schemas: in the browser, zod must not probe for eval (the content
// security policy forbids it and reports a violation). Configured here, before any schema module
// defines a schema, whatever order a bundler puts the modules in. Schema modules import it as a
// namespace (`import * as z from "../lib/zod"`), so that bundlers keep only the parts of zod they
// use: a named `z` kept all of it, its ~50 locales included.
import * as z from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });

export * from "zod";
