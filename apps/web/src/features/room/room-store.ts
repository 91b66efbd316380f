/**
 * The join state machine (the seed's `useRoom` store): ensure the room, then fetch connection
 * details, with the seed's four states and cache rules.
 *
 *   idle         → isInitializing: false, error: null,  connectionDetails: null
 *   initializing → isInitializing: true,  error: null,  connectionDetails: null
 *   ready        → isInitializing: false, error: null,  connectionDetails: { … }
 *   failed       → isInitializing: false, error: "…",   connectionDetails: null
 *
 * Plain TypeScript with an injected API so it can be tested without tRPC or React; `use-room.ts`
 * adapts it to tRPC and React.
 */

export interface ConnectionDetails {
  serverUrl: string;
  roomName: string;
  participantToken: string;
  participantName: string;
  /** When the token stops being accepted (from the API). */
  expiresAt: Date;
  /** The room is end-to-end encrypted: join only with its passphrase. */
  encrypted?: boolean;
}

export interface EnsuredRoom {
  /** LiveKit room name. */
  roomName: string;
  created: boolean;
  /** The canonical slug: may differ from the one in the URL ("Design Review" → "design-review"). */
  roomSlug: string;
  /** The room's display name. */
  name: string;
  /** End-to-end encrypted (see `ConnectionDetails.encrypted`). */
  encrypted?: boolean;
}

export interface RoomApi {
  ensure(teamSlug: string, roomSlug: string, signal: AbortSignal): Promise<EnsuredRoom>;
  connectionDetails(
    teamSlug: string,
    roomSlug: string,
    participantName: string,
    signal: AbortSignal,
  ): Promise<ConnectionDetails>;
}

/** Which room, as whom. */
export interface RoomTarget {
  teamSlug: string;
  roomSlug: string;
  participantName: string;
}

export type InitStep = "ensure" | "connectionDetails";

export interface RoomState {
  isInitializing: boolean;
  error: string | null;
  connectionDetails: ConnectionDetails | null;
  /** While initializing: the step under way. */
  step: InitStep | null;
  /** A machine-readable reason for `error` (e.g. a tRPC code), to choose what to offer. */
  errorCode: string | null;
  /** What this state is about. */
  target: RoomTarget | null;
  /** The room as `ensure` answered (canonical slug and name); kept while ready. */
  room: EnsuredRoom | null;
}

export type RoomPhase = "idle" | "initializing" | "ready" | "failed";

export function phaseOf(state: Pick<RoomState, "isInitializing" | "error" | "connectionDetails">): RoomPhase {
  if (state.isInitializing) return "initializing";
  if (state.error !== null) return "failed";
  if (state.connectionDetails !== null) return "ready";
  return "idle";
}

export interface DescribedError {
  message: string;
  code: string | null;
}

export interface RoomStoreOptions {
  api: RoomApi;
  /**
   * Reuse a token only while it has at least this long to live (or half the life it had on
   * arrival, when that is shorter: a server may hand out tokens that live 30 seconds).
   */
  safetyMarginMs?: number;
  now?: () => number;
  /** Turns a failure into a message a person can act on. */
  describeError?: (error: unknown, step: InitStep) => DescribedError;
}

export const DEFAULT_SAFETY_MARGIN_MS = 60_000;

export const IDLE: RoomState = Object.freeze({
  isInitializing: false,
  error: null,
  connectionDetails: null,
  step: null,
  errorCode: null,
  target: null,
  room: null,
}) as RoomState;

const STEP_FALLBACK: Record<InitStep, string> = {
  ensure: "We could not set up the room. Please try again.",
  connectionDetails: "We could not get the connection details for this room. Please try again.",
};

function defaultDescribe(error: unknown, step: InitStep): DescribedError {
  const message = error instanceof Error && error.message.trim() ? error.message : STEP_FALLBACK[step];
  const code = (error as { code?: unknown } | null)?.code;
  return { message, code: typeof code === "string" ? code : null };
}

