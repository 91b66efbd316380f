import { EventEmitter, on } from "node:events";

import type { DatabaseHandle } from "@parlor/db";

import type { Logger } from "./logger";

/**
 * Fans presence changes out to this process's subscribers. Changes are announced with Postgres
 * NOTIFY, so a change applied by any web instance reaches subscribers on every instance; each
 * process keeps a single LISTEN however many people watch.
 */
export function createPresenceBus(database: DatabaseHandle, channel: string, logger: Logger) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let listening: Promise<unknown> | undefined;

  function ensureListening() {
    listening ??= database
      .listen(channel, (teamId) => emitter.emit("change", teamId))
      .catch((error: unknown) => {
        listening = undefined;
        logger.warn({ err: error }, "presence LISTEN failed; clients fall back to polling");
        throw error;
      });
    return listening;
  }

  return {
    /** Resolves once this process is listening, so no change after this call is missed. */
    ready: ensureListening,
    /** Team ids whose presence changed, until `signal` aborts. */
    async *changes(signal: AbortSignal): AsyncGenerator<string> {
      await ensureListening();
      try {
        for await (const [teamId] of on(emitter, "change", { signal })) yield teamId as string;
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    },
  };
}

export type PresenceBus = ReturnType<typeof createPresenceBus>;
