"use client";

import type { Preferences } from "@parlor/api/schemas";
import { toast } from "@parlor/ui/toaster";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";
import { PrejoinRecordingNotice } from "@/features/recordings/recording-notices";

import {
  isDefaultId,
  loadSavedDevices,
  type DeviceKind,
  type SavedDevice,
  type SavedDevices,
} from "./devices/device-preferences";
import { cleanDisplayName, displayNameError } from "./display-name";
import { useDeviceSetup } from "./devices/use-device-setup";
import {
  deviceCapacity,
  loadEffectPreferences,
  type DeviceCapacity,
  noiseSuppressionEnabled,
  saveEffectPreferences,
  type EffectPreferences,
} from "./effects/effect-preferences";
import { usePreviewEffect } from "./effects/use-preview-effect";
import { withCapturedMedia, type JoinChoices } from "./join-choices";
import { PreJoin } from "./prejoin/prejoin";
import { KnockCard } from "./knock-card";
import { WhoIsHere } from "./prejoin/who-is-here";
import { RoomFailureCard } from "./prejoin/room-failure-card";
import { RoomSetupCard } from "./prejoin/room-setup-card";
import type { SetupStatus } from "./prejoin/setup-status";
import { RoomErrorBoundary } from "./room-error-boundary";
import { FAILURE_TEXT, failureText, type RoomFailure } from "./room-failures";
import type { ConnectionDetails } from "./room-store";
import { useSetupRetry } from "./setup-retry";
import { useRoom } from "./use-room";
import { CallView, loadConferenceRoom, preloadCall, showCall, startCall } from "./call-view";
import { loadCallEncryption } from "./e2ee/load";
import { useRoomPassphrase } from "./e2ee/passphrase";

// The call itself (livekit-client and its React components) loads only once someone joins.
const LazyConferenceRoom = dynamic(loadConferenceRoom, {
  ssr: false,
  loading: () => (
    <Centered>
      <RoomSetupCard step="joining" roomTitle="the call" />
    </Centered>
  ),
});

// An encrypted room's passphrase panel: its code loads only in encrypted rooms.
const PrejoinEncryption = dynamic(
  () => import("./e2ee/prejoin-encryption").then((m) => m.PrejoinEncryption),
  {
    ssr: false,
  },
);

/**
 * Once the room can be joined, the camera has started and the page is idle, the call's code loads
 * and the connection to LiveKit is warmed: Join then only has to connect, and the preview did not
 * wait for either.
 */
function useWarmCall(details: ConnectionDetails | null) {
  useEffect(() => {
    if (!details) return;
    const warm = () => {
      preloadCall();
      import("./in-room/prepare-connection").then((m) => m.prepareConnection(details)).catch(() => undefined);
    };
    if (typeof requestIdleCallback !== "function") {
      const timer = setTimeout(warm, 200);
      return () => clearTimeout(timer);
    }
    const handle = requestIdleCallback(warm, { timeout: 1_000 });
    return () => cancelIdleCallback(handle);
  }, [details]);
}

type Stage =
  | { kind: "prejoin" }
  | { kind: "rejoining"; choices: JoinChoices }
  | { kind: "room"; details: ConnectionDetails; choices: JoinChoices; attempt: number }
  | { kind: "room-failed"; failure: RoomFailure; choices: JoinChoices };

export interface RoomPageProps {
  teamSlug: string;
  roomSlug: string;
  teamName: string;
  /** The room's name as the server knew it when rendering. */
  roomName: string;
  /** Whether this person may mute, remove and end (team owner or admin, or site admin). */
  canModerate?: boolean;
  /** The account's saved preferences as the server read them, so the preview starts at once. */
  initialPreferences?: Preferences;
  /** The account's name, the last fallback for the name field. */
  accountName?: string;
  /** The room is end-to-end encrypted (as the server knew when rendering). */
  encrypted?: boolean;
  /** The inline script that starts the camera before this code loads (early-media.ts), with the page's nonce. */
  earlyMedia?: { script: string; nonce?: string };
}

