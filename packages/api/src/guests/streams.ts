/**
 * Guests' status streams (the waiting page hears at once when it is let in, turned away or its
 * link withdrawn). A presence change costs one query per team however many guests wait: each
 * process keeps one subscription to the presence bus, and on a change of a team it reads the
 * status of every pass of that team with a stream open, in one statement (`guestStatuses`), then
 * hands each stream its own. A stream ends with its pass: on leaving, removal or revocation.
 */
import type { GuestSession } from "../lib/requester";
import { guestStatuses, isFinalGuestStatus, type GuestStatusView } from "./logic";
import type { Services } from "../lib/services";

type Listener = (status: GuestStatusView | null) => void;

interface TeamWatch {
  passes: Map<string, Set<Listener>>;
  /** A read is under way; `again` asks for one more after it (a change came meanwhile). */
  reading: boolean;
  again: boolean;
}

function createHub(svc: Services) {
  const teams = new Map<string, TeamWatch>();
  let stop: AbortController | null = null;

  async function read(teamId: string, watch: TeamWatch) {
    if (watch.reading) {
      watch.again = true;
      return;
    }
    watch.reading = true;
    try {
      do {
        watch.again = false;
        const ids = [...watch.passes.keys()];
        if (ids.length === 0) break;
        let statuses: Map<string, GuestStatusView>;
        try {
          statuses = await guestStatuses(svc, ids);
        } catch (error) {
          svc.logger.warn({ err: error, teamId }, "could not read guests' status; the next change will");
          break;
        }
        for (const id of ids) {
          for (const listener of watch.passes.get(id) ?? []) listener(statuses.get(id) ?? null);
        }
      } while (watch.again);
    } finally {
      watch.reading = false;
    }
  }

  function listen() {
    if (stop) return;
    const controller = new AbortController();
    stop = controller;
    void (async () => {
      try {
        for await (const teamId of svc.presenceBus.changes(controller.signal)) {
          const watch = teams.get(teamId);
          if (watch) void read(teamId, watch);
        }
      } catch (error) {
        svc.logger.warn({ err: error }, "guest status streams stopped listening");
      } finally {
        if (stop === controller) stop = null;
      }
    })();
  }

  return {
    /** Calls `listener` with the pass's status after each change of its team (null: the pass is over). */
    watch(teamId: string, passId: string, listener: Listener): () => void {
      let watch = teams.get(teamId);
      if (!watch) teams.set(teamId, (watch = { passes: new Map(), reading: false, again: false }));
      const listeners = watch.passes.get(passId) ?? new Set<Listener>();
      listeners.add(listener);
      watch.passes.set(passId, listeners);
      listen();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) watch.passes.delete(passId);
        if (watch.passes.size === 0) teams.delete(teamId);
        if (teams.size === 0) {
          stop?.abort();
          stop = null;
        }
      };
    },
  };
}

const hubs = new WeakMap<Services, ReturnType<typeof createHub>>();
const hubFor = (svc: Services) => {
  let hub = hubs.get(svc);
  if (!hub) hubs.set(svc, (hub = createHub(svc)));
  return hub;
};

/**
 * A guest's status now and after each change, until the pass ends (left, expired, its room
 * deleted), is turned away or its link withdrawn; capped per pass, per link and per client address.
 */
export async function* guestStatusStream(
  svc: Services,
  guest: GuestSession,
  ip: string | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<GuestStatusView> {
  const release = svc.liveStreams.claimGuest({ passId: guest.id, linkId: guest.linkId, ip });
  // A closed stream frees its place at once, even while its generator waits to be resumed.
  signal?.addEventListener("abort", release, { once: true });
  const queue: (GuestStatusView | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (status: GuestStatusView | null) => {
    queue.push(status);
    wake?.();
  };
  const aborted = () => signal?.aborted ?? false;
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Listen before reading the status, so no answer between the read and the first yield is lost.
  const unwatch = hubFor(svc).watch(guest.team.id, guest.id, push);
  try {
    await svc.presenceBus.ready();
    const first = (await guestStatuses(svc, [guest.id])).get(guest.id) ?? null;
    if (!first) return;
    let last = first;
    yield first;
    if (isFinalGuestStatus(first.status)) return;
    while (!aborted()) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const next = queue.shift()!;
      if (!next) return;
      if (
        next.status !== last.status ||
        next.locked !== last.locked ||
        next.knockedAt?.getTime() !== last.knockedAt?.getTime()
      ) {
        yield next;
      }
      last = next;
      if (isFinalGuestStatus(next.status)) return;
    }
  } finally {
    unwatch();
    signal?.removeEventListener("abort", onAbort);
    release();
  }
}
