// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";

import {
  BACKGROUND_OPTIONS,
  EFFECT_STORAGE_KEY,
  backgroundImagePath,
  loadEffectPreferences,
  noiseSuppressionEnabled,
  saveEffectPreferences,
} from "./effect-preferences";

beforeEach(() => localStorage.clear());

describe("effect preferences", () => {
  it("offers None, light and strong blur and the bundled pictures, all served by Parlor", () => {
    expect(BACKGROUND_OPTIONS.map((o) => o.effect)).toEqual([
      "none",
      "blur-light",
      "blur-strong",
      "image:dawn",
      "image:garden",
      "image:dusk",
    ]);
    for (const option of BACKGROUND_OPTIONS.filter((o) => o.thumbnail))
      expect(option.thumbnail).toMatch(/^\/backgrounds\/[a-z]+-thumb\.jpg$/);
    expect(backgroundImagePath("dusk")).toBe("/backgrounds/dusk.jpg");
  });

  it("starts with no background effect and noise suppression left to the device", () => {
    expect(loadEffectPreferences()).toEqual({ background: "none", noiseSuppression: null });
  });

  it("remembers the choices in this browser, one change at a time", () => {
    saveEffectPreferences({ background: "blur-strong" });
    saveEffectPreferences({ noiseSuppression: false });
    expect(loadEffectPreferences()).toEqual({ background: "blur-strong", noiseSuppression: false });
    expect(JSON.parse(localStorage.getItem(EFFECT_STORAGE_KEY)!)).toEqual({
      background: "blur-strong",
      noiseSuppression: false,
    });
  });

  it("ignores what it does not know (a removed picture, garbage) instead of failing", () => {
    localStorage.setItem(
      EFFECT_STORAGE_KEY,
      JSON.stringify({ background: "image:beach", noiseSuppression: "yes" }),
    );
    expect(loadEffectPreferences()).toEqual({ background: "none", noiseSuppression: null });
    localStorage.setItem(EFFECT_STORAGE_KEY, "{not json");
    expect(loadEffectPreferences()).toEqual({ background: "none", noiseSuppression: null });
    localStorage.setItem(EFFECT_STORAGE_KEY, "null");
    expect(loadEffectPreferences()).toEqual({ background: "none", noiseSuppression: null });
  });

  it("turns noise suppression on by default only where the device can afford it", () => {
    const laptop = { cores: 8, memoryGiB: 8, audioWorklet: true };
    const smallPhone = { cores: 2, memoryGiB: 1, audioWorklet: true };
    expect(noiseSuppressionEnabled(null, laptop)).toBe(true);
    expect(noiseSuppressionEnabled(null, smallPhone)).toBe(false);
    expect(noiseSuppressionEnabled(null, { ...laptop, memoryGiB: 1 })).toBe(false);
    // Browsers that do not say (Safari, Firefox: no deviceMemory) count as capable.
    expect(noiseSuppressionEnabled(null, { cores: 8, memoryGiB: undefined, audioWorklet: true })).toBe(true);
    // A choice wins over the default, either way.
    expect(noiseSuppressionEnabled(false, laptop)).toBe(false);
    expect(noiseSuppressionEnabled(true, smallPhone)).toBe(true);
    // Never without AudioWorklet.
    expect(noiseSuppressionEnabled(true, { ...laptop, audioWorklet: false })).toBe(false);
  });
});
