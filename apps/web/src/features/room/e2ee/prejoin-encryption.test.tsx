import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { PrejoinEncryption } from "./prejoin-encryption";

afterEach(cleanup);

function Harness({ firstHere, fromLink = false }: { firstHere: boolean; fromLink?: boolean }) {
  const [passphrase, setPassphrase] = useState(fromLink ? "from-the-link" : "");
  return (
    <PrejoinEncryption
      passphrase={passphrase}
      fromLink={fromLink}
      onPassphraseChange={setPassphrase}
      canInvite={false}
      unsupported={false}
      firstHere={firstHere}
    />
  );
}

describe("the encrypted room's passphrase on the pre-join", () => {
  it("tells the first person in that they set it, and generates one to share", () => {
    render(<Harness firstHere />);
    expect(screen.getByTestId("passphrase-help").textContent).toMatch(
      /^You're the first here: set the passphrase/,
    );
    fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    const input = screen.getByTestId("passphrase-input") as HTMLInputElement;
    expect(input.value).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    // Shown, so it can be read out; and a link that carries it, to share.
    expect(input.type).toBe("text");
    expect(screen.getByRole("button", { name: "Copy invite link with passphrase" })).toBeTruthy();
  });

  it("asks the others for the passphrase they were given, with nothing to generate", () => {
    render(<Harness firstHere={false} />);
    expect(screen.getByTestId("passphrase-help").textContent).toMatch(/^From your invite link/);
    expect(screen.queryByRole("button", { name: "Generate" })).toBeNull();
    cleanup();
    render(<Harness firstHere fromLink />);
    expect(screen.getByTestId("passphrase-help").textContent).toMatch(/^Filled in from your invite link/);
    expect(screen.queryByRole("button", { name: "Generate" })).toBeNull();
  });
});
