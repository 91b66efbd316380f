import { describe, expect, it } from "vitest";

import { createFrameBudget } from "./frame-budget";

const feed = (budget: ReturnType<typeof createFrameBudget>, times: number[]) =>
  times.map((t) => budget.record(t));

/**
 * A camera at `fps` feeding an effect whose frames take `times` ms: the next frame is processed
 * when both the camera has one and the previous frame is done. Returns the budget and, per
 * frame, whether it decided and when (ms since the first frame).
 */
function run(times: number[], fps: number, options: Parameters<typeof createFrameBudget>[0] = {}) {
  let clock = 0;
  const budget = createFrameBudget({ ...options, now: () => clock });
  return times.map((ms) => {
    const decided = budget.record(ms);
    const at = clock;
    clock += Math.max(ms, 1000 / fps);
    return { decided, at };
  });
}

describe("frame budget", () => {
  it("keeps an effect that fits the budget, slow warm-up frames included", () => {
    const budget = createFrameBudget({ budgetMs: 40, warmupFrames: 5, windowFrames: 10 });
    const results = feed(budget, [900, 300, 120, 80, 60, ...Array(50).fill(12)]);
    expect(results.every((r) => !r)).toBe(true);
    expect(budget.median()).toBe(12);
  });

  it("stops an effect whose median frame time is over budget, once", () => {
    const budget = createFrameBudget({ budgetMs: 40, warmupFrames: 5, windowFrames: 10 });
    const results = feed(budget, [...Array(5).fill(10), ...Array(20).fill(55)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // Decided as soon as the window after warm-up is full.
    expect(results.indexOf(true)).toBe(5 + 10 - 1);
  });

  it("does not stop for a few slow frames (a pause, a tab switch)", () => {
    const budget = createFrameBudget({ budgetMs: 40, warmupFrames: 0, windowFrames: 10 });
    const times = Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? 400 : 15));
    expect(feed(budget, times).some(Boolean)).toBe(false);
  });

  it("ignores frames with no measurable time", () => {
    const budget = createFrameBudget({ budgetMs: 40, warmupFrames: 0, windowFrames: 3 });
    expect(feed(budget, [NaN, Infinity, 100, 100])).toEqual([false, false, false, false]);
    expect(budget.record(100)).toBe(true);
  });

  it("turns off a clearly overloaded device within a few seconds, not after the whole window", () => {
    // About a second a frame (strong blur on a machine without a GPU): the old rule waited for
    // 30 warm-up frames and a window of 60, some two minutes.
    const frames = run(Array(120).fill(1000), 10);
    const decision = frames.findIndex((f) => f.decided);
    expect(decision).toBeGreaterThan(-1);
    expect(frames[decision]!.at).toBeGreaterThanOrEqual(3000);
    expect(frames[decision]!.at).toBeLessThanOrEqual(5000);
    expect(frames.filter((f) => f.decided)).toHaveLength(1);
  });

  it("turns off a device slower than a frame a second after 3 frames past the warm-up", () => {
    // Fewer than 3 frames in any 3 s: the last 3 frames decide.
    const frames = run(Array(60).fill(2000), 10);
    expect(frames.findIndex((f) => f.decided)).toBe(2 + 3 - 1);
  });

  it("decides on overload only 3 s after its 2 warm-up frames, whatever the frame count", () => {
    // 200 ms a frame: five frames a second, 16 frames in those 3 s.
    const frames = run(Array(40).fill(200), 30);
    const decision = frames.findIndex((f) => f.decided);
    expect(frames[decision]!.at - frames[2]!.at).toBe(3000);
    expect(frames.slice(0, decision).some((f) => f.decided)).toBe(false);
  });

  it("gives the median of the frames that decided", () => {
    let clock = 0;
    const budget = createFrameBudget({ now: () => clock });
    for (let i = 0; i < 20 && !budget.record(900); i++) clock += 900;
    expect(budget.median()).toBe(900);
  });

  it("leaves a borderline device (over budget, not far over) to the window's median", () => {
    // 60 ms a frame: 16 frames a second, over the 40 ms budget but under 4 times it.
    const frames = run(Array(200).fill(60), 30, { warmupFrames: 10, windowFrames: 30 });
    expect(frames.findIndex((f) => f.decided)).toBe(10 + 30 - 1);
  });

  it("catches a device that becomes overloaded mid-call within a few seconds", () => {
    const frames = run([...Array(300).fill(12), ...Array(60).fill(1000)], 30);
    const slowFrom = frames[300]!.at;
    const decision = frames.findIndex((f) => f.decided);
    expect(decision).toBeGreaterThanOrEqual(300);
    expect(frames[decision]!.at - slowFrom).toBeLessThanOrEqual(3000);
  });

  it("does not turn off a fast device for slow first frames or a few slow frames later", () => {
    const warmup = [2500, 1500, 600, 300, 120, 80];
    const stalls = Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? 700 : 10));
    expect(run([...warmup, ...stalls], 30).some((f) => f.decided)).toBe(false);
  });
});
