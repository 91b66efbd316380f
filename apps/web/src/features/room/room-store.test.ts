import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  createRoomStore,
  DEFAULT_SAFETY_MARGIN_MS,
  phaseOf,
  type ConnectionDetails,
  type EnsuredRoom,
  type RoomApi,
  type RoomState,
} from "./room-store";

interface Pending<T> {
  args: unknown[];
  signal: AbortSignal;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** An API whose calls wait until the test answers them, recording each call and its signal. */
function controllableApi() {
  const ensureCalls: Pending<EnsuredRoom>[] = [];
  const detailsCalls: Pending<ConnectionDetails>[] = [];
  const track = <T>(list: Pending<T>[], args: unknown[], signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      list.push({ args, signal, resolve, reject });
      // Like fetch: an aborted request rejects.
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  const api: RoomApi = {
    ensure: (teamSlug, roomSlug, signal) => track(ensureCalls, [teamSlug, roomSlug], signal),
    connectionDetails: (teamSlug, roomSlug, participantName, signal) =>
      track(detailsCalls, [teamSlug, roomSlug, participantName], signal),
  };
  return { api, ensureCalls, detailsCalls };
}

const TTL_MS = 10 * 60_000;

const ensured = (overrides: Partial<EnsuredRoom> = {}): EnsuredRoom => ({
  roomName: "parlor-abc",
  created: false,
  roomSlug: "standup",
  name: "Standup",
  ...overrides,
});

const details = (overrides: Partial<ConnectionDetails> = {}): ConnectionDetails => ({
  serverUrl: "wss://livekit.example.com",
  roomName: "parlor-abc",
  participantToken: "eyJhbGciOiJIUzI1NiJ9.token.signature",
  participantName: "Ada",
  expiresAt: new Date(Date.now() + TTL_MS),
  ...overrides,
});

const target = { teamSlug: "acme", roomSlug: "standup", participantName: "Ada" };

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => Promise.resolve());

/** The four fields of the seed's state table. */
const core = (s: RoomState) => ({
  isInitializing: s.isInitializing,
  error: s.error,
  connectionDetails: s.connectionDetails,
});

async function readyStore() {
  const fake = controllableApi();
  const store = createRoomStore({ api: fake.api });
  const done = store.initialize(target);
  fake.ensureCalls[0]!.resolve(ensured());
  await flush();
  fake.detailsCalls[0]!.resolve(details());
  await done;
  expect(phaseOf(store.getState())).toBe("ready");
  return { store, ...fake };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2030-01-01T10:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("state table", () => {
  it("starts idle", () => {
    const store = createRoomStore({ api: controllableApi().api });
    expect(core(store.getState())).toEqual({ isInitializing: false, error: null, connectionDetails: null });
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("idle → initializing: ensure first, then connection details, reporting the step", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const seen: string[] = [];
    store.subscribe(() => seen.push(`${phaseOf(store.getState())}:${store.getState().step ?? "-"}`));

    const done = store.initialize(target);
    expect(core(store.getState())).toEqual({ isInitializing: true, error: null, connectionDetails: null });
    expect(store.getState().step).toBe("ensure");
    expect(ensureCalls).toHaveLength(1);
    expect(ensureCalls[0]!.args).toEqual(["acme", "standup"]);
    expect(detailsCalls).toHaveLength(0);

    ensureCalls[0]!.resolve(ensured());
    await flush();
    expect(store.getState().step).toBe("connectionDetails");
    expect(core(store.getState())).toEqual({ isInitializing: true, error: null, connectionDetails: null });
    expect(detailsCalls[0]!.args).toEqual(["acme", "standup", "Ada"]);

    const d = details();
    detailsCalls[0]!.resolve(d);
    await done;
    expect(core(store.getState())).toEqual({ isInitializing: false, error: null, connectionDetails: d });
    expect(store.getState().room).toEqual(ensured());
    expect(seen).toEqual(["initializing:ensure", "initializing:connectionDetails", "ready:-"]);
  });

  it("initializing → failed when ensure fails, without asking for connection details", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.reject(
      Object.assign(new Error("The video service is not reachable right now."), {
        code: "SERVICE_UNAVAILABLE",
      }),
    );
    await done;
    expect(core(store.getState())).toEqual({
      isInitializing: false,
      error: "The video service is not reachable right now.",
      connectionDetails: null,
    });
    expect(store.getState().errorCode).toBe("SERVICE_UNAVAILABLE");
    expect(phaseOf(store.getState())).toBe("failed");
    expect(detailsCalls).toHaveLength(0);
  });

  it("initializing → failed when connection details fail", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.reject(new Error("Not a member of this team."));
    await done;
    expect(core(store.getState())).toEqual({
      isInitializing: false,
      error: "Not a member of this team.",
      connectionDetails: null,
    });
    expect(store.getState().room).toBeNull();
  });

  it("a failure without a usable message gets one naming the step", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.reject("boom");
    await done;
    expect(store.getState().error).toMatch(/could not set up the room/i);
  });

  it("uses the injected error describer", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({
      api,
      describeError: (_e, step) => ({ message: `failed at ${step}`, code: "X" }),
    });
    const done = store.initialize(target);
    ensureCalls[0]!.reject(new Error("raw"));
    await done;
    expect(store.getState()).toMatchObject({ error: "failed at ensure", errorCode: "X" });
  });