/** Names are compared as the server will see them. */
export function normalizeTarget(target: RoomTarget): RoomTarget {
  return {
    teamSlug: target.teamSlug.trim(),
    roomSlug: target.roomSlug.trim(),
    participantName: target.participantName.replace(/\s+/g, " ").trim(),
  };
}

/** Whether `state` is about `target` (same team, room — by either slug — and name). */
export function isStateFor(state: RoomState, target: RoomTarget): boolean {
  return state.target !== null && sameTarget(state.target, normalizeTarget(target), state.room?.roomSlug);
}

/** The same room (by the slug asked for or its canonical slug) and the same participant name. */
function sameTarget(a: RoomTarget, b: RoomTarget, canonicalSlugOfA?: string | null): boolean {
  return (
    a.teamSlug === b.teamSlug &&
    a.participantName === b.participantName &&
    (a.roomSlug === b.roomSlug || (canonicalSlugOfA != null && canonicalSlugOfA === b.roomSlug))
  );
}

class ValidationError extends Error {
  override name = "ValidationError";
}

/** The seed's "validates received connection details". */
function validateDetails(details: ConnectionDetails, room: EnsuredRoom): ConnectionDetails {
  const problems: string[] = [];
  if (!details || typeof details !== "object")
    throw new ValidationError("The server sent no connection details.");
  if (typeof details.serverUrl !== "string" || !/^(wss?|https?):\/\/./i.test(details.serverUrl))
    problems.push("server address");
  if (typeof details.participantToken !== "string" || details.participantToken.length < 10)
    problems.push("access token");
  if (typeof details.roomName !== "string" || !details.roomName) problems.push("room name");
  else if (details.roomName !== room.roomName) problems.push("room (it does not match the room we set up)");
  if (typeof details.participantName !== "string") problems.push("participant name");
  const expires =
    details.expiresAt instanceof Date ? details.expiresAt : new Date(details.expiresAt as unknown as string);
  if (Number.isNaN(expires.getTime())) problems.push("token lifetime");
  if (problems.length) {
    throw new ValidationError(
      `The server sent incomplete connection details (${problems.join(", ")}). Please try again.`,
    );
  }
  return { ...details, expiresAt: expires };
}

export type RoomStore = ReturnType<typeof createRoomStore>;

