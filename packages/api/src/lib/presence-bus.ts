import { EventEmitter, on } from "node:events";

import type { DatabaseHandle } from "@parlor/db";

import type { Logger } from "./logger";

export interface BusChannels {
  /** Payload: the id of a team whose presence changed. */
  presence: string;
  /** Payload: the id of a user whose access changed (membership, role, sessions). */
  access: string;
}

/**
 * Fans presence and access changes out to this process's subscribers. Changes are announced with
 * Postgres NOTIFY, so a change applied by any web instance reaches subscribers on every instance;
 * each process keeps a single LISTEN per channel however many people watch.
 */
export function createPresenceBus(database: DatabaseHandle, channels: BusChannels, logger: Logger) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let listening: Promise<unknown> | undefined;

  function ensureListening() {
    listening ??= Promise.all([
      database.listen(channels.presence, (teamId) => emitter.emit("change", teamId)),
      database.listen(channels.access, (userId) => emitter.emit(`access:${userId}`)),
    ]).catch((error: unknown) => {
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
    /** Calls `listener` whenever a change of the user's access is announced; returns the unsubscribe. */
    onAccessChange(userId: string, listener: () => void): () => void {
      emitter.on(`access:${userId}`, listener);
      return () => emitter.off(`access:${userId}`, listener);
    },
  };
}

export type PresenceBus = ReturnType<typeof createPresenceBus>;
