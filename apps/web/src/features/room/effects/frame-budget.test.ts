import { describe, expect, it } from "vitest";

import { createFrameBudget } from "./frame-budget";

const feed = (budget: ReturnType<typeof createFrameBudget>, times: number[]) =>
  times.map((t) => budget.record(t));

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
});