/**
 * The choices fitted to the room as the server now describes it: an encrypted room is never
 * joined without its key (null: stay on the pre-join, which now asks for the passphrase), and a
 * room no longer encrypted is joined without.
 */
function fitEncryption(details: ConnectionDetails, choices: JoinChoices): JoinChoices | null {
  if (details.encrypted && !choices.encryption) return null;
  if (!details.encrypted && choices.encryption) return { ...choices, encryption: undefined };
  return choices;
}

const PREFERENCE_FIELDS: Record<DeviceKind, { id: keyof Preferences; label: keyof Preferences }> = {
  videoinput: { id: "videoInputId", label: "videoInputLabel" },
  audioinput: { id: "audioInputId", label: "audioInputLabel" },
  audiooutput: { id: "audioOutputId", label: "audioOutputLabel" },
};

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

const pathFor = (teamSlug: string, roomSlug?: string) =>
  roomSlug
    ? `/t/${encodeURIComponent(teamSlug)}/${encodeURIComponent(roomSlug)}`
    : `/t/${encodeURIComponent(teamSlug)}`;

/**
 * /t/[team]/[room]: the pre-join screen (preview, meter, pickers) from the first render, with
 * the room's set-up (ensure → connection details) running beside it; Join waits for the
 * connection details; a failed set-up shows in the join panel and retries itself with a
 * back-off while the preview keeps working. Then the call; every failure in it gets a page that
 * says which, with Retry.
 */
