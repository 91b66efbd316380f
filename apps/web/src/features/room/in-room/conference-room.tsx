"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { cn } from "@parlor/ui/lib/utils";
import { Progress } from "@parlor/ui/progress";
import { toast } from "@parlor/ui/toaster";
import {
  LayoutContextProvider,
  RoomAudioRenderer,
  RoomContext,
  useCreateLayoutContext,
  useParticipants,
  useRoomContext,
} from "@livekit/components-react";
import { RoomEvent, Track, type Participant, type Room } from "livekit-client";
import { HAND_ATTRIBUTE } from "@parlor/api/schemas/call";
import { LayoutGridIcon, PresentationIcon, XIcon } from "lucide-react";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

import type { DeviceKind, SavedDevice } from "../devices/device-preferences";
import type { JoinChoices } from "../join-choices";
import type { RoomFailure } from "../room-failures";
import type { ConnectionDetails } from "../room-store";
import { describeError } from "@/trpc/errors";
import { RecordingControl } from "@/features/recordings/recording-control";
import { RecordingIndicator } from "@/features/recordings/recording-indicator";
import { CallEffectsContext } from "../effects/call-effects-context";

import { ReconnectingBanner, StartAudioBanner } from "./banners";
import { CallInvite } from "./call-invite";
import { ChatPanel } from "./chat-panel";
import { callSlot, type CallConnection } from "./call-connection";
import { CONNECTING } from "./call-state";
import { ControlBar, type Panel } from "./control-bar";
import { HandQueueProvider, useOwnHand } from "./hands";
import { LobbySection, useLobby } from "./lobby";
import { reportMediaError } from "./media-error-toasts";
import { ModerationProvider, useLowerHand } from "./moderation";
import { OnDemand, usePreloadOnDemand } from "./on-demand-ui";
import { ParticipantList } from "./participant-list";
import { usePresenceToasts } from "./presence-toasts";
import { ReactionsProvider, useReactions } from "./reactions";
import { useCallShortcuts } from "./shortcuts";
import { Stage, type LayoutMode } from "./stage";
import { useParticipantState } from "./use-participant-state";
import { useUnread } from "./unread";
import { useRoomChat } from "./use-room-chat";
import {
  DecryptFailureBanner,
  EncryptedChatNotice,
  EncryptionIndicator,
  EncryptionProvider,
  useEncryptedChat,
} from "../e2ee/in-call";

export { reportMediaError };

export interface ConferenceRoomProps {
  details: ConnectionDetails;
  choices: JoinChoices;
  roomTitle: string;
  teamName: string;
  onLeave: () => void;
  onFailure: (failure: RoomFailure) => void;
  onDeviceChosen?: (kind: DeviceKind, device: SavedDevice) => void;
  /** Moderation controls (mute, remove, end) for team owners and admins and for site admins. */
  moderation?: { teamSlug: string; roomSlug: string; allowed: boolean };
  /** A guest (no account): chat and hand go through the guest pass; nothing to moderate or invite. */
  guest?: boolean;
  /** End-to-end encrypted room: leave the call for the pre-join to enter the passphrase again. */
  onReenterPassphrase?: () => void;
}

/**
 * The call: one LiveKit `Room` per join (see call-connection.ts: kept across Strict Mode's second
 * mount, disconnected with its tracks stopped on unmount, route change and tab close).
 */
