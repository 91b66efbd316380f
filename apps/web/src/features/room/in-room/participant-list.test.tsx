import { RoomContext } from "@livekit/components-react";
import { act, cleanup, render, screen, within } from "@testing-library/react";
import { ConnectionQuality } from "livekit-client";
import { afterEach, describe, expect, it } from "vitest";

import { GUEST_ATTRIBUTE } from "@parlor/api/schemas/call";

import { ParticipantList } from "./participant-list";
import { joinRemote, leaveRemote, QualityProto, testRoom, updateTracks } from "./testing/livekit";

afterEach(cleanup);

function renderList() {
  const room = testRoom();
  room.localParticipant.name = "Ada";
  const view = render(
    <RoomContext.Provider value={room}>
      <ParticipantList />
    </RoomContext.Provider>,
  );
  return { room, view };
}

const row = (identity: string) => {
  const el = screen
    .getByTestId("participant-list")
    .querySelector<HTMLElement>(`[data-identity="${identity}"]`);
  if (!el) throw new Error(`no row for ${identity}`);
  return el;
};

describe("ParticipantList", () => {
  it("lists you first, then others as they join, and drops them as they leave", () => {
    const { room } = renderList();
    expect(screen.getByText("(you)")).toBeTruthy();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob", [{ source: "MICROPHONE" }]);
      joinRemote(room, "alice", "Alice");
    });
    const names = screen.getAllByRole("listitem").map((li) => li.getAttribute("data-identity"));
    expect(names).toEqual([room.localParticipant.identity, "alice", "bob"]);
    expect(screen.getByTestId("participant-list").getAttribute("aria-label")).toBe("3 in the call");

    act(() => leaveRemote(room, bob));
    expect(screen.queryByText("Bob")).toBeNull();
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });

  it("marks guests (the server's parlor.guest attribute), and only them", () => {
    const { room } = renderList();
    act(() => {
      joinRemote(room, "guest-abc", "Gus", [], { [GUEST_ATTRIBUTE]: "1" });
      joinRemote(room, "bob", "Bob");
    });
    expect(within(row("guest-abc")).getByText("(guest)")).toBeTruthy();
    expect(within(row("bob")).queryByText("(guest)")).toBeNull();
  });

  it("shows the account name beside a chosen name that differs from it", () => {
    const { room } = renderList();
    act(() => {
      joinRemote(room, "mallory", "Alice (Owner)", [], { accountName: "Mallory Member" });
      joinRemote(room, "alice", "Alice Owner", [], { accountName: "Alice Owner" });
    });
    expect(row("mallory").textContent).toContain("Alice (Owner) · Mallory Member");
    expect(row("alice").textContent).not.toContain("·");
  });

  it("shows who is speaking, live", () => {
    const { room } = renderList();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob", [{ source: "MICROPHONE" }]);
    });
    expect(row("bob").dataset.speaking).toBe("false");
    act(() => bob.setIsSpeaking(true));
    expect(row("bob").dataset.speaking).toBe("true");
    expect(within(row("bob")).getByText(/speaking/, { selector: ".sr-only" })).toBeTruthy();
    act(() => bob.setIsSpeaking(false));
    expect(row("bob").dataset.speaking).toBe("false");
  });

  it("shows a muted microphone when the server says so, and an unmuted one after", () => {
    const { room } = renderList();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob", [{ source: "MICROPHONE", muted: false }]);
    });
    expect(row("bob").dataset.muted).toBe("false");
    act(() => updateTracks(bob, [{ source: "MICROPHONE", muted: true }]));
    expect(row("bob").dataset.muted).toBe("true");
    expect(within(row("bob")).getByText(/microphone off/)).toBeTruthy();
    act(() => updateTracks(bob, [{ source: "MICROPHONE", muted: false }]));
    expect(row("bob").dataset.muted).toBe("false");
  });

  it("someone without a microphone track counts as muted; a camera or screen share shows up", () => {
    const { room } = renderList();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob");
    });
    expect(row("bob").dataset.muted).toBe("true");
    expect(within(row("bob")).getByText(/camera off/)).toBeTruthy();
    act(() =>
      updateTracks(bob, [{ source: "MICROPHONE" }, { source: "CAMERA" }, { source: "SCREEN_SHARE" }]),
    );
    expect(within(row("bob")).queryByText(/camera off/)).toBeNull();
    expect(within(row("bob")).getByText(/sharing their screen/)).toBeTruthy();
  });

  it("shows each person's connection quality as it changes", () => {
    const { room } = renderList();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob");
    });
    const quality = () => within(row("bob")).getByRole("img", { name: /connection/i });
    expect(quality().dataset.quality).toBe(ConnectionQuality.Unknown);
    act(() => bob.setConnectionQuality(QualityProto.EXCELLENT as never));
    expect(quality().getAttribute("aria-label")).toBe("Excellent connection");
    act(() => bob.setConnectionQuality(QualityProto.POOR as never));
    expect(quality().getAttribute("aria-label")).toBe("Poor connection");
  });

  it("follows a name change", () => {
    const { room } = renderList();
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob");
    });
    act(() => {
      bob.updateInfo({
        sid: bob.sid,
        identity: "bob",
        name: "Robert",
        metadata: "",
        attributes: {},
        state: 1,
        version: 999,
        tracks: [],
      } as never);
    });
    expect(within(row("bob")).getByText("Robert")).toBeTruthy();
  });
});
