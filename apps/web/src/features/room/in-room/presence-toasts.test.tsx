import { act, cleanup, render } from "@testing-library/react";
import { RoomEvent } from "livekit-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { usePresenceToasts } from "./presence-toasts";
import { joinRemote, leaveRemote, testRoom } from "./testing/livekit";

const toast = vi.hoisted(() => Object.assign(vi.fn(), { success: vi.fn(), error: vi.fn() }));
vi.mock("@parlor/ui/toaster", () => ({ toast }));

function Probe({ room }: { room: ReturnType<typeof testRoom> }) {
  usePresenceToasts(room);
  return null;
}

beforeEach(() => vi.clearAllMocks());
afterEach(cleanup);

describe("presence toasts", () => {
  it("announces people joining and leaving by name", () => {
    const room = testRoom();
    render(<Probe room={room} />);
    let bob!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob");
    });
    expect(toast).toHaveBeenLastCalledWith("Bob joined", expect.objectContaining({ id: "presence-bob" }));
    act(() => leaveRemote(room, bob));
    expect(toast).toHaveBeenLastCalledWith("Bob left", expect.objectContaining({ id: "presence-bob" }));
  });

  it("falls back to the identity for someone without a name, and says when the call reconnected", () => {
    const room = testRoom();
    render(<Probe room={room} />);
    act(() => {
      joinRemote(room, "user-7", "");
      room.emit(RoomEvent.Reconnected);
    });
    expect(toast).toHaveBeenCalledWith("user-7 joined", expect.anything());
    expect(toast.success).toHaveBeenCalledWith("Reconnected", expect.anything());
  });

  it("stops listening when the call view goes away", () => {
    const room = testRoom();
    const view = render(<Probe room={room} />);
    view.unmount();
    act(() => {
      joinRemote(room, "bob", "Bob");
    });
    expect(toast).not.toHaveBeenCalled();
    expect(room.listenerCount(RoomEvent.ParticipantConnected)).toBe(0);
  });
});
