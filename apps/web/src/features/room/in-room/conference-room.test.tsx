import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { ConnectionError, DisconnectReason, type Room, RoomEvent } from "livekit-client";
import type * as LiveKit from "livekit-client";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from "vitest";

import type { JoinChoices } from "../join-choices";
import type { ConnectionDetails } from "../room-store";
import { toast } from "@parlor/ui/toaster";
import { HAND_ATTRIBUTE, MODERATION_TOPIC } from "@parlor/api/schemas/call";

import { ConferenceRoom } from "./conference-room";
import { joinRemote, updateAttributes } from "./testing/livekit";
import { quietRoomAnswer, recordingClient } from "./testing/trpc";

vi.mock("@parlor/ui/toaster", () => ({
  toast: Object.assign(vi.fn(), {
    success: vi.fn(),
    error: vi.fn(),
    info: vi.fn(),
    warning: vi.fn(),
    dismiss: vi.fn(),
  }),
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

function renderRoom(
  overrides: Partial<React.ComponentProps<typeof ConferenceRoom>> = {},
  { strict = false, answer }: { strict?: boolean; answer?: (path: string) => unknown } = {},
) {
  const onFailure = vi.fn();
  const onLeave = vi.fn();
  // The API answers every call with nothing to show (an empty chat).
  const { Provider, calls } = recordingClient(
    (path) =>
      answer?.(path) ??
      (path === "chat.list" || path === "guest.chatList" || path === "lobby.list"
        ? []
        : quietRoomAnswer(path)),
  );
  const view = render(
    <Provider>
      <ConferenceRoom
        // Each render is a new join (the page makes new objects for each).
        details={{ ...details }}
        choices={{ ...choices }}
        roomTitle="Standup"
        teamName="Acme"
        onFailure={onFailure}
        onLeave={onLeave}
        {...overrides}
      />
    </Provider>,
    { reactStrictMode: strict },
  );
  return { ...view, onFailure, onLeave, calls };
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

  const notice = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const fromServer = (room: Room, value: unknown) =>
    act(() => {
      room.emit(RoomEvent.DataReceived, notice(value), undefined, undefined, MODERATION_TOPIC);
    });

  it("tells the person a moderator muted who did it, and ignores a participant's forgery", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom();
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    fromServer(stub.first.room, { type: "muted", kind: "audio", by: "Ada" });
    expect(toast.info).toHaveBeenCalledWith("Ada muted your microphone", expect.anything());
    fromServer(stub.first.room, { type: "muted", kind: "video", by: "Ada" });
    expect(toast.info).toHaveBeenCalledWith("Ada turned off your camera", expect.anything());
    vi.mocked(toast.info).mockClear();
    const mallory = stub.first.room.remoteParticipants.get("mallory");
    act(() => {
      stub.first.room.emit(
        RoomEvent.DataReceived,
        notice({ type: "removed", by: "Mallory" }),
        mallory ?? ({ identity: "mallory" } as never),
        undefined,
        MODERATION_TOPIC,
      );
    });
    expect(toast.info).not.toHaveBeenCalled();
    expect(onFailure).not.toHaveBeenCalled();
    expect(stub.first.disconnect).not.toHaveBeenCalled();
  });

  it.each([
    [
      { type: "removed", by: "Ada" },
      { kind: "kicked", by: "Ada" },
    ],
    [
      { type: "ended", by: "Ada" },
      { kind: "ended", by: "Ada", byYou: false },
    ],
    [
      { type: "deleted", by: "Ada" },
      { kind: "deleted", by: "Ada" },
    ],
  ])("a %o notice leaves at once, on our side, and says who did it", async (sent, failure) => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom();
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    fromServer(stub.first.room, sent);
    expect(stub.first.disconnect).toHaveBeenCalledWith(true);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(failure);
    // The server's own disconnection that follows is not a second failure.
    act(() => {
      stub.first.room.emit(RoomEvent.Disconnected, DisconnectReason.ROOM_DELETED);
    });
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it("a moderator's raised-hand toast goes when the hand is lowered, and when the call view goes", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { unmount } = renderRoom({ moderation: { teamSlug: "acme", roomSlug: "standup", allowed: true } });
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    const room = stub.first.room;
    let bob!: ReturnType<typeof joinRemote>;
    let zoe!: ReturnType<typeof joinRemote>;
    act(() => {
      bob = joinRemote(room, "bob", "Bob");
      zoe = joinRemote(room, "zoe", "Zoe");
      updateAttributes(room, bob, { [HAND_ATTRIBUTE]: "2026-12-01T10:00:00.000Z" });
      updateAttributes(room, zoe, { [HAND_ATTRIBUTE]: "2026-12-01T10:00:01.000Z" });
    });
    expect(toast).toHaveBeenCalledWith("Bob raised their hand", expect.objectContaining({ id: "hand-bob" }));
    act(() => updateAttributes(room, bob, { [HAND_ATTRIBUTE]: "" }));
    expect(toast.dismiss).toHaveBeenCalledWith("hand-bob");
    expect(toast.dismiss).not.toHaveBeenCalledWith("hand-zoe");
    unmount();
    expect(toast.dismiss).toHaveBeenCalledWith("hand-zoe");
  });

  it("the moderator who ends the meeting reads that they did", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom({
      moderation: { teamSlug: "acme", roomSlug: "standup", allowed: true },
    });
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    fireEvent.click(screen.getByTestId("control-participants"));
    fireEvent.click(await screen.findByRole("button", { name: "End meeting for everyone" }));
    // Found before act: the on-demand code arrives as a state update, which act would hold back.
    const confirmButton = await screen.findByRole("button", { name: "End meeting" });
    await act(async () => {
      fireEvent.click(confirmButton);
    });
    fromServer(stub.first.room, { type: "ended", by: "Ada Lovelace" });
    expect(onFailure).toHaveBeenCalledWith({ kind: "ended", by: "Ada Lovelace", byYou: true });
  });

  it("without the notice, the meeting's end still reads as yours when you ended it", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom({
      moderation: { teamSlug: "acme", roomSlug: "standup", allowed: true },
    });
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    fireEvent.click(screen.getByTestId("control-participants"));
    fireEvent.click(await screen.findByRole("button", { name: "End meeting for everyone" }));
    // Found before act: the on-demand code arrives as a state update, which act would hold back.
    const confirmButton = await screen.findByRole("button", { name: "End meeting" });
    await act(async () => {
      fireEvent.click(confirmButton);
    });
    act(() => {
      stub.first.room.emit(RoomEvent.Disconnected, DisconnectReason.ROOM_DELETED);
    });
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ kind: "ended", byYou: true }));
  });

  it("a guest chats and raises a hand through their guest pass, and has nothing to invite with", async () => {
    stubConnect(() => Promise.resolve());
    const sent = {
      id: "m1",
      authorIdentity: "guest-1",
      authorName: "Gus",
      body: "Hello from outside",
      createdAt: new Date(),
      meetingId: null,
    };
    const { calls } = renderRoom(
      { guest: true },
      {
        answer: (path) =>
          path === "guest.chatSend"
            ? sent
            : path === "guest.setHand"
              ? { raised: true, raisedAt: "x" }
              : undefined,
      },
    );
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    await act(async () => {
      fireEvent.click(screen.getByTestId("control-hand"));
    });
    expect(calls).toContainEqual({ path: "guest.setHand", input: { raised: true } });

    fireEvent.click(screen.getByTestId("control-chat"));
    fireEvent.change(await screen.findByPlaceholderText("Message everyone"), {
      target: { value: "Hello from outside" },
    });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    });
    expect(calls).toContainEqual({ path: "guest.chatSend", input: { body: "Hello from outside" } });
    await screen.findByText("Hello from outside");
    expect(calls.map((c) => c.path)).toContain("guest.chatList");
    expect(calls.map((c) => c.path)).not.toContain("chat.list");
    expect(calls.map((c) => c.path)).not.toContain("room.setHand");

    fireEvent.click(screen.getByTestId("control-participants"));
    await screen.findByTestId("participant-list");
    expect(screen.queryByTestId("call-invite")).toBeNull();
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
    await waitFor(() => expect(stub.first.disconnect).toHaveBeenCalledWith(true));
    expect(stub.first.room.localParticipant.getTrackPublications()).toHaveLength(0);
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
    renderRoom({ details: { ...details, roomName: "parlor-other" } });
    expect(stub.first.disconnect).toHaveBeenCalledWith(true);
    await waitFor(() => expect(stub.rooms).toHaveLength(2));
    expect(stub.rooms[0]).not.toBe(stub.rooms[1]);
    expect(lk.rooms[1]!.disconnect).not.toHaveBeenCalled();
  });

  it("survives Strict Mode's second mount: one Room and one connection per join", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { onFailure } = renderRoom({}, { strict: true });
    await waitFor(() => expect(screen.getByTestId("conference-room").dataset.connected).toBe("true"));
    expect(stub.rooms).toHaveLength(1);
    expect(stub.first.connect).toHaveBeenCalledTimes(1);
    expect(stub.first.disconnect).not.toHaveBeenCalled();
    await waitFor(() => expect(stub.first.camera).toHaveBeenCalledTimes(1));
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("Strict Mode: unmounting for real still disconnects", async () => {
    const stub = stubConnect(() => Promise.resolve());
    const { unmount } = renderRoom({}, { strict: true });
    await waitFor(() => expect(stub.first.connect).toHaveBeenCalled());
    unmount();
    await waitFor(() => expect(stub.first.disconnect).toHaveBeenCalledWith(true));
    expect(stub.rooms).toHaveLength(1);
  });

  it("another tab taking over (DUPLICATE_IDENTITY) while still connecting is reported as such, not as a network error", async () => {
    let fail: (error: unknown) => void = () => undefined;
    const stub = stubConnect(() => new Promise((_, reject) => (fail = reject)));
    const { onFailure } = renderRoom({}, { strict: true });
    await waitFor(() => expect(stub.first.connect).toHaveBeenCalled());
    act(() => {
      stub.first.room.emit(RoomEvent.Disconnected, DisconnectReason.DUPLICATE_IDENTITY);
    });
    await act(async () => fail(ConnectionError.internal("could not establish pc connection")));
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ kind: "duplicate" }));
    expect(onFailure).not.toHaveBeenCalledWith(expect.objectContaining({ kind: "unreachable" }));
  });
});
