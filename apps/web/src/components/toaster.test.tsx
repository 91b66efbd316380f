import { toast, Toaster } from "@parlor/ui/toaster";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

afterEach(cleanup);

// jsdom has no matchMedia; Sonner asks it for the system theme.
beforeAll(() => {
  window.matchMedia ??= (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
    }) as unknown as MediaQueryList;
});

// Sonner loads with the first toast (it is not in any page's first load): the toaster must
// still show that toast, and the ones raised before it mounted.
describe("the lazily loaded toaster", () => {
  it("renders nothing until a toast is raised, then shows it", async () => {
    const { container } = render(<Toaster />);
    expect(container.innerHTML).toBe("");
    act(() => toast.error("The lock did not change", { description: "Try again" }));
    expect(await screen.findByText("The lock did not change")).toBeTruthy();
    expect(screen.getByText("Try again")).toBeTruthy();
  });

  it("shows a toast raised before the toaster mounted, and dismisses by id", async () => {
    toast.success("Device saved", { id: "device-videoinput" });
    render(<Toaster />);
    expect(await screen.findByText("Device saved")).toBeTruthy();
    act(() => toast.dismiss("device-videoinput"));
    await expect.poll(() => screen.queryByText("Device saved")).toBeNull();
  });
});