export function ConferenceRoom(props: ConferenceRoomProps) {
  const { details, choices, onFailure } = props;
  const [connection, setConnection] = useState<CallConnection | null>(null);

  useEffect(() => {
    const acquired = callSlot.acquire(details, choices);
    setConnection(acquired);
    return () => callSlot.release(acquired);
  }, [details, choices]);

  const state = useSyncExternalStore(
    connection?.subscribe ?? noSubscription,
    connection?.getState ?? connecting,
    connecting,
  );
  useEffect(() => {
    if (state.status === "failed") onFailure(state.failure);
  }, [state, onFailure]);

  // This person pressed "End meeting for everyone": the ending then reads "You ended the meeting".
  const onEnding = useCallback((ending: boolean) => connection?.setEnding(ending), [connection]);

  const { onLeave } = props;
  const leave = useCallback(async () => {
    await connection?.leave();
    onLeave();
  }, [connection, onLeave]);

  if (!connection) return <ConnectingCard />;

  return (
    <RoomContext.Provider value={connection.room}>
      <CallEffectsContext.Provider value={connection.effects}>
        <ModerationProvider
          teamSlug={props.moderation?.teamSlug ?? ""}
          roomSlug={props.moderation?.roomSlug ?? ""}
          allowed={props.moderation?.allowed ?? false}
          onEnding={onEnding}
        >
          <ReactionsProvider>
            <HandQueueProvider>
              <RoomView
                roomRef={{
                  teamSlug: props.moderation?.teamSlug ?? "",
                  roomSlug: props.moderation?.roomSlug ?? "",
                }}
                chatKey={details.roomName}
                moderator={props.moderation?.allowed ?? false}
                guest={props.guest ?? false}
                roomTitle={props.roomTitle}
                teamName={props.teamName}
                encrypted={choices.encryption !== undefined}
                onReenterPassphrase={props.onReenterPassphrase}
                connected={state.status === "connected"}
                onLeaveClick={leave}
                onDeviceChosen={props.onDeviceChosen}
              />
            </HandQueueProvider>
          </ReactionsProvider>
        </ModerationProvider>
      </CallEffectsContext.Provider>
      <RoomAudioRenderer />
    </RoomContext.Provider>
  );
}

const noSubscription = () => () => undefined;
const connecting = () => CONNECTING;

function ConnectingCard() {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">
      <Card className="w-full max-w-md gap-4 p-6" aria-busy="true">
        <div className="grid gap-1.5 text-center">
          <h1 className="text-lg font-semibold">Joining the call</h1>
          <p className="text-sm text-muted-foreground" role="status">
            Connecting to the video server…
          </p>
        </div>
        <Progress value={95} aria-label="Connecting" />
      </Card>
    </div>
  );
}

/**
 * Lifts toasts above what sits at the bottom of the call, so they never cover it: the control
 * bar, and the chat's message box while the chat is open (it sits right above the bar, on a
 * phone across the whole width). Measured, so a taller bar or a growing draft stays clear too.
 */
function useToastsAboveControls(room: React.RefObject<HTMLElement | null>, chatOpen: boolean) {
  useEffect(() => {
    const root = document.documentElement;
    // What marks itself `data-toasts-stay-above`: the chat's message box (first in the page, when
    // open) and the control bar; `chatOpen` makes it measure again when the chat opens or closes.
    const target = room.current?.querySelector("[data-toasts-stay-above]");
    const update = () => {
      const clearance = target ? window.innerHeight - target.getBoundingClientRect().top : 0;
      root.style.setProperty(
        "--toast-offset-bottom",
        clearance > 0 ? `${Math.ceil(clearance) + 8}px` : "calc(5.5rem + env(safe-area-inset-bottom))",
      );
    };
    update();
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(update);
    if (target) observer?.observe(target);
    window.addEventListener("resize", update);
    return () => {
      observer?.disconnect();
      window.removeEventListener("resize", update);
      root.style.removeProperty("--toast-offset-bottom");
    };
  }, [room, chatOpen]);
}

/** Tells moderators when someone raises their hand, with a button to lower it. */
function useHandToasts(room: Room, moderator: boolean) {
  const lowerHand = useLowerHand();
  const lower = useRef(lowerHand);
  lower.current = lowerHand;
  useEffect(() => {
    if (!moderator) return;
    const shown = new Set<string>();
    const onChanged = (changed: Record<string, string>, participant: Participant) => {
      if (participant.isLocal || !(HAND_ATTRIBUTE in changed)) return;
      const id = `hand-${participant.identity}`;
      if (!changed[HAND_ATTRIBUTE]) {
        // Lowered (by them, from the list, or from the toast): its toast has nothing left to do.
        toast.dismiss(id);
        shown.delete(id);
        return;
      }
      const name = participant.name || participant.identity;
      shown.add(id);
      toast(`${name} raised their hand`, {
        id,
        action: lower.current
          ? { label: "Lower", onClick: () => lower.current?.(participant.identity) }
          : undefined,
      });
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onChanged);
    return () => {
      room.off(RoomEvent.ParticipantAttributesChanged, onChanged);
      // The call is over for this view: a "Lower" left behind could only fail.
      for (const id of shown) toast.dismiss(id);
    };
  }, [room, moderator]);
}

