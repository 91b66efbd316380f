import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { DaysField } from "./days-field";

afterEach(cleanup);

function Harness({ saved, pending = false }: { saved: number | null; pending?: boolean }) {
  const [value, setValue] = useState(String(saved ?? 30));
  return (
    <form>
      <DaysField
        label="Keep for (days)"
        hint="Older ones go for good."
        value={value}
        saved={saved}
        error={undefined}
        pending={pending}
        onChange={setValue}
      />
    </form>
  );
}

describe("DaysField", () => {
  it("offers Save only once the number differs from the saved one", () => {
    render(<Harness saved={90} />);
    const save = screen.getByRole("button", { name: "Save" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Keep for (days)"), { target: { value: "30" } });
    expect(save.disabled).toBe(false);
    fireEvent.change(screen.getByLabelText("Keep for (days)"), { target: { value: "90" } });
    expect(save.disabled).toBe(true);
  });

  it("says it is saving while the change is on its way", () => {
    render(<Harness saved={90} pending />);
    expect(screen.getByRole("button", { name: /Saving/ })).toBeTruthy();
  });
});
