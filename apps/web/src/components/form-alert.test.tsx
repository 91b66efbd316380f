import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FormAlert, withoutStatedWait } from "./form-alert";

const throttled = (seconds: number) =>
  Object.assign(new Error(`Too many attempts. Please try again in ${seconds} seconds.`), {
    data: { code: "TOO_MANY_REQUESTS", retryAfterSeconds: seconds, fieldErrors: {} },
  });

describe("a throttled form's alert", () => {
  it("shows one countdown, the live one, not the wait the server stated when it answered", () => {
    const { container } = render(<FormAlert error={throttled(30)} waitSeconds={28} />);
    expect(container.textContent).toContain("Too many attempts.");
    expect(container.textContent).toContain("You can try again in 28 seconds.");
    expect(container.textContent).not.toContain("30 seconds");
  });

  it("keeps the server's sentence when there is no countdown to show", () => {
    const { container } = render(<FormAlert error={throttled(30)} />);
    expect(container.textContent).toContain("Please try again in 30 seconds.");
  });

  it("only drops a trailing wait sentence", () => {
    expect(withoutStatedWait("Too many new rooms. Please try again in 2 minutes.")).toBe(
      "Too many new rooms.",
    );
    expect(withoutStatedWait("Something else.")).toBe("Something else.");
  });
});
