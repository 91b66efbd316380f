import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { recordingClient } from "../in-room/testing/trpc";
import { WhoIsHere } from "./who-is-here";

afterEach(cleanup);

type Listed = { identity: string; name: string; accountName: string | null; isGuest?: boolean };

const listed = (participants: Listed[] | null) => [
  { id: "r1", slug: "standup", name: "Standup", participants },
  {
    id: "r2",
    slug: "other",
    name: "Other",
    participants: [{ identity: "z", name: "Zed", accountName: "Zed" }],
  },
];

function renderFor(participants: Parameters<typeof listed>[0]) {
  const { calls, Provider } = recordingClient((path) => (path === "room.list" ? listed(participants) : null));
  render(
    <Provider>
      <WhoIsHere teamSlug="acme" roomSlug="standup" />
    </Provider>,
  );
  return calls;
}

describe("WhoIsHere", () => {
  it("lists who is in this room now, with the account behind a chosen name", async () => {
    const calls = renderFor([
      { identity: "u1", name: "Ada", accountName: "Ada Lovelace" },
      { identity: "u2", name: "Bea", accountName: "Bea" },
    ]);
    const box = await screen.findByTestId("who-is-here");
    expect(box.textContent).toMatch(/2 people are in the call/);
    const people = within(box).getAllByRole("listitem");
    expect(people.map((p) => p.textContent)).toEqual([
      expect.stringContaining("Ada"),
      expect.stringContaining("Bea"),
    ]);
    expect(box.textContent).toContain("Ada Lovelace");
    expect(box.textContent).not.toContain("Zed");
    // It follows presence live.
    expect(calls.map((c) => c.path)).toEqual(expect.arrayContaining(["room.list", "room.presenceChanges"]));
  });

  it("marks a guest as a guest, as the call's own list does", async () => {
    renderFor([
      { identity: "u1", name: "Ada", accountName: "Ada", isGuest: false },
      { identity: "guest-x1", name: "Gus", accountName: null, isGuest: true },
    ]);
    const box = await screen.findByTestId("who-is-here");
    const [ada, gus] = within(box).getAllByRole("listitem");
    expect(gus!.textContent).toMatch(/Gus\s*\(guest\)$/);
    expect(ada!.textContent).not.toContain("(guest)");
  });

  it("says when nobody is here yet, and nothing while presence is unknown", async () => {
    renderFor([]);
    expect((await screen.findByTestId("who-is-here")).textContent).toMatch(/Nobody is here yet/);
    cleanup();
    renderFor(null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByTestId("who-is-here")).toBeNull();
  });
});
