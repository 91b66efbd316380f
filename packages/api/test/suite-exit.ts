/**
 * Servers a suite starts (next-server, livekit-server, redis-server, a Postgres of its own) die
 * with it: when it ends, when it fails, and when it is interrupted (Ctrl-C, a kill). Node runs no
 * `exit` handler on a signal by default, and a server in a process group of its own does not get
 * the terminal's Ctrl-C, so both are handled here.
 */
import type { ChildProcess } from "node:child_process";

const cleanups = new Set<() => void>();
let installed = false;

function runCleanups() {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away.
    }
  }
}

function install() {
  if (installed) return;
  installed = true;
  process.on("exit", runCleanups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      runCleanups();
      // Then die of the same signal, as without this handler.
      process.kill(process.pid, signal);
    });
  }
}

/** Runs `cleanup` (synchronous) when the suite's process ends in any way; returns how to cancel it. */
export function whenSuiteEnds(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/**
 * Kills `child` (its whole process group when it was spawned `detached`, as `next start` is for
 * its next-server) if it still runs when the suite's process ends. Returns how to forget it, for
 * a group once it has been stopped.
 */
export function killWithSuite(child: ChildProcess, options: { group?: boolean } = {}): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined;
  const cancel = whenSuiteEnds(() => {
    try {
      process.kill(options.group ? -pid : pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  });
  // A group may outlive its leader (the leader's children), so only a lone child is forgotten on exit.
  if (!options.group) child.once("exit", cancel);
  return cancel;
}