export function createRoomStore(options: RoomStoreOptions) {
  const { api } = options;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const now = options.now ?? Date.now;
  const describe = options.describeError ?? defaultDescribe;

  let state: RoomState = IDLE;
  const listeners = new Set<() => void>();
  let inflight: { controller: AbortController; target: RoomTarget; promise: Promise<void> } | null = null;
  let expiryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Each token's margin, fixed when it arrives (see `safetyMarginMs`). */
  const margins = new WeakMap<ConnectionDetails, number>();
  const marginFor = (details: ConnectionDetails) => margins.get(details) ?? margin;

  function set(next: RoomState) {
    if (expiryTimer !== null) {
      clearTimeout(expiryTimer);
      expiryTimer = null;
    }
    state = next;
    const details = next.connectionDetails;
    if (details) {
      // Token lifetime is part of the cache key: when it runs out, the cached details go.
      const delay = Math.max(0, details.expiresAt.getTime() - marginFor(details) - now());
      expiryTimer = setTimeout(() => {
        expiryTimer = null;
        if (state.connectionDetails === details) set({ ...IDLE, target: state.target });
      }, delay);
    }
    for (const listener of [...listeners]) listener();
  }

  function isFresh(details: ConnectionDetails): boolean {
    return details.expiresAt.getTime() - marginFor(details) > now();
  }

  /** The cached details for `target`, when they can still be used. */
  function cachedFor(target: RoomTarget): ConnectionDetails | null {
    const t = normalizeTarget(target);
    const details = state.connectionDetails;
    if (!details || !state.target || state.isInitializing) return null;
    if (!sameTarget(state.target, t, state.room?.roomSlug)) return null;
    return isFresh(details) ? details : null;
  }

  function cancelInflight() {
    if (!inflight) return;
    inflight.controller.abort(new DOMException("Room initialization was cancelled.", "AbortError"));
    inflight = null;
  }

  async function run(target: RoomTarget, controller: AbortController): Promise<void> {
    const { signal } = controller;
    const current = () => inflight?.controller === controller && !signal.aborted;
    let step: InitStep = "ensure";
    try {
      const room = await api.ensure(target.teamSlug, target.roomSlug, signal);
      if (!current()) return;
      step = "connectionDetails";
      set({ ...state, step, room });
      const details = validateDetails(
        await api.connectionDetails(target.teamSlug, room.roomSlug, target.participantName, signal),
        room,
      );
      if (!current()) return;
      margins.set(details, Math.min(margin, (details.expiresAt.getTime() - now()) / 2));
      if (!isFresh(details)) {
        throw new ValidationError(
          "The connection details expired as soon as they arrived. Check that this device's clock is correct, then try again.",
        );
      }
      inflight = null;
      set({
        isInitializing: false,
        error: null,
        connectionDetails: details,
        step: null,
        errorCode: null,
        target,
        room,
      });
    } catch (error) {
      if (!current()) return;
      inflight = null;
      const described =
        error instanceof ValidationError
          ? { message: error.message, code: "INVALID_DETAILS" }
          : describe(error, step);
      set({
        isInitializing: false,
        error: described.message,
        connectionDetails: null,
        step: null,
        errorCode: described.code,
        target,
        room: null,
      });
    }
  }

  return {
    getState: (): RoomState => state,

    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    cachedFor,

    initialize,

    /** Starts again for the last target, whatever is cached. */
    retry(): Promise<void> {
      const target = state.target;
      if (!target) return Promise.resolve();
      return initialize(target, { force: true });
    },

    /**
     * Says which room and name the page is about now. A different room or name clears the cached
     * details at once (back to idle), before the next initialization starts.
     */
    setTarget(rawTarget: RoomTarget): void {
      const target = normalizeTarget(rawTarget);
      if (state.target && sameTarget(state.target, target, state.room?.roomSlug)) return;
      if (inflight && sameTarget(inflight.target, target, state.room?.roomSlug)) return;
      cancelInflight();
      set({ ...IDLE, target });
    },

    /**
     * Cancels an initialization under way (unmount, navigation): its requests are aborted and the
     * store goes back to idle. Ready details stay cached for a quick return.
     */
    abort,

    /** Back to idle, forgetting everything. */
    reset(): void {
      cancelInflight();
      set(IDLE);
    },
  };

  /**
   * Brings the store to `ready` for `target`. Reuses cached details when room, name and token
   * lifetime still match, joins an initialization already under way for the same target, and
   * otherwise starts afresh (clearing what was there). `force` always starts afresh (Retry).
   */
  function initialize(
    rawTarget: RoomTarget,
    opts: { force?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const target = normalizeTarget(rawTarget);
    if (!opts.force) {
      if (cachedFor(target)) return Promise.resolve();
      if (inflight && sameTarget(inflight.target, target, state.room?.roomSlug)) return inflight.promise;
    }
    cancelInflight();
    const controller = new AbortController();
    if (opts.signal) {
      if (opts.signal.aborted) return Promise.resolve();
      opts.signal.addEventListener("abort", () => {
        if (inflight?.controller === controller) abort();
      });
    }
    // Cleared when initialization starts.
    set({
      isInitializing: true,
      error: null,
      connectionDetails: null,
      step: "ensure",
      errorCode: null,
      target,
      room: null,
    });
    const entry = { controller, target, promise: Promise.resolve() };
    inflight = entry;
    entry.promise = run(target, controller);
    return entry.promise;
  }

  function abort(): void {
    if (!inflight) return;
    const target = inflight.target;
    cancelInflight();
    if (state.isInitializing) set({ ...IDLE, target });
  }
}
