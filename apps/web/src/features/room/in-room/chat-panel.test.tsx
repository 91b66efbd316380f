import { RoomContext } from "@livekit/components-react";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { DataPacket_Kind, RoomEvent, type Participant } from "livekit-client";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ChatPanel } from "./chat-panel";
import { joinRemote, testRoom } from "./testing/livekit";
import { decodeChatMessage, useRoomChat } from "./use-room-chat";

afterEach(cleanup);

const encoder = new TextEncoder();

function Chat({ onSendError }: { onSendError?: (e: unknown) => void }) {
  const chat = useRoomChat();
  return <ChatPanel chat={chat} onSendError={onSendError} />;
}

function setup(onSendError?: (e: unknown) => void) {
  const room = testRoom();
  room.localParticipant.name = "Ada";
  render(
    <RoomContext.Provider value={room}>
      <Chat onSendError={onSendError} />
    </RoomContext.Provider>,
  );
  let bob!: ReturnType<typeof joinRemote>;
  act(() => {
    bob = joinRemote(room, "bob", "Bob");
  });
  return { room, bob };
}

/** A chat message arriving over LiveKit's data channel, as another browser sends it. */
function receive(
  room: ReturnType<typeof testRoom>,
  from: Participant,
  body: unknown,
  topic = "lk-chat-topic",
) {
  const payload = encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  act(() => {
    room.emit(RoomEvent.DataReceived, payload, from as never, DataPacket_Kind.RELIABLE, topic);
  });
}

describe("ChatPanel", () => {
  it("shows messages from others with their name", () => {
    const { room, bob } = setup();
    expect(screen.getByText(/No messages yet/)).toBeTruthy();
    receive(room, bob, { id: "m1", timestamp: Date.now(), message: "Hello there" });
    const message = screen.getByTestId("chat-message");
    expect(within(message).getByText("Bob")).toBeTruthy();
    expect(within(message).getByText("Hello there")).toBeTruthy();
  });

  it("makes http(s) links clickable, safely", () => {
    const { room, bob } = setup();
    receive(room, bob, {
      id: "m1",
      timestamp: Date.now(),
      message: "Agenda: https://example.com/doc?id=1. Or javascript:alert(1)",
    });
    const links = screen.getAllByRole("link");
    expect(links).toHaveLength(1);
    const link = links[0] as HTMLAnchorElement;
    expect(link.href).toBe("https://example.com/doc?id=1");
    expect(link.target).toBe("_blank");
    expect(link.rel).toBe("noopener noreferrer");
    expect(screen.getByTestId("chat-message").textContent).toContain("javascript:alert(1)");
  });

  it("never turns a message into markup", () => {
    const { room, bob } = setup();
    receive(room, bob, {
      id: "m1",
      timestamp: Date.now(),
      message: `<img src=x onerror="alert(1)"><b>bold</b>`,
    });
    const message = screen.getByTestId("chat-message");
    expect(message.querySelector("img")).toBeNull();
    expect(message.querySelector("b")).toBeNull();
    expect(message.textContent).toContain(`<img src=x onerror="alert(1)"><b>bold</b>`);
  });

  it("ignores malformed payloads and other topics without breaking the chat", () => {
    const { room, bob } = setup();
    receive(room, bob, "{not json");
    receive(room, bob, { id: 5, message: { nested: true } });
    receive(room, bob, { id: "x", timestamp: Date.now(), message: "not chat" }, "some-other-topic");
    expect(screen.queryAllByTestId("chat-message")).toHaveLength(0);
    receive(room, bob, { id: "m2", timestamp: Date.now(), message: "still works" });
    expect(screen.getByText("still works")).toBeTruthy();
  });

  it("sends with Enter over the data channel and shows your own message", async () => {
    const { room } = setup();
    const publishData = vi.spyOn(room.localParticipant, "publishData").mockResolvedValue(undefined);
    const box = screen.getByRole("textbox", { name: "Message everyone" });
    fireEvent.change(box, { target: { value: "  On my way https://maps.example/x  " } });
    await act(async () => {
      fireEvent.keyDown(box, { key: "Enter" });
    });
    expect(publishData).toHaveBeenCalledTimes(1);
    const [payload, options] = publishData.mock.calls[0]!;
    expect(options).toMatchObject({ reliable: true, topic: "lk-chat-topic" });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      message: "On my way https://maps.example/x",
    });
    const mine = screen.getByTestId("chat-message");
    expect(within(mine).getByText("You")).toBeTruthy();
    expect(within(mine).getByRole("link").getAttribute("href")).toBe("https://maps.example/x");
    expect((box as HTMLTextAreaElement).value).toBe("");
  });

  it("Shift+Enter makes a new line instead of sending; an empty message is not sent", async () => {
    const { room } = setup();
    const publishData = vi.spyOn(room.localParticipant, "publishData").mockResolvedValue(undefined);
    const box = screen.getByRole("textbox", { name: "Message everyone" });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.change(box, { target: { value: "line" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(publishData).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send message" }).hasAttribute("disabled")).toBe(false);
  });

  it("keeps the text and reports when sending fails", async () => {
    const onSendError = vi.fn();
    const { room } = setup(onSendError);
    vi.spyOn(room.localParticipant, "publishData").mockRejectedValue(new Error("not connected"));
    const box = screen.getByRole("textbox", { name: "Message everyone" }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: "hello?" } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    });
    expect(onSendError).toHaveBeenCalled();
    expect(box.value).toBe("hello?");
  });
});

describe("decodeChatMessage", () => {
  it("caps long messages and never dates a message in the future", () => {
    const decoded = decodeChatMessage(
      encoder.encode(JSON.stringify({ id: "a", timestamp: Date.now() + 1e9, message: "x".repeat(5000) })),
    );
    expect(decoded.message).toHaveLength(2000);
    expect(decoded.timestamp).toBeLessThanOrEqual(Date.now());
  });
});
