import { RoomContext } from "@livekit/components-react";
import { HAND_ATTRIBUTE } from "@parlor/api/schemas/call";
import { act, cleanup, fireEvent, render, renderHook, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { handQueue, HandQueueProvider } from "./hands";
import { ModerationProvider } from "./moderation";
import { ParticipantList } from "./participant-list";
import { decodeReaction } from "./reactions";
import { isTyping, useCallShortcuts } from "./shortcuts";
import { joinRemote, testRoom, updateAttributes } from "./testing/livekit";
import { recordingClient } from "./testing/trpc";

afterEach(cleanup);

const hand = (at: string) => ({ [HAND_ATTRIBUTE]: at });

describe("raised hands", () => {
  it("queue in the order they went up", () => {
    const room = testRoom();
    const late = joinRemote(room, "late", "Late", [], hand("2026-11-29T10:00:05.000Z"));
    const early = joinRemote(room, "early", "Early", [], hand("2026-11-29T10:00:01.000Z"));
    const none = joinRemote(room, "none", "None");
    const queue = handQueue([late, none, early]);
    expect(queue.raised).toEqual(["early", "late"]);
    expect([queue.order("early"), queue.order("late"), queue.order("none")]).toEqual([1, 2, 0]);
  });

  it("come first in the participant list, and moderators can lower them", async () => {
    const room = testRoom();
    room.localParticipant.name = "Ada";
    const { calls, Provider } = recordingClient();
    render(
      <Provider>
        <RoomContext.Provider value={room}>
          <ModerationProvider teamSlug="acme" roomSlug="standup" allowed>
            <HandQueueProvider>
              <ParticipantList />
            </HandQueueProvider>
          </ModerationProvider>
        </RoomContext.Provider>
      </Provider>,
    );
    act(() => {
      joinRemote(room, "zoe", "Zoe", [], hand("2026-11-29T10:00:01.000Z"));
      joinRemote(room, "bob", "Bob");
    });
    const rows = screen.getAllByRole("listitem");
    expect(rows.map((r) => r.dataset.identity)).toEqual(["zoe", room.localParticipant.identity, "bob"]);
    expect(within(rows[0]!).getByTestId("hand-raised").textContent).toBe("1");
    expect(rows[0]!.textContent).toMatch(/hand raised, 1st in line/);
    // A long name stays in the name line: the button reads "Lower hand" (its accessible name says
    // whose) and never grows past the row's text column, so it cannot spill over the avatar.
    const lower = within(rows[0]!).getByRole("button", { name: "Lower Zoe's hand" });
    expect(lower.textContent).toBe("Lower hand");
    expect(lower.className).toMatch(/\bmax-w-full\b/);
    expect(lower.parentElement!.className).toMatch(/grid-cols-\[minmax\(0,1fr\)\]/);
    await act(async () => {
      fireEvent.click(lower);
    });
    expect(calls).toContainEqual({
      path: "room.lowerHand",
      input: { teamSlug: "acme", roomSlug: "standup", identity: "zoe" },
    });
  });
});

describe("raised hands, raised during the call", () => {
  it("move people up the participant list as the hands go up and back when they go down", () => {
    const room = testRoom();
    const { Provider } = recordingClient();
    render(
      <Provider>
        <RoomContext.Provider value={room}>
          <HandQueueProvider>
            <ParticipantList />
          </HandQueueProvider>
        </RoomContext.Provider>
      </Provider>,
    );
    let zoe!: ReturnType<typeof joinRemote>;
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      zoe = joinRemote(room, "zoe", "Zoe");
      bob = joinRemote(room, "bob", "Bob");
    });
    const order = () => screen.getAllByRole("listitem").map((r) => r.dataset.identity);
    const me = room.localParticipant.identity;
    expect(order()).toEqual([me, "bob", "zoe"]);
    act(() => updateAttributes(room, zoe, hand("2026-11-29T10:00:01.000Z")));
    act(() => updateAttributes(room, bob, hand("2026-11-29T10:00:03.000Z")));
    expect(order()).toEqual(["zoe", "bob", me]);
    expect(screen.getAllByTestId("hand-raised").map((badge) => badge.textContent)).toEqual(["1", "2"]);
    act(() => updateAttributes(room, zoe, { [HAND_ATTRIBUTE]: "" }));
    expect(order()).toEqual(["bob", me, "zoe"]);
  });
});

describe("reactions", () => {
  it("accept only the known emoji", () => {
    const sent = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    expect(decodeReaction(sent({ emoji: "🎉" }))).toBe("🎉");
    expect(decodeReaction(sent({ emoji: "<script>" }))).toBeNull();
    expect(decodeReaction(sent({ emoji: "🎉".repeat(100) }))).toBeNull();
    expect(decodeReaction(new TextEncoder().encode("not json"))).toBeNull();
  });
});

describe("keyboard shortcuts", () => {
  function press(init: KeyboardEventInit, target: EventTarget = document.body) {
    const event = new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  }

  it("map Meet's keys to the call's actions and keep the browser's own meaning away", () => {
    const onAction = vi.fn();
    renderHook(() => useCallShortcuts(onAction));
    expect(press({ key: "d", ctrlKey: true }).defaultPrevented).toBe(true);
    press({ key: "e", metaKey: true });
    press({ key: "h", ctrlKey: true, altKey: true });
    press({ key: "c", ctrlKey: true, altKey: true });
    press({ key: "p", ctrlKey: true, altKey: true });
    press({ key: "q", ctrlKey: true, altKey: true });
    press({ key: "?", shiftKey: true });
    expect(onAction.mock.calls.map(([action]) => action)).toEqual([
      "microphone",
      "camera",
      "hand",
      "chat",
      "participants",
      "leave",
      "help",
    ]);
    press({ key: "d" });
    press({ key: "x", ctrlKey: true });
    expect(onAction).toHaveBeenCalledTimes(7);
  });

  it("do nothing while typing in a field", () => {
    const onAction = vi.fn();
    renderHook(() => useCallShortcuts(onAction));
    const box = document.createElement("textarea");
    const input = document.createElement("input");
    document.body.append(box, input);
    expect(press({ key: "d", ctrlKey: true }, box).defaultPrevented).toBe(false);
    press({ key: "?", shiftKey: true }, input);
    expect(onAction).not.toHaveBeenCalled();
    expect(isTyping(box)).toBe(true);
    const checkbox = Object.assign(document.createElement("input"), { type: "checkbox" });
    expect(isTyping(checkbox)).toBe(false);
    box.remove();
    input.remove();
  });
});
