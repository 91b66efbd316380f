import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import type { RemoteParticipant } from "livekit-client";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { CHAT_MESSAGE_MAX } from "@parlor/api/schemas/call";

import { ChatPanel } from "./chat-panel";
import { decodeChatEvent, withMessage, type ChatMessage, type RoomChat } from "./use-room-chat";

afterEach(cleanup);

const encoder = new TextEncoder();
let sequence = 0;

const message = (body: string, authorIdentity = "bob", authorName = "Bob"): ChatMessage => ({
  id: `m${++sequence}`,
  authorIdentity,
  authorName,
  body,
  createdAt: new Date(),
  meetingId: null,
});

/** The panel around an in-memory chat, as useRoomChat would give it. */
function setup(initial: ChatMessage[] = [], overrides: Partial<RoomChat> = {}) {
  const send = vi.fn(async (_text: string) => undefined as unknown);
  const remove = vi.fn(async (_id: string) => undefined as unknown);
  let add!: (m: ChatMessage) => void;
  function Harness() {
    const [messages, setMessages] = useState(initial);
    add = (m) => setMessages((list) => withMessage(list, m));
    const chat: RoomChat = {
      messages,
      localIdentity: "ada",
      isLoading: false,
      loadError: false,
      retryLoad: () => undefined,
      send,
      isSending: false,
      canDelete: (m) => m.authorIdentity === "ada",
      remove,
      ...overrides,
    };
    return <ChatPanel chat={chat} onSendError={overrides.send ? onSendError : undefined} />;
  }
  const onSendError = vi.fn();
  render(<Harness />);
  return { send, remove, onSendError, add: (m: ChatMessage) => act(() => add(m)) };
}

describe("ChatPanel", () => {
  it("says the conversation stays with the room, then shows messages with their author", () => {
    const { add } = setup();
    expect(screen.getByText(/stays with the room/)).toBeTruthy();
    add(message("Hello there"));
    const item = screen.getByTestId("chat-message");
    expect(within(item).getByText("Bob")).toBeTruthy();
    expect(within(item).getByText("Hello there")).toBeTruthy();
  });

  it("shows the stored conversation, loading and a retry when it could not be loaded", () => {
    const retryLoad = vi.fn();
    setup([], { isLoading: false, loadError: true, retryLoad });
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retryLoad).toHaveBeenCalled();
    cleanup();
    setup([], { isLoading: true });
    expect(screen.getByRole("status").textContent).toMatch(/Loading the conversation/);
  });

  it("makes http(s) links clickable, safely, and never turns a message into markup", () => {
    setup([
      message("Agenda: https://example.com/doc?id=1. Or javascript:alert(1)"),
      message(`<img src=x onerror="alert(1)"><b>bold</b>`, "carol", "Carol"),
    ]);
    const links = screen.getAllByRole("link");
    expect(links).toHaveLength(1);
    const link = links[0] as HTMLAnchorElement;
    expect(link.href).toBe("https://example.com/doc?id=1");
    expect(link.target).toBe("_blank");
    expect(link.rel).toBe("noopener noreferrer");
    const [, markup] = screen.getAllByTestId("chat-message");
    expect(markup!.querySelector("img")).toBeNull();
    expect(markup!.querySelector("b")).toBeNull();
    expect(markup!.textContent).toContain(`<img src=x onerror="alert(1)"><b>bold</b>`);
  });

  it("sends the trimmed text with Enter and empties the box; Shift+Enter is a new line", async () => {
    const { send } = setup();
    const box = screen.getByRole("textbox", { name: "Message everyone" }) as HTMLTextAreaElement;
    fireEvent.keyDown(box, { key: "Enter" });
    expect(send).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: "line" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: "  On my way https://maps.example/x  " } });
    await act(async () => {
      fireEvent.keyDown(box, { key: "Enter" });
    });
    expect(send).toHaveBeenCalledWith("On my way https://maps.example/x");
    expect(box.value).toBe("");
  });

  it("keeps the text and reports when sending fails", async () => {
    const failing = vi.fn(async () => {
      throw new Error("not connected");
    });
    const { onSendError } = setup([], { send: failing });
    const box = screen.getByRole("textbox", { name: "Message everyone" }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: "hello?" } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    });
    expect(onSendError).toHaveBeenCalled();
    expect(box.value).toBe("hello?");
  });

  it("offers delete on one's own messages only (moderators: on every message)", async () => {
    const mine = message("oops", "ada", "Ada");
    const { remove } = setup([message("from Bob"), mine]);
    expect(screen.getAllByRole("button", { name: /Delete/ })).toHaveLength(1);
    expect(within(screen.getAllByTestId("chat-message")[1]!).getByText("You")).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Delete your message" }));
    });
    expect(remove).toHaveBeenCalledWith(mine.id);
    cleanup();
    setup([message("from Bob"), mine], { canDelete: () => true });
    expect(screen.getAllByRole("button", { name: /Delete/ })).toHaveLength(2);
  });
});

