import { RoomContext } from "@livekit/components-react";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { ModerationProvider } from "./moderation";
import { ParticipantList } from "./participant-list";
import { joinRemote, testRoom } from "./testing/livekit";
import { recordingClient } from "./testing/trpc";

afterEach(cleanup);

function renderList(allowed: boolean) {
  const room = testRoom();
  room.localParticipant.name = "Ada";
  const { calls, Provider } = recordingClient((path) =>
    path === "room.muteParticipant" ? { muted: 1 } : { ok: true },
  );
  render(
    <Provider>
      <RoomContext.Provider value={room}>
        <ModerationProvider teamSlug="acme" roomSlug="standup" allowed={allowed}>
          <ParticipantList />
        </ModerationProvider>
      </RoomContext.Provider>
    </Provider>,
  );
  act(() => {
    joinRemote(room, "bob", "Bob", [{ source: "MICROPHONE" }]);
  });
  return { room, calls };
}

describe("moderation in the participant list", () => {
  it("is not offered to members", () => {
    renderList(false);
    expect(screen.getByText("Bob")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Moderate/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /End meeting/ })).toBeNull();
  });

  it("is offered for others, never for yourself, to those allowed", () => {
    renderList(true);
    expect(screen.getByRole("button", { name: "Moderate Bob" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Moderate Ada" })).toBeNull();
    expect(screen.getByRole("button", { name: "End meeting for everyone" })).toBeTruthy();
  });

  it("ends the meeting for everyone after asking", async () => {
    const { calls } = renderList(true);
    fireEvent.click(screen.getByRole("button", { name: "End meeting for everyone" }));
    // The confirmation's code comes on demand (in-room/on-demand.tsx).
    expect(await screen.findByRole("dialog", { name: "End the meeting for everyone?" })).toBeTruthy();
    expect(calls).toEqual([]);
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "End meeting" }));
    });
    expect(calls).toEqual([{ path: "room.end", input: { teamSlug: "acme", roomSlug: "standup" } }]);
  });

  it("mutes someone's microphone from their row", async () => {
    const { calls } = renderList(true);
    fireEvent.keyDown(screen.getByRole("button", { name: "Moderate Bob" }), { key: "Enter" });
    // Found before act: the on-demand code arrives as a state update, which act would hold back.
    const muteItem = await screen.findByRole("menuitem", { name: "Mute microphone" });
    await act(async () => {
      fireEvent.click(muteItem);
    });
    expect(calls).toEqual([
      {
        path: "room.muteParticipant",
        input: { teamSlug: "acme", roomSlug: "standup", identity: "bob", kind: "audio" },
      },
    ]);
  });
});