  it("rejects incomplete or mismatched connection details as a failure", async () => {
    for (const bad of [
      details({ participantToken: "" }),
      details({ serverUrl: "javascript:alert(1)" }),
      details({ roomName: "parlor-other" }),
      details({ expiresAt: new Date("nope") }),
    ]) {
      const { api, ensureCalls, detailsCalls } = controllableApi();
      const store = createRoomStore({ api });
      const done = store.initialize(target);
      ensureCalls[0]!.resolve(ensured());
      await flush();
      detailsCalls[0]!.resolve(bad);
      await done;
      expect(phaseOf(store.getState())).toBe("failed");
      expect(store.getState().errorCode).toBe("INVALID_DETAILS");
      expect(store.getState().connectionDetails).toBeNull();
    }
  });

  it("rejects a token that is already (nearly) expired on arrival", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    // This device's clock runs ahead of the server's by more than the token's lifetime.
    detailsCalls[0]!.resolve(details({ expiresAt: new Date(Date.now() - 1000) }));
    await done;
    expect(store.getState().error).toMatch(/clock/);
  });

  it("accepts a short-lived token (LIVEKIT_TOKEN_TTL_SECONDS=30) and reuses it for half its life", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.resolve(details({ expiresAt: new Date(Date.now() + 30_000) }));
    await done;
    expect(phaseOf(store.getState())).toBe("ready");
    vi.advanceTimersByTime(14_000);
    expect(store.cachedFor(target)).not.toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("failed → initializing → ready on retry after ensure failed", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const first = store.initialize(target);
    ensureCalls[0]!.reject(new Error("down"));
    await first;
    expect(phaseOf(store.getState())).toBe("failed");

    const second = store.retry();
    expect(core(store.getState())).toEqual({ isInitializing: true, error: null, connectionDetails: null });
    ensureCalls[1]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.resolve(details());
    await second;
    expect(phaseOf(store.getState())).toBe("ready");
    expect(store.getState().errorCode).toBeNull();
  });

  it("failed → initializing → ready on retry after connection details failed (ensure runs again)", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const first = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.reject(new Error("token service down"));
    await first;
    expect(phaseOf(store.getState())).toBe("failed");

    const second = store.retry();
    expect(ensureCalls).toHaveLength(2);
    ensureCalls[1]!.resolve(ensured());
    await flush();
    detailsCalls[1]!.resolve(details());
    await second;
    expect(phaseOf(store.getState())).toBe("ready");
  });

  it("initialize after a failure starts again (a failed state is never reused)", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    const first = store.initialize(target);
    ensureCalls[0]!.reject(new Error("down"));
    await first;
    void store.initialize(target);
    expect(ensureCalls).toHaveLength(2);
    expect(phaseOf(store.getState())).toBe("initializing");
  });

  it("ready → idle on reset", async () => {
    const { store } = await readyStore();
    store.reset();
    expect(core(store.getState())).toEqual({ isInitializing: false, error: null, connectionDetails: null });
    expect(store.getState().target).toBeNull();
  });

  it("retry with nothing to retry does nothing", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    await store.retry();
    expect(ensureCalls).toHaveLength(0);
    expect(phaseOf(store.getState())).toBe("idle");
  });
});

