import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { FormField } from "./form-field";

afterEach(cleanup);

describe("FormField", () => {
  it("labels its input and describes it with the hint", () => {
    render(<FormField label="Email" name="email" hint="We never share it." />);
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("aria-invalid")).toBeNull();
    expect(document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "We never share it.",
    );
  });

  it("marks the input invalid and shows the error instead of the hint", () => {
    render(
      <FormField label="Email" name="email" hint="We never share it." error="Enter your email address." />,
    );
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Enter your email address.",
    );
    expect(screen.queryByText("We never share it.")).toBeNull();
  });
});
