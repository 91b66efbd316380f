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
import {
  MediaDeviceFailure,
  Room,
  RoomEvent,
  Track,
  VideoPresets,
  type DisconnectReason,
  type Participant,
} from "livekit-client";
import { HAND_ATTRIBUTE } from "@parlor/api/schemas/call";
import { LayoutGridIcon, PresentationIcon, XIcon } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";

import type { DeviceKind, SavedDevice } from "../devices/device-preferences";
import { classifyMediaError, describeMediaProblem } from "../devices/media-errors";
import type { JoinChoices } from "../join-choices";
import type { RoomFailure } from "../room-failures";
import type { ConnectionDetails } from "../room-store";
import { describeError } from "@/trpc/errors";
import { RecordingControl } from "@/features/recordings/recording-control";
import { RecordingIndicator } from "@/features/recordings/recording-indicator";
import { createCallEffects, type CallEffects } from "../effects/call-effects";
import { CallEffectsContext } from "../effects/call-effects-context";

import { ReconnectingBanner, StartAudioBanner } from "./banners";
import { ChatPanel } from "./chat-panel";
import { failureFromConnectError, failureFromDisconnect } from "./classify";
import { ControlBar, type Panel } from "./control-bar";
import { HandQueueProvider, useOwnHand } from "./hands";
import { LobbySection, useLobby } from "./lobby";
import { ModerationProvider, useLowerHand } from "./moderation";
import { ParticipantList } from "./participant-list";
import { usePresenceToasts } from "./presence-toasts";
import { ReactionsProvider, useReactions } from "./reactions";
import { RoomSettingsDialog } from "./room-settings-dialog";
import { ShortcutsDialog, useCallShortcuts } from "./shortcuts";
import { Stage, type LayoutMode } from "./stage";
import { useParticipantState } from "./use-participant-state";
import { useRoomChat, type RoomChat } from "./use-room-chat";
import {
  DecryptFailureBanner,
  EncryptedChatNotice,
  EncryptionIndicator,
  EncryptionProvider,
  useEncryptedChat,
} from "../e2ee/in-call";

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
  /** A guest (no account): no stored chat and no raised hands, which need an account. */
  guest?: boolean;
  /** End-to-end encrypted room: leave the call for the pre-join to enter the passphrase again. */
  onReenterPassphrase?: () => void;
}

/** Toasts for a failed camera, microphone or screen share; a cancelled screen picker is not a failure. */
export function reportMediaError(error: unknown, source: Track.Source) {
  if (source === Track.Source.ScreenShare) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "NotAllowedError" || name === "AbortError") return;
    toast.error("Screen sharing could not start", {
      description:
        "Your browser or system did not allow it. Check its screen-recording permission and try again.",
    });
    return;
  }
  const problem = describeMediaProblem(
    classifyMediaError(error, source === Track.Source.Camera ? "videoinput" : "audioinput"),
  );
  toast.error(problem.title, { description: problem.description });
}

/**
 * The call: one LiveKit `Room` per mount, connected with the token from the join store and
 * disconnected (tracks stopped) on unmount, route change and tab close.
 */
