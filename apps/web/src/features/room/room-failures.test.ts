import { describe, expect, it } from "vitest";

import { failureText } from "./room-failures";

describe("each ending, in words for the person it happened to", () => {
  it("a removed person is told who removed them, for how long, and is offered no retry", () => {
    const text = failureText({ kind: "kicked", by: "Ada" });
    expect(text.title).toBe("You were removed from the call");
    expect(text.description).toBe(
      "Ada removed you from this call. You can come back to this room in 5 minutes.",
    );
    expect(text.retry).toBe(false);
  });

  it("the moderator who ended the meeting reads that they did, not a guess about an admin", () => {
    const text = failureText({ kind: "ended", by: "Ada", byYou: true });
    expect(text.title).toBe("You ended the meeting");
    expect(text.description).not.toMatch(/admin|deleted|rejoin/i);
    expect(text.retry).toBe(false);
  });

  it("the others read who ended it; nobody is told the room may have been deleted", () => {
    const text = failureText({ kind: "ended", by: "Ada" });
    expect(text.title).toBe("The meeting has ended");
    expect(text.description).toMatch(/^Ada ended the meeting for everyone\./);
    expect(text.description).not.toMatch(/deleted/);
    expect(failureText({ kind: "ended" }).description).toMatch(/^The meeting was ended for everyone\./);
    expect(text.retry).toBe(false);
  });

  it("a deleted room says so", () => {
    const text = failureText({ kind: "deleted", by: "Ada" });
    expect(text.title).toBe("This room was deleted");
    expect(text.description).toBe("Ada deleted this room, which ended its meeting.");
    expect(text.retry).toBe(false);
  });

  it("failures that trying again can fix still offer it", () => {
    for (const kind of ["unreachable", "lost", "token-rejected", "full", "crashed"] as const)
      expect(failureText({ kind }).retry, kind).toBe(true);
  });
});
