import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { recordingClient } from "@/features/room/in-room/testing/trpc";

import { NewRoomDialog } from "./new-room-dialog";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn() }) }));

afterEach(cleanup);

// jsdom has no ResizeObserver; the switch (Radix) measures itself with it.
beforeAll(() => {
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});

async function createRoom(encrypted: boolean) {
  const { calls, Provider } = recordingClient((path) =>
    path === "room.create"
      ? { id: "r1", slug: "board-talk", name: "Board Talk", teamSlug: "acme" }
      : { ok: true },
  );
  render(
    <Provider>
      <NewRoomDialog teamSlug="acme" />
    </Provider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "New room" }));
  fireEvent.change(await screen.findByLabelText("Room name"), { target: { value: "Board Talk" } });
  if (encrypted) fireEvent.click(screen.getByRole("switch", { name: /End-to-end encrypted/ }));
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Create and join" }));
  });
  await waitFor(() => expect(calls.map((c) => c.path)).toContain("room.create"));
  return calls.find((c) => c.path === "room.create")!.input;
}

describe("New room", () => {
  it("can create an end-to-end encrypted room", async () => {
    expect(await createRoom(true)).toEqual({ teamSlug: "acme", name: "Board Talk", e2ee: true });
  });

  it("creates an ordinary room unless asked", async () => {
    expect(await createRoom(false)).toEqual({ teamSlug: "acme", name: "Board Talk", e2ee: false });
  });
});
