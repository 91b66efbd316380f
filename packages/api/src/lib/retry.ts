import { postgresErrorCode } from "./errors";

/**
 * Postgres ends one of two transactions that wait on each other's rows (40P01, deadlock) or a
 * serializable one that lost a race (40001); run again, it sees the other's outcome and succeeds.
 * Deleting a room (its sessions cascade) while LiveKit's room_finished for it ends those sessions
 * takes the same rows in the opposite order, so either side may be the one ended.
 */
const TRANSIENT = new Set(["40P01", "40001"]);

/** Whether Postgres ended the statement for a deadlock or a serialization failure (worth a retry). */
export const isTransientConflict = (error: unknown) => TRANSIENT.has(postgresErrorCode(error) ?? "");

/** Runs `run` again (at most `attempts` times in all) when Postgres ended it for a deadlock. */
export async function retryIfDeadlocked<T>(
  run: () => Promise<T>,
  { attempts = 3, also = [] as string[] } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = postgresErrorCode(error) ?? "";
      if (attempt >= attempts || !(TRANSIENT.has(code) || also.includes(code))) throw error;
    }
  }
}
