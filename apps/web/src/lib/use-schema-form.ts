"use client";

import { useCallback, useState, type FormEvent } from "react";
import type * as z from "zod";

import { useRetryAfter } from "@/components/form-alert";
import type { ClientError } from "@/trpc/errors";

import { validate } from "./forms";
import { useFormErrors } from "./use-form-errors";

type Values = Record<string, unknown>;

/**
 * A form's values and errors, checked against the zod schema the server uses before submitting.
 * Editing a field clears its errors; a failed check or a failed call keeps the values.
 *
 * `toInput` maps the values to what the schema parses (e.g. adding a route param), if they differ.
 * Pass `onServerError` as the mutation's `onError`: it shows the server's field errors and starts
 * `retry`'s countdown when the call was throttled.
 */
export function useSchemaForm<S extends z.ZodType, V extends Values>(
  schema: S,
  initialValues: V,
  toInput: (values: V) => unknown = (values) => values,
) {
  const [initial] = useState(initialValues);
  const [values, setValues] = useState(initialValues);
  const errors = useFormErrors();
  const { clear, reset: resetErrors, fromServer } = errors;
  const retry = useRetryAfter();
  const { note } = retry;

  const update = useCallback(
    <K extends keyof V & string>(field: K, value: V[K]) => {
      setValues((current) => ({ ...current, [field]: value }));
      clear(field);
    },
    [clear],
  );

  const onServerError = useCallback(
    (error: ClientError | Error) => {
      fromServer(error);
      note(error);
    },
    [fromServer, note],
  );

  /** Back to `next` (or the initial values), with no errors. */
  const reset = useCallback(
    (next: V = initial) => {
      setValues(next);
      resetErrors();
    },
    [initial, resetErrors],
  );

  /** A submit handler: shows the client's field errors, or clears all errors and calls `onValid`. */
  function handleSubmit(onValid: (data: z.output<S>) => void) {
    return (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const checked = validate(schema, toInput(values));
      if (!checked.ok) {
        errors.fromClient(checked.fieldErrors);
        return;
      }
      errors.reset();
      onValid(checked.data);
    };
  }

  return { values, update, errors, handleSubmit, reset, onServerError, retry };
}
