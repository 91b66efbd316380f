import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { useUnread } from "./unread";
import type { ChatMessage } from "./use-room-chat";

afterEach(cleanup);
beforeEach(() => window.localStorage.clear());

const ROOM = "parlor-standup";
const message = (id: string, author: string, at: string): ChatMessage => ({
  id,
  authorIdentity: author,
  authorName: author,
  body: `message ${id}`,
  createdAt: new Date(at),
  meetingId: null,
});

const history = [
  message("1", "bob", "2026-12-01T10:00:00Z"),
  message("2", "me", "2026-12-01T10:00:05Z"),
  message("3", "bob", "2026-12-01T10:00:10Z"),
];

function renderUnread(messages: ChatMessage[], open: boolean, room = ROOM) {
  return renderHook(
    (props: { messages: ChatMessage[]; open: boolean }) =>
      useUnread({ messages: props.messages, localIdentity: "me" }, props.open, room),
    { initialProps: { messages, open } },
  );
}

describe("the chat's unread count", () => {
  it("counts others' messages while the chat is closed, and none once it has been opened", () => {
    const view = renderUnread(history, false);
    expect(view.result.current).toBe(2);
    view.rerender({ messages: history, open: true });
    expect(view.result.current).toBe(0);
    view.rerender({ messages: history, open: false });
    expect(view.result.current).toBe(0);
    const next = [...history, message("4", "bob", "2026-12-01T10:01:00Z")];
    view.rerender({ messages: next, open: false });
    expect(view.result.current).toBe(1);
  });

  it("does not count again, after rejoining, what was read before leaving", () => {
    const first = renderUnread(history, true);
    expect(first.result.current).toBe(0);
    first.unmount();
    // Rejoining: a new call view loads the room's stored chat again, with the chat closed.
    const again = renderUnread(history, false);
    expect(again.result.current).toBe(0);
    act(() =>
      again.rerender({ messages: [...history, message("4", "bob", "2026-12-01T10:02:00Z")], open: false }),
    );
    expect(again.result.current).toBe(1);
  });

  it("keeps each room's marker apart", () => {
    renderUnread(history, true).unmount();
    expect(renderUnread(history, false, "parlor-other").result.current).toBe(2);
  });
});