export function ConferenceRoom(props: ConferenceRoomProps) {
  const { details, choices, onFailure } = props;
  const [room, setRoom] = useState<Room | null>(null);
  const [effects, setEffects] = useState<CallEffects | null>(null);
  const [connected, setConnected] = useState(false);
  const leaving = useRef(false);

  useEffect(() => {
    leaving.current = false;
    // A fresh key provider and worker per connection (see e2ee/call-encryption.ts).
    const encryption = choices.encryption?.start();
    const instance = new Room({
      adaptiveStream: true,
      dynacast: true,
      videoCaptureDefaults: { deviceId: choices.videoDeviceId, resolution: VideoPresets.h720.resolution },
      audioCaptureDefaults: {
        deviceId: choices.audioDeviceId,
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
      },
      audioOutput: choices.audioOutputId ? { deviceId: choices.audioOutputId } : undefined,
      // Media and data both encrypted (the `encryption` option, unlike the older `e2ee`).
      encryption: encryption?.options,
    });
    let active = true;
    let wasConnected = false;

    const onDisconnected = (reason?: DisconnectReason) => {
      if (!active || leaving.current || !wasConnected) return;
      const failure = failureFromDisconnect(reason);
      if (failure) onFailure(failure);
    };
    const onMediaDevicesError = (error: Error) => {
      const failure = MediaDeviceFailure.getFailure(error);
      const kind = /audio|microphone/i.test(error.message) ? Track.Source.Microphone : Track.Source.Camera;
      if (failure) reportMediaError(error, kind);
    };
    instance.on(RoomEvent.Disconnected, onDisconnected).on(RoomEvent.MediaDevicesError, onMediaDevicesError);
    const callEffects = createCallEffects(instance, {
      background: choices.background,
      noiseSuppression: choices.noiseSuppression,
      notify: (message) => toast.warning(message),
    });
    setRoom(instance);
    setEffects(callEffects);

    // Encrypted rooms: the key is derived and encryption on before anything is sent.
    const encrypted = encryption
      ? encryption.ready.then(() => instance.setE2EEEnabled(true))
      : Promise.resolve();
    encrypted
      .then(() => instance.connect(details.serverUrl, details.participantToken))
      .then(
        () => {
          if (!active) return;
          wasConnected = true;
          setConnected(true);
          if (choices.audioEnabled) {
            instance.localParticipant
              .setMicrophoneEnabled(true)
              .catch((e: unknown) => reportMediaError(e, Track.Source.Microphone));
          }
          if (choices.videoEnabled) {
            // The background processor goes on before the camera is published.
            void callEffects
              .cameraCaptureOptions()
              .then((options) => {
                if (!active) return;
                const me = instance.localParticipant;
                if (!options) return me.setCameraEnabled(true);
                // A processor that cannot start (no WebGL, a broken driver) must not keep the camera off.
                return me.setCameraEnabled(true, options).catch(() => {
                  callEffects.backgroundFailed();
                  return me.setCameraEnabled(true);
                });
              })
              .catch((e: unknown) => reportMediaError(e, Track.Source.Camera));
          }
        },
        (error: unknown) => {
          if (active && !leaving.current) onFailure(failureFromConnectError(error));
        },
      );

    // Closing the tab (or leaving for another site) ends the call at once.
    const onPageHide = () => {
      leaving.current = true;
      void instance.disconnect(true);
    };
    window.addEventListener("pagehide", onPageHide);

    return () => {
      active = false;
      callEffects.dispose();
      window.removeEventListener("pagehide", onPageHide);
      instance
        .off(RoomEvent.Disconnected, onDisconnected)
        .off(RoomEvent.MediaDevicesError, onMediaDevicesError);
      // Stops every local track and closes the connection (then the encryption worker).
      void instance.disconnect(true).finally(() => encryption?.dispose());
    };
  }, [details, choices, onFailure]);

  const leave = useCallback(async () => {
    leaving.current = true;
    await room?.disconnect(true).catch(() => undefined);
    props.onLeave();
  }, [room, props]);

  if (!room) return <ConnectingCard />;

  return (
    <RoomContext.Provider value={room}>
      <CallEffectsContext.Provider value={effects}>
        <ModerationProvider
          teamSlug={props.moderation?.teamSlug ?? ""}
          roomSlug={props.moderation?.roomSlug ?? ""}
          allowed={props.moderation?.allowed ?? false}
        >
          <ReactionsProvider>
            <HandQueueProvider>
              <RoomView
                roomRef={{
                  teamSlug: props.moderation?.teamSlug ?? "",
                  roomSlug: props.moderation?.roomSlug ?? "",
                }}
                moderator={props.moderation?.allowed ?? false}
                guest={props.guest ?? false}
                roomTitle={props.roomTitle}
                teamName={props.teamName}
                encrypted={choices.encryption !== undefined}
                onReenterPassphrase={props.onReenterPassphrase}
                connected={connected}
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
    const onChanged = (changed: Record<string, string>, participant: Participant) => {
      if (participant.isLocal || !changed[HAND_ATTRIBUTE]) return;
      const name = participant.name || participant.identity;
      toast(`${name} raised their hand`, {
        id: `hand-${participant.identity}`,
        action: lower.current
          ? { label: "Lower", onClick: () => lower.current?.(participant.identity) }
          : undefined,
      });
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onChanged);
    return () => void room.off(RoomEvent.ParticipantAttributesChanged, onChanged);
  }, [room, moderator]);
}

/** Counts chat messages from others that arrived while the chat was closed. */
function useUnread(chat: RoomChat, open: boolean) {
  const [seen, setSeen] = useState(0);
  const fromOthers = chat.messages.filter((m) => m.authorIdentity !== chat.localIdentity).length;
  if (open && seen !== fromOthers) setSeen(fromOthers);
  return open ? 0 : Math.max(0, fromOthers - seen);
}

export interface RoomViewProps {
  /** The room in Parlor, for its stored chat. */
  roomRef: { teamSlug: string; roomSlug: string };
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
  const storedChat = useRoomChat(roomRef, moderator, !guest && !encrypted);
  const encryptedChat = useEncryptedChat(room, encrypted);
  const chat = encrypted ? encryptedChat : storedChat;
  const lobby = useLobby(roomRef, moderator);
  const unread = useUnread(chat, panel === "chat");
  const reactions = useReactions();
  usePresenceToasts(room);
  useHandToasts(room, moderator);
  const roomElement = useRef<HTMLDivElement>(null);
  useToastsAboveControls(roomElement, panel === "chat");

  const ownHand = useOwnHand(roomRef);
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
        return guest ? undefined : toggleHand();
      case "chat":
        return guest ? undefined : togglePanel("chat");
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
                  <ParticipantList lobby={moderator ? <LobbySection lobby={lobby} /> : null} />
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
          hand={guest ? null : { raised: handRaised, pending: ownHand.pending, toggle: toggleHand }}
          onReact={reactions.send}
          onSettings={() => setSettingsOpen(true)}
          onShortcuts={() => setShortcutsOpen(true)}
          onLeave={onLeaveClick}
          onMediaError={reportMediaError}
        />
        <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
        <RoomSettingsDialog
          open={settingsOpen}
          onOpenChange={setSettingsOpen}
          onDeviceChosen={onDeviceChosen}
        />
      </div>
    </LayoutContextProvider>
  );
  return encrypted ? <EncryptionProvider room={room}>{view}</EncryptionProvider> : view;
}
