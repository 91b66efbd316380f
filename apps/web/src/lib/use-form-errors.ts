"use client";

import { useCallback, useMemo, useState } from "react";

import { describeError, type ClientError } from "@/trpc/errors";

import { firstError, withoutField, type FieldErrors } from "./forms";

/**
 * A form's field errors from both sides: the client's zod check and the server's `fieldErrors`.
 * Editing a field clears its errors.
 */
export function useFormErrors() {
  const [client, setClient] = useState<FieldErrors>({});
  const [server, setServer] = useState<FieldErrors>({});

  const fromServer = useCallback(
    (error: ClientError | Error) => setServer(describeError(error).fieldErrors),
    [],
  );
  const clear = useCallback((field: string) => {
    setClient((current) => withoutField(current, field));
    setServer((current) => withoutField(current, field));
  }, []);
  const reset = useCallback(() => {
    setClient({});
    setServer({});
  }, []);

  return useMemo(
    () => ({
      /** The message to show beside `field`, if any. */
      of: (field: string) => firstError(field, client, server),
      fromClient: setClient,
      fromServer,
      clear,
      reset,
    }),
    [client, server, fromServer, clear, reset],
  );
}