describe("cache", () => {
  it("reuses details for the same room and name while the token lives", async () => {
    const { store, ensureCalls, detailsCalls } = await readyStore();
    const before = store.getState();
    await store.initialize({ ...target, participantName: "  Ada " });
    expect(ensureCalls).toHaveLength(1);
    expect(detailsCalls).toHaveLength(1);
    expect(store.getState()).toBe(before);
    expect(store.cachedFor(target)).toBe(before.connectionDetails);
  });

  it("reuses details when asked again under the room's canonical slug", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize({ ...target, roomSlug: "design--review" });
    ensureCalls[0]!.resolve(ensured({ roomSlug: "design-review", name: "Design review" }));
    await flush();
    expect(detailsCalls[0]!.args).toEqual(["acme", "design-review", "Ada"]);
    detailsCalls[0]!.resolve(details());
    await done;
    await store.initialize({ ...target, roomSlug: "design-review" });
    expect(ensureCalls).toHaveLength(1);
    expect(phaseOf(store.getState())).toBe("ready");
  });

  it("a different room clears the details and initializes again", async () => {
    const { store, ensureCalls } = await readyStore();
    void store.initialize({ ...target, roomSlug: "retro" });
    expect(core(store.getState())).toEqual({ isInitializing: true, error: null, connectionDetails: null });
    expect(ensureCalls).toHaveLength(2);
    expect(ensureCalls[1]!.args).toEqual(["acme", "retro"]);
  });

  it("a different team is a different room", async () => {
    const { store, ensureCalls } = await readyStore();
    void store.initialize({ ...target, teamSlug: "other" });
    expect(ensureCalls).toHaveLength(2);
  });

  it("a different name clears the details and initializes again", async () => {
    const { store, detailsCalls, ensureCalls } = await readyStore();
    const done = store.initialize({ ...target, participantName: "Ada L." });
    expect(store.getState().connectionDetails).toBeNull();
    ensureCalls[1]!.resolve(ensured());
    await flush();
    expect(detailsCalls[1]!.args).toEqual(["acme", "standup", "Ada L."]);
    detailsCalls[1]!.resolve(details({ participantName: "Ada L." }));
    await done;
    expect(store.getState().connectionDetails?.participantName).toBe("Ada L.");
  });

  it("setTarget clears details at once when the room or name changes, and keeps them otherwise", async () => {
    const { store } = await readyStore();
    store.setTarget({ ...target });
    expect(phaseOf(store.getState())).toBe("ready");
    store.setTarget({ ...target, participantName: "Someone else" });
    expect(core(store.getState())).toEqual({ isInitializing: false, error: null, connectionDetails: null });
    expect(store.getState().target?.participantName).toBe("Someone else");
    expect(store.cachedFor(target)).toBeNull();
  });

  it("setTarget for another room cancels an initialization under way", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    void store.initialize(target);
    store.setTarget({ ...target, roomSlug: "retro" });
    expect(ensureCalls[0]!.signal.aborted).toBe(true);
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("an expired token is not reused: initialize fetches new details", async () => {
    const { store, ensureCalls } = await readyStore();
    vi.setSystemTime(Date.now() + TTL_MS - DEFAULT_SAFETY_MARGIN_MS + 1);
    expect(store.cachedFor(target)).toBeNull();
    void store.initialize(target);
    expect(ensureCalls).toHaveLength(2);
    expect(phaseOf(store.getState())).toBe("initializing");
  });

  it("when the token's lifetime (minus the margin) runs out, the cached details are cleared", async () => {
    const { store } = await readyStore();
    const changes = vi.fn();
    store.subscribe(changes);
    vi.advanceTimersByTime(TTL_MS - DEFAULT_SAFETY_MARGIN_MS - 1000);
    expect(phaseOf(store.getState())).toBe("ready");
    vi.advanceTimersByTime(1000);
    expect(core(store.getState())).toEqual({ isInitializing: false, error: null, connectionDetails: null });
    expect(store.getState().target).toEqual(target);
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it("honours a custom safety margin", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api, safetyMarginMs: 5 * 60_000 });
    const done = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.resolve(details());
    await done;
    vi.advanceTimersByTime(5 * 60_000);
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("an error clears the details", async () => {
    const { store, ensureCalls } = await readyStore();
    const done = store.initialize(target, { force: true });
    ensureCalls[1]!.reject(new Error("down"));
    await done;
    expect(store.getState().connectionDetails).toBeNull();
    expect(store.cachedFor(target)).toBeNull();
  });

  it("force starts afresh even with valid cached details", async () => {
    const { store, ensureCalls } = await readyStore();
    void store.initialize(target, { force: true });
    expect(ensureCalls).toHaveLength(2);
    expect(store.getState().connectionDetails).toBeNull();
  });

  it("a second initialize for the same target while one runs joins it", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const a = store.initialize(target);
    const b = store.initialize({ ...target });
    expect(a).toBe(b);
    expect(ensureCalls).toHaveLength(1);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    detailsCalls[0]!.resolve(details());
    await Promise.all([a, b]);
    expect(phaseOf(store.getState())).toBe("ready");
  });
});

