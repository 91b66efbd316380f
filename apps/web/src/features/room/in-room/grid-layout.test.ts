import { describe, expect, it } from "vitest";

import { gridLayout } from "./grid-layout";

// The stage's size in the call on a 375×812 phone, and on a 1280×800 laptop.
const PHONE = { width: 359, height: 600 };
const LAPTOP = { width: 1256, height: 640 };

describe("the call's grid", () => {
  it("shows a three-person call on one page of a phone held upright, one above the other", () => {
    expect(gridLayout(3, PHONE.width, PHONE.height)).toEqual({ columns: 1, rows: 3, maxTiles: 3 });
  });

  it("keeps everyone on one phone page up to what still leaves faces visible, then pages", () => {
    for (const count of [2, 4, 6]) expect(gridLayout(count, PHONE.width, PHONE.height).maxTiles).toBe(count);
    const many = gridLayout(30, PHONE.width, PHONE.height);
    expect(many.maxTiles).toBeLessThan(30);
    expect(many.columns * many.rows).toBeGreaterThanOrEqual(many.maxTiles);
    expect((PHONE.width - 8 * (many.columns - 1)) / many.columns).toBeGreaterThanOrEqual(112);
  });

  it("lays a laptop's three out as LiveKit did (2×2) and its two side by side", () => {
    expect(gridLayout(3, LAPTOP.width, LAPTOP.height)).toEqual({ columns: 2, rows: 2, maxTiles: 3 });
    expect(gridLayout(2, LAPTOP.width, LAPTOP.height)).toEqual({ columns: 2, rows: 1, maxTiles: 2 });
  });

  it("is one tile before the area is measured", () => {
    expect(gridLayout(3, 0, 0)).toEqual({ columns: 1, rows: 1, maxTiles: 1 });
  });
});
