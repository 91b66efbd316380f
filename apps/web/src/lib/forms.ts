import * as z from "zod";

// Zod feature-detects eval with `Function("")`, which the Content-Security-Policy refuses (and
// reports as a violation). In the browser, skip the detection and use its eval-free parsers.
// Configured here, where forms parse, so pages without forms do not ship zod.
if (typeof window !== "undefined") z.config({ jitless: true });

export type FieldErrors = Partial<Record<string, string[]>>;

export type Validation<T> = { ok: true; data: T } | { ok: false; fieldErrors: FieldErrors };

/** Checks form values against the same zod schema the server uses; field messages on failure. */
export function validate<S extends z.ZodType>(schema: S, values: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, fieldErrors: z.flattenError(result.error).fieldErrors as FieldErrors };
}

/** The first message for a field, from the client's check or, failing that, the server's answer. */
export function firstError(field: string, ...sources: (FieldErrors | undefined)[]): string | undefined {
  for (const source of sources) {
    const message = source?.[field]?.[0];
    if (message) return message;
  }
  return undefined;
}

/** A copy of `errors` without `field`: a field's error goes away as soon as it is edited. */
export function withoutField(errors: FieldErrors, field: string): FieldErrors {
  if (!(field in errors)) return errors;
  const { [field]: _removed, ...rest } = errors;
  return rest;
}
