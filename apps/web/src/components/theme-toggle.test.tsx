import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { ThemeToggle } from "./theme-toggle";

afterEach(cleanup);

// The theme menu's code loads after the page is interactive; until then its button stands in.
// A click on the stand-in must not be lost (a slow phone, a busy machine): the menu opens once
// its code has arrived.
describe("the theme menu loaded on demand", () => {
  it("opens when its stand-in button was clicked before the menu's code arrived", async () => {
    render(<ThemeToggle />);
    fireEvent.click(screen.getByRole("button", { name: "Theme" }));
    expect(await screen.findByRole("menuitemradio", { name: /Dark/ }, { timeout: 10_000 })).toBeTruthy();
  });

  it("stays closed until someone clicks", async () => {
    render(<ThemeToggle />);
    // Wait until the real trigger (Radix's, with aria-expanded) has replaced the stand-in.
    await expect
      .poll(() => screen.getByRole("button", { name: "Theme" }).getAttribute("aria-expanded"), {
        timeout: 10_000,
      })
      .toBe("false");
    expect(screen.queryByRole("menuitemradio")).toBeNull();
  });
});
