import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { SetupStatus } from "./setup-status";
import { SetupFailure } from "./setup-status";
import { RoomFailureCard } from "./room-failure-card";

afterEach(cleanup);

describe("RoomFailureCard", () => {
  it("without a retry, 'Back to team' is the one (primary) way on", () => {
    render(
      <RoomFailureCard
        kind="kicked"
        title="You were removed from the call"
        description="…"
        teamHref="/t/acme"
      />,
    );
    expect(screen.queryByRole("button", { name: /retry/i })).toBeNull();
    const back = screen.getByRole("link", { name: "Back to team" });
    expect(back.getAttribute("href")).toBe("/t/acme");
    expect(back.className).toMatch(/\bbg-primary\b/);
  });

  it("with a retry, Retry is the primary action and Back to team the other", () => {
    const onRetry = vi.fn();
    render(
      <RoomFailureCard
        kind="lost"
        title="Connection lost"
        description="…"
        teamHref="/t/acme"
        onRetry={onRetry}
      />,
    );
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Retry" }).className).toMatch(/\bbg-primary\b/);
    expect(screen.getByRole("link", { name: "Back to team" }).className).not.toMatch(/\bbg-primary\b/);
  });
});

const status = (code: string, secondsLeft: number | null): SetupStatus => ({
  phase: "failed",
  step: null,
  failure: { title: "You can't join this room", message: "You were removed: rejoin in 5 minutes.", code },
  retry: { secondsLeft, attempts: 0, retryNow: vi.fn() },
  teamHref: "/t/acme",
});

describe("SetupFailure (the join panel)", () => {
  it("a refusal trying again cannot fix offers no Retry now beside a 'will not help'", () => {
    render(<SetupFailure status={status("FORBIDDEN", null)} />);
    const panel = screen.getByTestId("setup-failure");
    expect(screen.queryByRole("button", { name: "Retry now" })).toBeNull();
    expect(panel.textContent).not.toMatch(/will not help/);
    expect(screen.getByRole("link", { name: "Back to team" })).toBeTruthy();
  });

  it("a failure that may pass counts down and offers Retry now", () => {
    render(<SetupFailure status={status("SERVICE_UNAVAILABLE", 4)} />);
    expect(screen.getByRole("button", { name: "Retry now" })).toBeTruthy();
    expect(screen.getByTestId("setup-retry-status").textContent).toMatch(/Retrying in 4 s/);
  });
});