export function RoomPage({
  teamSlug,
  roomSlug,
  teamName,
  roomName,
  canModerate = false,
  initialPreferences,
  accountName,
  encrypted: encryptedAtRender = false,
  earlyMedia,
}: RoomPageProps) {
  const router = useRouter();
  const utils = api.useUtils();
  const prefs = api.preferences.get.useQuery(undefined, {
    staleTime: 60_000,
    retry: 1,
    initialData: initialPreferences,
  });
  const savePrefs = api.preferences.update.useMutation({
    onSuccess: (data) => utils.preferences.get.setData(undefined, data),
    onError: (error) => toast.error(`Your choice was not saved: ${describeError(error).message}`),
  });
  const { mutate: save } = savePrefs;

  // What the person chose on this page: for this join only, unless they tick "remember".
  const [edited, setEdited] = useState<{ name?: string; cameraOn?: boolean; micOn?: boolean }>({});
  const [remember, setRemember] = useState(false);
  const name = edited.name ?? prefs.data?.displayName ?? accountName ?? "";
  const cameraOn = edited.cameraOn ?? prefs.data?.cameraEnabled ?? true;
  const micOn = edited.micOn ?? prefs.data?.microphoneEnabled ?? true;
  // Turned off for this join only ("join without camera" after a device problem).
  const [skipped, setSkipped] = useState<{ videoinput?: boolean; audioinput?: boolean }>({});

  const trimmedName = cleanDisplayName(name);
  const nameError = displayNameError(name);
  const debouncedName = useDebounced(trimmedName, 500);

  const [stage, setStage] = useState<Stage>({ kind: "prejoin" });
  // Join pressed before the connection details were ready: enter as soon as they are.
  const [pendingJoin, setPendingJoin] = useState<JoinChoices | null>(null);
  // Joining uses the name as typed now, without waiting for the typing pause.
  const setupName = pendingJoin?.participantName ?? debouncedName;
  const room = useRoom({
    teamSlug,
    roomSlug,
    // No usable name yet: the server picks the saved or account name.
    participantName: displayNameError(setupName) === null ? cleanDisplayName(setupName) : "",
    enabled: stage.kind === "prejoin" || stage.kind === "rejoining",
  });
  const { store, phase, target } = room;
  const roomTitle = room.room?.name ?? roomName;
  const encrypted = room.connectionDetails?.encrypted ?? room.room?.encrypted ?? encryptedAtRender;
  const passphrase = useRoomPassphrase(teamSlug, roomSlug, encrypted);
  // Nobody in the call yet (presence, as "who is here" shows it): this person sets the passphrase.
  const presence = api.room.list.useQuery({ teamSlug }, { enabled: encrypted, staleTime: 10_000 });
  const presentNow = presence.data?.find((r) => r.slug === (room.room?.roomSlug ?? roomSlug))?.participants;
  const firstHere = presentNow !== undefined && presentNow !== null && presentNow.length === 0;
  const [e2eeUnsupported, setE2eeUnsupported] = useState(false);

  const retry = useSetupRetry({
    phase,
    errorCode: room.errorCode,
    retry: useCallback(() => void store.retry(), [store]),
  });

  // The last failure stays on screen while a retry runs, so the retry is seen to happen.
  const [failure, setFailure] = useState<SetupStatus["failure"]>(null);
  if (phase === "failed" && room.error !== null && failure?.message !== room.error) {
    setFailure({ title: setupFailureTitle(room.errorCode), message: room.error, code: room.errorCode });
  }
  if (phase === "ready" && failure !== null) setFailure(null);

  // Saved as defaults only when the person asked for it.
  const savedDefaults = prefs.data;
  useEffect(() => {
    if (!remember || !savedDefaults) return;
    const changes: Partial<Preferences> = {};
    if (displayNameError(debouncedName) === null && debouncedName !== savedDefaults.displayName)
      changes.displayName = debouncedName;
    if (cameraOn !== savedDefaults.cameraEnabled) changes.cameraEnabled = cameraOn;
    if (micOn !== savedDefaults.microphoneEnabled) changes.microphoneEnabled = micOn;
    if (Object.keys(changes).length > 0) save(changes);
  }, [remember, savedDefaults, debouncedName, cameraOn, micOn, save]);

  // The room's canonical address ("Design Review" → design-review): replace the URL, keep the state.
  const canonical = room.room?.roomSlug;
  useEffect(() => {
    if (phase === "ready" && canonical && canonical !== roomSlug)
      router.replace(pathFor(teamSlug, canonical));
  }, [phase, canonical, roomSlug, teamSlug, router]);

  useEffect(() => {
    document.title = `${roomTitle} · ${teamName} · Parlor`;
  }, [roomTitle, teamName]);

  // Join pressed early, or rejoining after a failure in the call: enter once the details are ready.
  const waitingChoices = stage.kind === "rejoining" ? stage.choices : pendingJoin;
  useEffect(() => {
    if (waitingChoices && phase === "ready" && room.connectionDetails) {
      setPendingJoin(null);
      const fitted = fitEncryption(room.connectionDetails, waitingChoices);
      const choices = fitted && withCapturedMedia(fitted);
      if (choices) startCall(room.connectionDetails, choices);
      setStage(
        choices
          ? { kind: "room", details: room.connectionDetails, choices, attempt: Date.now() }
          : { kind: "prejoin" },
      );
    }
  }, [waitingChoices, phase, room.connectionDetails]);

  const join = useCallback(
    (choices: JoinChoices) => {
      const details = store.cachedFor({ ...target, participantName: choices.participantName });
      if (details) {
        const fitted = fitEncryption(details, choices);
        if (fitted) {
          const entering = withCapturedMedia(fitted);
          startCall(details, entering);
          showCall(() => setStage({ kind: "room", details, choices: entering, attempt: Date.now() }));
        }
        return;
      }
      // useRoom follows the name in `pendingJoin`; a failed set-up is tried again at once.
      setPendingJoin(choices);
      if (phase === "failed") retry.retryNow();
    },
    [store, target, phase, retry],
  );

  // Encrypted rooms: the key and LiveKit's worker load now, never before Join.
  const { passphrase: secret, remember: rememberPassphrase } = passphrase;
  const joinWithEncryption = useCallback(
    (choices: JoinChoices) => {
      if (!encrypted) return join(choices);
      if (!secret.trim()) return;
      loadCallEncryption().then(
        (e2ee) => {
          if (!e2ee.e2eeSupported()) return setE2eeUnsupported(true);
          rememberPassphrase(secret);
          join({ ...choices, encryption: e2ee.callEncryption(secret) });
        },
        () =>
          toast.error("The encryption could not be loaded", {
            description: "Check your connection, then press Join again.",
          }),
      );
    },
    [encrypted, join, secret, rememberPassphrase],
  );
  const reenterPassphrase = useCallback(() => setStage({ kind: "prejoin" }), []);

  const onLeave = useCallback(() => router.push(pathFor(teamSlug)), [router, teamSlug]);
  const onRoomFailure = useCallback(
    (failure: RoomFailure) =>
      setStage((current) =>
        current.kind === "room" ? { kind: "room-failed", failure, choices: current.choices } : current,
      ),
    [],
  );

  const onDeviceChosen = useCallback(
    (kind: DeviceKind, device: SavedDevice) => {
      const fields = PREFERENCE_FIELDS[kind];
      save({ [fields.id]: device.id, [fields.label]: device.label?.slice(0, 256) ?? null });
    },
    [save],
  );

  const teamHref = pathFor(teamSlug);
  // Admitted into a locked room (or it was unlocked): straight into the call, as guests go, with
  // what this person chose for this join, else what they saved (the knock replaced the preview).
  const savedChoices = useCallback(
    (): JoinChoices => savedJoinChoices(prefs.data, { name: trimmedName, cameraOn, micOn }),
    [prefs.data, trimmedName, cameraOn, micOn],
  );
  const onKnockAnswered = useCallback(() => {
    setPendingJoin((pending) => pending ?? savedChoices());
    void store.retry();
  }, [store, savedChoices]);

  if (stage.kind === "room") {
    return (
      <RoomErrorBoundary
        key={stage.attempt}
        onError={(error) => onRoomFailure({ kind: "crashed", detail: error.message })}
        fallback={
          <Centered>
            <RoomSetupCard step="joining" roomTitle={roomTitle} />
          </Centered>
        }
      >
        <CallView
          lazy={LazyConferenceRoom}
          details={stage.details}
          choices={stage.choices}
          roomTitle={roomTitle}
          teamName={teamName}
          onLeave={onLeave}
          onFailure={onRoomFailure}
          onDeviceChosen={onDeviceChosen}
          moderation={{ teamSlug, roomSlug: room.room?.roomSlug ?? roomSlug, allowed: canModerate }}
          onReenterPassphrase={reenterPassphrase}
        />
      </RoomErrorBoundary>
    );
  }

  if (stage.kind === "room-failed") {
    const text = failureText(stage.failure);
    return (
      <Centered>
        <RoomFailureCard
          kind={stage.failure.kind}
          where={`${roomTitle} · ${teamName}`}
          title={text.title}
          description={text.description}
          retryLabel={text.retryLabel}
          detail={stage.failure.detail}
          teamHref={teamHref}
          onRetry={
            text.retry
              ? () => {
                  setStage({ kind: "rejoining", choices: stage.choices });
                  // A fresh token: the old one may be what failed.
                  void store.initialize(target, { force: true });
                }
              : undefined
          }
        />
      </Centered>
    );
  }

  if (stage.kind === "rejoining" && phase !== "failed") {
    return (
      <Centered>
        <RoomSetupCard
          step={room.step ?? "joining"}
          roomTitle={roomTitle}
          onCancel={() => {
            store.abort();
            setStage({ kind: "prejoin" });
          }}
        />
      </Centered>
    );
  }

  if (phase === "failed" && room.errorCode === "FORBIDDEN" && /locked/i.test(room.error ?? "")) {
    // The room is locked (see packages/api/src/guests/lobby.ts): knock, and go on once a moderator admits.
    return (
      <Centered>
        <KnockCard
          teamSlug={teamSlug}
          roomSlug={room.room?.roomSlug ?? roomSlug}
          roomTitle={roomTitle}
          teamHref={teamHref}
          onAdmitted={onKnockAnswered}
        />
      </Centered>
    );
  }

  const status: SetupStatus = {
    phase,
    step: room.step,
    failure,
    retry,
    teamHref,
    signInHref:
      phase === "failed" && room.errorCode === "UNAUTHORIZED"
        ? `/sign-in?next=${encodeURIComponent(pathFor(teamSlug, roomSlug))}`
        : undefined,
  };

  return (
    <PreJoinStage
      earlyMedia={earlyMedia}
      warmFor={phase === "ready" ? room.connectionDetails : null}
      whoIsHere={
        <>
          <WhoIsHere teamSlug={teamSlug} roomSlug={room.room?.roomSlug ?? roomSlug} />
          <PrejoinRecordingNotice room={{ teamSlug, roomSlug: room.room?.roomSlug ?? roomSlug }} />
        </>
      }
      roomTitle={roomTitle}
      teamName={teamName}
      teamHref={teamHref}
      name={name}
      nameError={nameError}
      onNameChange={(value) => setEdited((e) => ({ ...e, name: value }))}
      cameraOn={cameraOn && !skipped.videoinput}
      micOn={micOn && !skipped.audioinput}
      onCameraChange={(on) => {
        setSkipped((s) => ({ ...s, videoinput: false }));
        setEdited((e) => ({ ...e, cameraOn: on }));
      }}
      onMicChange={(on) => {
        setSkipped((s) => ({ ...s, audioinput: false }));
        setEdited((e) => ({ ...e, micOn: on }));
      }}
      onSkipDevice={(kind) => setSkipped((s) => ({ ...s, [kind]: true }))}
      remember={remember}
      onRememberChange={setRemember}
      status={status}
      joinPending={pendingJoin !== null || stage.kind === "rejoining"}
      onCancelJoin={() => {
        setPendingJoin(null);
        if (stage.kind === "rejoining") setStage({ kind: "prejoin" });
      }}
      fallbackDevices={prefs.data}
      onDeviceChosen={onDeviceChosen}
      onJoin={joinWithEncryption}
      encryption={
        encrypted ? (
          <PrejoinEncryption
            passphrase={passphrase.passphrase}
            fromLink={passphrase.fromLink}
            onPassphraseChange={passphrase.change}
            canInvite={canModerate}
            unsupported={e2eeUnsupported}
            firstHere={firstHere}
          />
        ) : undefined
      }
      joinBlockedReason={
        !encrypted
          ? null
          : e2eeUnsupported
            ? "This browser can't join encrypted calls."
            : passphrase.passphrase.trim()
              ? null
              : "Enter the room's passphrase to join."
      }
    />
  );
}

