import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { ConnectionError, DisconnectReason, type Room, RoomEvent } from "livekit-client";
import type * as LiveKit from "livekit-client";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from "vitest";

import type { JoinChoices } from "../join-choices";
import type { ConnectionDetails } from "../room-store";
import { ConferenceRoom } from "./conference-room";
import { quietRoomAnswer, recordingClient } from "./testing/trpc";

vi.mock("@parlor/ui/toaster", () => ({
  toast: Object.assign(vi.fn(), { success: vi.fn(), error: vi.fn() }),
}));

interface Stubbed {
  room: Room;
  connect: Mock;
  disconnect: Mock;
  camera: Mock;
  microphone: Mock;
}

/** What each new Room's connect() does; set per test. */
const lk = vi.hoisted(() => ({
  connectResult: (): Promise<void> => Promise.resolve(),
  rooms: [] as Stubbed[],
}));

// The real Room (a subclass of it): only the network step, connect(), is replaced, and each
// instance is kept so the test can emit its events. disconnect() runs for real, spied on.
vi.mock("livekit-client", async (importOriginal) => {
  const actual = await importOriginal<typeof LiveKit>();
  class TestRoom extends actual.Room {
    constructor(...args: ConstructorParameters<typeof actual.Room>) {
      super(...args);
      const connect = vi.fn(() => lk.connectResult());
      this.connect = connect as never;
      const disconnect = vi.spyOn(this as LiveKit.Room, "disconnect");
      const camera = vi.spyOn(this.localParticipant, "setCameraEnabled").mockResolvedValue(undefined);
      const microphone = vi.spyOn(this.localParticipant, "setMicrophoneEnabled").mockResolvedValue(undefined);
      lk.rooms.push({ room: this, connect, disconnect, camera, microphone } as unknown as Stubbed);
    }
  }
  return { ...actual, Room: TestRoom };
});

// jsdom has no layout observers; the grid measures itself with them.
beforeAll(() => {
  class Observer {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  vi.stubGlobal("ResizeObserver", Observer);
  vi.stubGlobal("IntersectionObserver", Observer);
});

const details: ConnectionDetails = {
  serverUrl: "wss://livekit.example.com",
  roomName: "parlor-abc",
  participantToken: "eyJhbGciOiJIUzI1NiJ9.token.signature",
  participantName: "Ada",
  expiresAt: new Date(Date.now() + 600_000),
};

const choices: JoinChoices = {
  videoEnabled: true,
  audioEnabled: false,
  videoDeviceId: "cam-b",
  audioDeviceId: "mic-a",
  audioOutputId: undefined,
  participantName: "Ada",
  background: "none",
  noiseSuppression: false,
};

function stubConnect(result: () => Promise<void>) {
  lk.connectResult = result;
  lk.rooms.length = 0;
  return {
    get rooms() {
      return lk.rooms.map((r) => r.room);
    },
    get first() {
      return lk.rooms[0]!;
    },
  };
}

function renderRoom(overrides: Partial<React.ComponentProps<typeof ConferenceRoom>> = {}) {
  const onFailure = vi.fn();
  const onLeave = vi.fn();
  // The API answers every call with nothing to show (an empty chat).
  const { Provider } = recordingClient((path) => (path === "chat.list" ? [] : quietRoomAnswer(path)));
  const view = render(
    <Provider>
      <ConferenceRoom
        details={details}
        choices={choices}
        roomTitle="Standup"
        teamName="Acme"
        onFailure={onFailure}
        onLeave={onLeave}
        {...overrides}
      />
    </Provider>,
  );
  return { ...view, onFailure, onLeave };
}

beforeEach(() => vi.clearAllMocks());
afterEach(cleanup);

describe("ConferenceRoom", () => {
  it("connects with the token and publishes what was chosen, on the chosen devices", async () => {
    const stub = stubConnect(() => Promise.resolve());
    renderRoom();
    await waitFor(() =>
      expect(stub.first.connect).toHaveBeenCalledWith(details.serverUrl, details.participantToken),
    );
    await waitFor(() => expect(stub.first.camera).toHaveBeenCalledWith(true));
    expect(stub.first.microphone).not.toHaveBeenCalled();
    const room = stub.first.room;
    expect(room.options.videoCaptureDefaults?.deviceId).toBe("cam-b");
    expect(room.options.audioCaptureDefaults?.deviceId).toBe("mic-a");
    await screen.findByTestId("conference-room");
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    expect(screen.getByRole("toolbar", { name: "Call controls" })).toBeTruthy();
  });

  it.each([
    [DisconnectReason.PARTICIPANT_REMOVED, "kicked"],
    [DisconnectReason.ROOM_DELETED, "ended"],
    [DisconnectReason.DUPLICATE_IDENTITY, "duplicate"],
    [DisconnectReason.SIGNAL_CLOSE, "lost"],
  ])("a disconnect for %s becomes the %s failure", async (reason, kind) => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom();
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    act(() => {
      stub.first.room.emit(RoomEvent.Disconnected, reason);
    });
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ kind }));
  });

  it.each([
    [() => ConnectionError.serverUnreachable("could not establish signal connection"), "unreachable"],
    [() => ConnectionError.notAllowed("invalid token", 401), "token-rejected"],
    [() => ConnectionError.notAllowed("room has exceeded its max participants", 403), "full"],
  ])("a failed connection reports which failure (%#)", async (error, kind) => {
    stubConnect(() => Promise.reject(error()));
    const { onFailure } = renderRoom();
    await waitFor(() => expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ kind })));
  });

  it("Leave disconnects first, then leaves, without reporting a failure", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure, onLeave } = renderRoom();
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    const { room, disconnect } = stub.first;
    disconnect.mockImplementation(async () => {
      room.emit(RoomEvent.Disconnected, DisconnectReason.CLIENT_INITIATED);
    });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Leave call" }));
    });
    expect(disconnect).toHaveBeenCalledWith(true);
    expect(onLeave).toHaveBeenCalledTimes(1);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("unmounting (route change, another room) disconnects and stops local tracks", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { unmount, onFailure } = renderRoom();
    await waitFor(() => expect(stub.first.connect).toHaveBeenCalled());
    unmount();
    expect(stub.first.disconnect).toHaveBeenCalledWith(true);
    // The room's own Disconnected event after unmount is not a failure.
    stub.first.room.emit(RoomEvent.Disconnected, DisconnectReason.SIGNAL_CLOSE);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("closing the tab (pagehide) disconnects at once", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom();
    await waitFor(() => expect(stub.first.connect).toHaveBeenCalled());
    window.dispatchEvent(new Event("pagehide"));
    expect(stub.first.disconnect).toHaveBeenCalledWith(true);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("a new mount (the next room) gets a new Room; the old one is already disconnected", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const first = renderRoom();
    await waitFor(() => expect(stub.rooms).toHaveLength(1));
    first.unmount();
    expect(stub.first.disconnect).toHaveBeenCalledWith(true);
    renderRoom({ details: { ...details, roomName: "parlor-other" } });
    await waitFor(() => expect(stub.rooms).toHaveLength(2));
    expect(stub.rooms[0]).not.toBe(stub.rooms[1]);
    expect(lk.rooms[1]!.disconnect).not.toHaveBeenCalled();
  });
});