describe("cancellation", () => {
  it("abort cancels the request under way, goes idle and ignores late answers", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    store.abort();
    expect(ensureCalls[0]!.signal.aborted).toBe(true);
    expect(phaseOf(store.getState())).toBe("idle");
    await done;
    ensureCalls[0]!.resolve(ensured());
    await flush();
    expect(detailsCalls).toHaveLength(0);
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("abort during the connection-details step cancels that request", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    const done = store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    store.abort();
    expect(detailsCalls[0]!.signal.aborted).toBe(true);
    await done;
    expect(phaseOf(store.getState())).toBe("idle");
    expect(store.getState().error).toBeNull();
  });

  it("an external signal (the component's unmount) aborts the initialization", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    const unmount = new AbortController();
    void store.initialize(target, { signal: unmount.signal });
    unmount.abort();
    expect(ensureCalls[0]!.signal.aborted).toBe(true);
    expect(phaseOf(store.getState())).toBe("idle");
  });

  it("an already aborted external signal starts nothing", async () => {
    const { api, ensureCalls } = controllableApi();
    const store = createRoomStore({ api });
    const unmount = new AbortController();
    unmount.abort();
    await store.initialize(target, { signal: unmount.signal });
    expect(ensureCalls).toHaveLength(0);
  });

  it("abort keeps ready details cached (coming back reuses them)", async () => {
    const { store, ensureCalls } = await readyStore();
    store.abort();
    expect(phaseOf(store.getState())).toBe("ready");
    await store.initialize(target);
    expect(ensureCalls).toHaveLength(1);
  });

  it("starting another room cancels the first room's requests; its late answer changes nothing", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    void store.initialize(target);
    const second = store.initialize({ ...target, roomSlug: "retro" });
    expect(ensureCalls[0]!.signal.aborted).toBe(true);
    ensureCalls[0]!.resolve(ensured());
    ensureCalls[1]!.resolve(ensured({ roomSlug: "retro", roomName: "parlor-retro" }));
    await flush();
    expect(detailsCalls).toHaveLength(1);
    detailsCalls[0]!.resolve(details({ roomName: "parlor-retro" }));
    await second;
    expect(store.getState().connectionDetails?.roomName).toBe("parlor-retro");
  });

  it("no request is left running after abort, whatever the step", async () => {
    const { api, ensureCalls, detailsCalls } = controllableApi();
    const store = createRoomStore({ api });
    void store.initialize(target);
    ensureCalls[0]!.resolve(ensured());
    await flush();
    void store.initialize({ ...target, participantName: "B" });
    void store.initialize({ ...target, participantName: "C" });
    store.abort();
    const all = [...ensureCalls, ...detailsCalls];
    expect(all.length).toBeGreaterThan(2);
    expect(all.every((call) => call.signal.aborted || call === ensureCalls[0])).toBe(true);
  });

  it("reset cancels what is under way and clears the expiry timer", async () => {
    const { store } = await readyStore();
    store.reset();
    expect(vi.getTimerCount()).toBe(0);
  });
});