/** Join choices without the pre-join: the saved devices and effects, and this page's name and toggles. */
function savedJoinChoices(
  prefs: Preferences | undefined,
  page: { name: string; cameraOn: boolean; micOn: boolean },
): JoinChoices {
  const devices = loadSavedDevices();
  const chosen = (saved: SavedDevice | undefined, fallback: string | null | undefined) => {
    const id = saved?.id ?? fallback;
    // An id the browser no longer knows only weighs as a preference (LiveKit asks for it as "ideal").
    return isDefaultId(id) ? undefined : (id ?? undefined);
  };
  const effects = loadEffectPreferences();
  return {
    videoEnabled: page.cameraOn,
    audioEnabled: page.micOn,
    videoDeviceId: chosen(devices.videoinput, prefs?.videoInputId),
    audioDeviceId: chosen(devices.audioinput, prefs?.audioInputId),
    audioOutputId: chosen(devices.audiooutput, prefs?.audioOutputId),
    participantName: page.name,
    background: effects.background,
    noiseSuppression: noiseSuppressionEnabled(effects.noiseSuppression, deviceCapacity()),
  };
}

function Centered({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">{children}</div>
  );
}

function setupFailureTitle(code: string | null): string {
  switch (code) {
    case "CONFLICT":
      // The API refused a token because the room is at its participant limit.
      return FAILURE_TEXT.full.title;
    case "SERVICE_UNAVAILABLE":
      return "Can't reach the video service";
    case "UNAUTHORIZED":
      return "Your session has ended";
    case "NOT_FOUND":
      return "Room not found";
    case "FORBIDDEN":
      return "You can't join this room";
    case "TOO_MANY_REQUESTS":
      return "Too many attempts";
    default:
      return "We couldn't set up the room";
  }
}

