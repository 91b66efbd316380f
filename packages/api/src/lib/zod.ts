// The one import of zod for the schemas: in the browser, zod must not probe for eval (the content
// security policy forbids it and reports a violation). Configured here, before any schema module
// defines a schema, whatever order a bundler puts the modules in.
import { z } from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