describe("ChatPanel's message length", () => {
  it("lets a message of as many emoji as the server takes be sent, and says so when one is too long", () => {
    const { send } = setup();
    const box = screen.getByRole("textbox", { name: "Message everyone" });
    const full = "😀".repeat(CHAT_MESSAGE_MAX);
    fireEvent.change(box, { target: { value: full } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    expect(send).toHaveBeenCalledWith(full);

    fireEvent.change(box, { target: { value: `${full}😀` } });
    expect(screen.getByRole("alert").textContent).toBe(
      `Messages can be at most ${CHAT_MESSAGE_MAX} characters. This one has ${CHAT_MESSAGE_MAX + 1}.`,
    );
    const button = screen.getByRole("button", { name: "Send message" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.keyDown(box, { key: "Enter" });
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe("decodeChatEvent", () => {
  const sent = (value: unknown) => encoder.encode(typeof value === "string" ? value : JSON.stringify(value));
  const good = {
    type: "message",
    message: {
      id: "m1",
      authorIdentity: "u1",
      authorName: "Bob",
      body: "hi",
      createdAt: new Date().toISOString(),
      meetingId: null,
    },
  };

  it("reads what the server sends", () => {
    const event = decodeChatEvent(sent(good), undefined);
    expect(event).toMatchObject({ type: "message", message: { id: "m1", body: "hi" } });
    expect(event?.type === "message" && event.message.createdAt).toBeInstanceOf(Date);
    expect(decodeChatEvent(sent({ type: "deleted", id: "m1" }), undefined)).toEqual({
      type: "deleted",
      id: "m1",
    });
  });

  it("ignores anything a participant sends on the chat topic: only the server speaks there", () => {
    const forger = { identity: "mallory" } as RemoteParticipant;
    expect(decodeChatEvent(sent(good), forger)).toBeNull();
    expect(decodeChatEvent(sent({ type: "deleted", id: "m1" }), forger)).toBeNull();
  });

  it("ignores malformed events", () => {
    for (const bad of [
      "{not json",
      "null",
      { type: "message", message: { ...good.message, body: "x".repeat(2001) } },
      { type: "message", message: { ...good.message, createdAt: "yesterday-ish" } },
      { type: "message", message: { ...good.message, id: 5 } },
      { type: "other" },
    ]) {
      expect(decodeChatEvent(sent(bad), undefined)).toBeNull();
    }
  });

  /* Issue 19, row 12: the server counted characters, this decoder UTF-16 units, so a message of
   * 1,001 emoji was stored and never shown live. */
  it("takes every message the server accepts, counting characters as the server does", () => {
    for (const body of ["😀".repeat(1_001), "😀".repeat(CHAT_MESSAGE_MAX), "👩‍💻".repeat(600)]) {
      const event = decodeChatEvent(sent({ ...good, message: { ...good.message, body } }), undefined);
      expect(event?.type === "message" && event.message.body).toBe(body);
    }
    const tooLong = { ...good, message: { ...good.message, body: "😀".repeat(CHAT_MESSAGE_MAX + 1) } };
    expect(decodeChatEvent(sent(tooLong), undefined)).toBeNull();
  });

  it("adds each message once, in time order", () => {
    const a = { ...message("a"), createdAt: new Date(1_000) };
    const b = { ...message("b"), createdAt: new Date(2_000) };
    expect(withMessage(withMessage(withMessage([], b), a), b).map((m) => m.body)).toEqual(["a", "b"]);
  });
});