const noSubscription = () => () => undefined;
const DEFAULT_EFFECTS: EffectPreferences = { background: "none", noiseSuppression: null };
const ASSUMED_CAPACITY: DeviceCapacity = { cores: undefined, memoryGiB: undefined, audioWorklet: true };

/** The pre-join screen with its live device previews (stopped as soon as it goes away). */
function PreJoinStage({
  fallbackDevices,
  onDeviceChosen,
  onJoin,
  warmFor,
  earlyMedia,
  ...props
}: Omit<React.ComponentProps<typeof PreJoin>, "setup" | "onJoin" | "onJoinIntent"> & {
  earlyMedia: RoomPageProps["earlyMedia"];
  /** The connection details once the room can be joined: the call is warmed for them. */
  warmFor: ConnectionDetails | null;
  fallbackDevices: Preferences | undefined;
  onDeviceChosen: (kind: DeviceKind, device: SavedDevice) => void;
  onJoin: (choices: JoinChoices) => void;
}) {
  const fallback = useMemo<SavedDevices | undefined>(
    () =>
      fallbackDevices && {
        videoinput: { id: fallbackDevices.videoInputId, label: fallbackDevices.videoInputLabel },
        audioinput: { id: fallbackDevices.audioInputId, label: fallbackDevices.audioInputLabel },
        audiooutput: { id: fallbackDevices.audioOutputId, label: fallbackDevices.audioOutputLabel },
      },
    [fallbackDevices],
  );
  const setup = useDeviceSetup({ cameraOn: props.cameraOn, micOn: props.micOn, fallback, onDeviceChosen });
  useWarmCall(setup.video.status === "starting" ? null : warmFor);
  // Background effect and noise suppression: remembered in this browser (what it can afford).
  // Read after hydration: the server knows neither this browser's storage nor its device.
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const [changed, setChanged] = useState<EffectPreferences | null>(null);
  const effects = changed ?? (hydrated ? loadEffectPreferences() : DEFAULT_EFFECTS);
  const capacity = hydrated ? deviceCapacity() : ASSUMED_CAPACITY;
  const noiseOn = noiseSuppressionEnabled(effects.noiseSuppression, capacity);
  const changeEffects = (change: Partial<EffectPreferences>) => setChanged(saveEffectPreferences(change));
  const preview = usePreviewEffect(
    setup.video.status === "live" ? setup.video.track : null,
    effects.background,
    () => changeEffects({ background: "none" }),
  );

  return (
    <>
      <PreJoin
        {...props}
        setup={setup}
        effects={{
          previewTrack: preview.track,
          background: effects.background,
          onBackgroundChange: (background) => changeEffects({ background }),
          noiseSuppression: noiseOn,
          onNoiseSuppressionChange: (noiseSuppression) => changeEffects({ noiseSuppression }),
          noiseSupported: capacity.audioWorklet,
          backgroundSupported: preview.status !== "unsupported",
          status: preview.status === "loading" ? "Loading the background effect…" : preview.notice,
        }}
        onJoinIntent={preloadCall}
        onJoin={() =>
          onJoin({
            videoEnabled: props.cameraOn && setup.video.status !== "error",
            audioEnabled: props.micOn && setup.audio.status !== "error",
            videoDeviceId: setup.selected.videoinput,
            audioDeviceId: setup.selected.audioinput,
            audioOutputId: setup.supportsOutput ? setup.selected.audiooutput : undefined,
            participantName: props.name.trim(),
            background: effects.background,
            noiseSuppression: noiseOn,
            takeCaptured: setup.handOver,
          })
        }
      />
      {earlyMedia && !hydrated ? (
        // Runs only from the server's HTML, after the preview's markup, so the camera can show
        // before this page's code has loaded. Rendered only in that HTML and while hydrating it: a
        // script React inserted itself would never run (React warns about it in development), and
        // the page reached by navigation in the browser asks for the camera itself.
        <script nonce={earlyMedia.nonce} dangerouslySetInnerHTML={{ __html: earlyMedia.script }} />
      ) : null}
    </>
  );
}
