/**
 * Decides when a video effect is too slow for the device, from the time each frame takes to
 * process. After a warm-up (the first frames include loading the model and shaders), it looks at
 * the median of a sliding window: a median over budget means the camera's frame rate cannot be
 * kept (40 ms a frame is under 25 frames a second, and the whole tab feels it), while one slow
 * frame (a GC pause, a tab switch) does not count.
 */
export interface FrameBudgetOptions {
  budgetMs?: number;
  warmupFrames?: number;
  windowFrames?: number;
}

export function createFrameBudget({
  budgetMs = 40,
  warmupFrames = 30,
  windowFrames = 60,
}: FrameBudgetOptions = {}) {
  let seen = 0;
  const window: number[] = [];
  let tripped = false;

  const median = () => {
    const sorted = [...window].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };

  return {
    /** Records one frame's processing time; true exactly once, when the effect should stop. */
    record(processingMs: number): boolean {
      if (tripped || !Number.isFinite(processingMs)) return false;
      seen++;
      if (seen <= warmupFrames) return false;
      window.push(processingMs);
      if (window.length > windowFrames) window.shift();
      if (window.length < windowFrames) return false;
      tripped = median() > budgetMs;
      return tripped;
    },
    /** The median of the current window (for measurements), or null before it is full. */
    median: () => (window.length ? median() : null),
  };
}