export interface RoomViewProps {
  /** The room in Parlor, for its stored chat. */
  roomRef: { teamSlug: string; roomSlug: string };
  /** Keeps the chat's last-read marker (the LiveKit room's name: guests have no slugs). */
  chatKey?: string;
  /** Whether the person may moderate (delete any chat message, among others). */
  moderator: boolean;
  guest?: boolean;
  roomTitle: string;
  teamName: string;
  /** End-to-end encrypted: the lock, decryption failures, and chat between the browsers only. */
  encrypted?: boolean;
  onReenterPassphrase?: () => void;
  connected: boolean;
  onLeaveClick: () => void;
  onDeviceChosen?: (kind: DeviceKind, device: SavedDevice) => void;
}

/** What is on screen during the call; needs the `Room` in `RoomContext`. */
export function RoomView({
  roomRef,
  chatKey,
  moderator,
  guest = false,
  roomTitle,
  teamName,
  encrypted = false,
  onReenterPassphrase,
  connected,
  onLeaveClick,
  onDeviceChosen,
}: RoomViewProps) {
  const layoutContext = useCreateLayoutContext();
  const [mode, setMode] = useState<LayoutMode>("grid");
  const [panel, setPanel] = useState<Panel>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const participants = useParticipants();
  const room = useRoomContext();
  // Encrypted rooms: chat goes between the browsers, encrypted, and is never stored.
  const storedChat = useRoomChat(roomRef, moderator, !encrypted, guest);
  const encryptedChat = useEncryptedChat(room, encrypted);
  const chat = encrypted ? encryptedChat : storedChat;
  const lobby = useLobby(roomRef, moderator);
  const unread = useUnread(chat, panel === "chat", chatKey ?? `${roomRef.teamSlug}/${roomRef.roomSlug}`);
  const reactions = useReactions();
  usePresenceToasts(room);
  // Its menus and dialogs come once the call is up (not before: the join needs the network first).
  usePreloadOnDemand(connected);
  useHandToasts(room, moderator);
  const roomElement = useRef<HTMLDivElement>(null);
  useToastsAboveControls(roomElement, panel === "chat");

  const ownHand = useOwnHand(roomRef, guest);
  const handRaised = useParticipantState(room.localParticipant).handRaisedAt !== null;
  const toggleHand = () =>
    void ownHand.set(!handRaised).catch((error: unknown) =>
      toast.error(handRaised ? "Your hand was not lowered" : "Your hand was not raised", {
        description: describeError(error as Error).message,
      }),
    );
  const togglePanel = (which: Exclude<Panel, null>) => setPanel((open) => (open === which ? null : which));

  useCallShortcuts((action) => {
    const me = room.localParticipant;
    switch (action) {
      case "microphone":
        return void me
          .setMicrophoneEnabled(!me.isMicrophoneEnabled)
          .catch((error: unknown) => reportMediaError(error, Track.Source.Microphone));
      case "camera":
        return void me
          .setCameraEnabled(!me.isCameraEnabled)
          .catch((error: unknown) => reportMediaError(error, Track.Source.Camera));
      case "hand":
        return toggleHand();
      case "chat":
        return togglePanel("chat");
      case "participants":
        return togglePanel("participants");
      case "leave":
        return onLeaveClick();
      case "help":
        return setShortcutsOpen(true);
    }
  });

  const view = (
    <LayoutContextProvider value={layoutContext}>
      <div
        ref={roomElement}
        className="flex h-[calc(100dvh-3.5rem)] min-h-[28rem] flex-col bg-muted/40 dark:bg-zinc-950"
        data-testid="conference-room"
        data-connected={connected}
      >
        <div className="flex items-center gap-3 border-b bg-background/95 px-3 py-2 sm:px-4">
          <div className="min-w-0 flex-1">
            <h1 className="truncate text-sm font-semibold sm:text-base">{roomTitle}</h1>
            <p className="truncate text-xs text-muted-foreground">
              {teamName} · {connected ? `${participants.length} in the call` : "Connecting…"}
            </p>
          </div>
          <Button
            variant="outline"
            size="sm"
            onClick={() => setMode(mode === "grid" ? "speaker" : "grid")}
            aria-label={mode === "grid" ? "Switch to speaker view" : "Switch to grid view"}
          >
            {mode === "grid" ? (
              <PresentationIcon aria-hidden="true" />
            ) : (
              <LayoutGridIcon aria-hidden="true" />
            )}
            <span className="hidden sm:inline">{mode === "grid" ? "Speaker view" : "Grid view"}</span>
          </Button>
          {encrypted ? <EncryptionIndicator participants={participants} /> : null}
          <RecordingIndicator />
          {guest ? null : <RecordingControl room={roomRef} />}
        </div>
        {encrypted ? (
          <DecryptFailureBanner onReenterPassphrase={onReenterPassphrase ?? onLeaveClick} />
        ) : null}
        <ReconnectingBanner />
        <StartAudioBanner />
        <div className="relative flex min-h-0 flex-1">
          <Stage mode={mode} className="min-w-0 flex-1 p-2 sm:p-3" />
          {panel ? (
            <aside
              aria-label={panel === "chat" ? "Chat" : "Participants"}
              className={cn(
                "absolute inset-0 z-20 flex flex-col bg-background md:static md:z-auto md:w-80 md:border-l",
              )}
            >
              <div className="flex items-center justify-between border-b px-4 py-2">
                <h2 className="text-sm font-semibold">
                  {panel === "chat" ? "Chat" : `Participants (${participants.length})`}
                </h2>
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Close ${panel}`}
                  onClick={() => setPanel(null)}
                >
                  <XIcon aria-hidden="true" />
                </Button>
              </div>
              {panel === "chat" && encrypted ? <EncryptedChatNotice /> : null}
              {panel === "chat" ? (
                <ChatPanel
                  chat={chat}
                  className="flex-1"
                  onSendError={(error) =>
                    toast.error("Your message was not sent", {
                      description: `${describeError(error as Error).message} Your text is still in the box.`,
                    })
                  }
                  onDeleteError={(error) =>
                    toast.error("The message was not deleted", {
                      description: describeError(error as Error).message,
                    })
                  }
                />
              ) : (
                <div className="min-h-0 flex-1 overflow-y-auto p-2">
                  <ParticipantList
                    invite={
                      guest ? null : (
                        <CallInvite
                          teamSlug={roomRef.teamSlug}
                          roomSlug={roomRef.roomSlug}
                          roomTitle={roomTitle}
                          moderator={moderator}
                          encrypted={encrypted}
                        />
                      )
                    }
                    lobby={moderator ? <LobbySection lobby={lobby} /> : null}
                  />
                </div>
              )}
            </aside>
          ) : null}
        </div>
        <ControlBar
          panel={panel}
          onPanel={setPanel}
          unread={unread}
          participantCount={participants.length}
          hand={{ raised: handRaised, pending: ownHand.pending, toggle: toggleHand }}
          onReact={reactions.send}
          onSettings={() => setSettingsOpen(true)}
          onShortcuts={() => setShortcutsOpen(true)}
          onLeave={onLeaveClick}
          onMediaError={reportMediaError}
        />
        <OnDemand when={shortcutsOpen}>
          {(ui) => <ui.ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />}
        </OnDemand>
        <OnDemand when={settingsOpen}>
          {(ui) => (
            <ui.RoomSettingsDialog
              open={settingsOpen}
              onOpenChange={setSettingsOpen}
              onDeviceChosen={onDeviceChosen}
            />
          )}
        </OnDemand>
      </div>
    </LayoutContextProvider>
  );
  return encrypted ? <EncryptionProvider room={room}>{view}</EncryptionProvider> : view;
}
