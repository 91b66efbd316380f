import { RoomContext } from "@livekit/components-react";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { ConnectionState, RoomEvent } from "livekit-client";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ReconnectingBanner, StartAudioBanner } from "./banners";
import { testRoom } from "./testing/livekit";

afterEach(cleanup);

function renderWith(room: ReturnType<typeof testRoom>, ui: React.ReactNode) {
  return render(<RoomContext.Provider value={room}>{ui}</RoomContext.Provider>);
}

describe("ReconnectingBanner", () => {
  it("appears while LiveKit reconnects and goes when the connection is back", () => {
    const room = testRoom();
    renderWith(room, <ReconnectingBanner />);
    expect(screen.queryByTestId("reconnecting-banner")).toBeNull();
    act(() => {
      room.emit(RoomEvent.ConnectionStateChanged, ConnectionState.Reconnecting);
    });
    expect(screen.getByRole("status").textContent).toMatch(/Reconnecting…/);
    act(() => {
      room.emit(RoomEvent.ConnectionStateChanged, ConnectionState.SignalReconnecting);
    });
    expect(screen.getByTestId("reconnecting-banner")).toBeTruthy();
    act(() => {
      room.emit(RoomEvent.ConnectionStateChanged, ConnectionState.Connected);
    });
    expect(screen.queryByTestId("reconnecting-banner")).toBeNull();
  });
});

describe("StartAudioBanner", () => {
  it("offers Start audio when the browser blocks playback, and starts it on click", async () => {
    const room = testRoom();
    let allowed = true;
    // The room reports what the browser allowed; it changes when a remote track fails to play.
    Object.defineProperty(room, "canPlaybackAudio", { get: () => allowed });
    const startAudio = vi.spyOn(room, "startAudio").mockImplementation(async () => {
      allowed = true;
      room.emit(RoomEvent.AudioPlaybackStatusChanged, true);
    });
    renderWith(room, <StartAudioBanner />);
    expect(screen.queryByRole("button", { name: /start audio/i })).toBeNull();

    act(() => {
      allowed = false;
      room.emit(RoomEvent.AudioPlaybackStatusChanged, false);
    });
    const button = screen.getByRole("button", { name: /start audio/i });
    expect(screen.getByRole("alert").textContent).toMatch(/paused the call's sound/);

    await act(async () => {
      fireEvent.click(button);
    });
    expect(startAudio).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: /start audio/i })).toBeNull();
  });
});
