/**
 * Decides when a video effect is too slow for the device, from the time each frame takes to
 * process. Two rules:
 *
 * - **Clearly overloaded**: once the effect has run for `overloadAfterMs` (3 s) after a short
 *   warm-up, when the frames of the last 3 s (or the last 3, if fewer) take more than `overloadFactor` times the
 *   budget (160 ms: under 6 frames a second) at the median, it stops at once. A device that needs
 *   a second a frame would otherwise wait for the whole window below, a minute or more, with
 *   its tab frozen all along.
 * - **Borderline**: after a warm-up (the first frames include loading the model and shaders),
 *   the median of a sliding window of frames: over budget means the camera's frame rate cannot
 *   be kept (40 ms a frame is under 25 frames a second, and the whole tab feels it).
 *
 * Medians, so one slow frame (a GC pause, a tab switch) counts for nothing in either rule.
 */
export interface FrameBudgetOptions {
  budgetMs?: number;
  warmupFrames?: number;
  windowFrames?: number;
  /** How far over budget (a multiple of it) the overload rule needs. */
  overloadFactor?: number;
  /** How long the effect runs, and how far back the overload rule looks. */
  overloadAfterMs?: number;
  /** Frames the overload rule skips at the start (the first load the model and compile shaders). */
  overloadWarmupFrames?: number;
  /** The clock, in milliseconds (tests pass their own). */
  now?: () => number;
}

/** Frames the overload rule needs within its time span before it may decide. */
const OVERLOAD_MIN_FRAMES = 3;

const medianOf = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export function createFrameBudget({
  budgetMs = 40,
  warmupFrames = 30,
  windowFrames = 60,
  overloadFactor = 4,
  overloadAfterMs = 3000,
  overloadWarmupFrames = 2,
  now = () => performance.now(),
}: FrameBudgetOptions = {}) {
  let seen = 0;
  let startedAt: number | null = null;
  const window: number[] = [];
  /** Frames after the overload warm-up within the last `overloadAfterMs`: [when, how long]. */
  const recent: [number, number][] = [];
  let decidedMedian: number | null = null;

  const overloaded = (at: number) => {
    // The last 3 s, but never fewer than the 3 latest frames: a device slower than a frame a
    // second has fewer than 3 in any 3 s, and is the one that most needs the rule.
    while (recent.length > OVERLOAD_MIN_FRAMES && recent[0]![0] < at - overloadAfterMs) recent.shift();
    if (startedAt === null || at - startedAt < overloadAfterMs) return null;
    if (recent.length < OVERLOAD_MIN_FRAMES) return null;
    const median = medianOf(recent.map(([, ms]) => ms));
    return median > budgetMs * overloadFactor ? median : null;
  };

  const overBudget = () => {
    if (window.length < windowFrames) return null;
    const median = medianOf(window);
    return median > budgetMs ? median : null;
  };

  return {
    /** Records one frame's processing time; true exactly once, when the effect should stop. */
    record(processingMs: number): boolean {
      if (decidedMedian !== null || !Number.isFinite(processingMs)) return false;
      const at = now();
      seen++;
      if (seen > overloadWarmupFrames) {
        startedAt ??= at;
        recent.push([at, processingMs]);
      }
      if (seen > warmupFrames) {
        window.push(processingMs);
        if (window.length > windowFrames) window.shift();
      }
      decidedMedian = overloaded(at) ?? overBudget();
      return decidedMedian !== null;
    },
    /** The median that decided, else that of the current window (for measurements), or null. */
    median: () => decidedMedian ?? (window.length ? medianOf(window) : null),
  };
}
