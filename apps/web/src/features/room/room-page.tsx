"use client";

import type { Preferences } from "@parlor/api/schemas";
import { toast } from "@parlor/ui/toaster";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import type { DeviceKind, SavedDevice, SavedDevices } from "./devices/device-preferences";
import { cleanDisplayName, displayNameError } from "./display-name";
import { useDeviceSetup } from "./devices/use-device-setup";
import type { JoinChoices } from "./join-choices";
import { KnockCard } from "./knock-card";
import { PreJoin } from "./prejoin/prejoin";
import { RoomFailureCard } from "./prejoin/room-failure-card";
import { RoomSetupCard } from "./prejoin/room-setup-card";
import { RoomErrorBoundary } from "./room-error-boundary";
import { FAILURE_TEXT, type RoomFailure } from "./room-failures";
import type { ConnectionDetails } from "./room-store";
import { useRoom } from "./use-room";

// The call itself (livekit-client and its React components) loads only once someone joins.
const ConferenceRoom = dynamic(() => import("./in-room/conference-room").then((m) => m.ConferenceRoom), {
  ssr: false,
  loading: () => (
    <Centered>
      <RoomSetupCard step="joining" roomTitle="the call" />
    </Centered>
  ),
});

/** Starts loading the call's code as soon as the person heads for Join (hover, focus, touch). */
const preloadConferenceRoom = () => void import("./in-room/conference-room").catch(() => undefined);

type Stage =
  | { kind: "prejoin" }
  | { kind: "rejoining"; choices: JoinChoices }
  | { kind: "room"; details: ConnectionDetails; choices: JoinChoices; attempt: number }
  | { kind: "room-failed"; failure: RoomFailure; choices: JoinChoices };

export interface RoomPageProps {
  teamSlug: string;
  roomSlug: string;
  teamName: string;
  /** The room's name as the server knew it when rendering (derived from the slug for a new room). */
  roomName: string;
  /** Whether this person may mute, remove and end (team owner or admin, or site admin). */
  canModerate?: boolean;
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
 * /t/[team]/[room]: set the room up (ensure → connection details), show the pre-join screen,
 * then the call; every failure on the way gets a page that says which, with Retry.
 */
export function RoomPage({ teamSlug, roomSlug, teamName, roomName, canModerate = false }: RoomPageProps) {
  const router = useRouter();
  const utils = api.useUtils();
  const me = api.auth.me.useQuery(undefined, { staleTime: 60_000 });
  const prefs = api.preferences.get.useQuery(undefined, { staleTime: 60_000, retry: 1 });
  const savePrefs = api.preferences.update.useMutation({
    onSuccess: (data) => utils.preferences.get.setData(undefined, data),
    onError: (error) => toast.error(`Your choice was not saved: ${describeError(error).message}`),
  });
  const { mutate: save } = savePrefs;

  // What the person changed on this page; everything else comes from their saved preferences.
  const [edited, setEdited] = useState<{ name?: string; cameraOn?: boolean; micOn?: boolean }>({});
  const prefsSettled = !prefs.isPending && !me.isPending;
  const name = edited.name ?? prefs.data?.displayName ?? me.data?.name ?? "";
  const cameraOn = edited.cameraOn ?? prefs.data?.cameraEnabled ?? true;
  const micOn = edited.micOn ?? prefs.data?.microphoneEnabled ?? true;
  // Turned off for this join only ("join without camera" after a device problem): not saved.
  const [skipped, setSkipped] = useState<{ videoinput?: boolean; audioinput?: boolean }>({});

  const trimmedName = cleanDisplayName(name);
  const nameError = displayNameError(name);
  const debouncedName = useDebounced(trimmedName, 500);

  const [stage, setStage] = useState<Stage>({ kind: "prejoin" });
  const room = useRoom({
    teamSlug,
    roomSlug,
    // No usable name yet (say the profile could not load): the server picks the saved or account name.
    participantName: displayNameError(debouncedName) === null ? debouncedName : "",
    enabled: prefsSettled && (stage.kind === "prejoin" || stage.kind === "rejoining"),
  });
  const { store, phase, target } = room;
  const roomTitle = room.room?.name ?? roomName;

  // The pre-join screen stays up once shown (a name change re-initializes behind it).
  const [prejoinShown, setPrejoinShown] = useState(false);
  if (phase === "ready" && !prejoinShown) setPrejoinShown(true);

  // Save the name once the person stops typing (and it is valid).
  useEffect(() => {
    if (!prefs.data || edited.name === undefined) return;
    if (displayNameError(debouncedName) !== null || debouncedName === prefs.data.displayName) return;
    save({ displayName: debouncedName });
  }, [debouncedName, edited.name, prefs.data, save]);

  // The room's canonical address ("Design Review" → design-review): replace the URL, keep the state.
  const canonical = room.room?.roomSlug;
  useEffect(() => {
    if (phase === "ready" && canonical && canonical !== roomSlug)
      router.replace(pathFor(teamSlug, canonical));
  }, [phase, canonical, roomSlug, teamSlug, router]);

  useEffect(() => {
    document.title = `${roomTitle} · ${teamName} · Parlor`;
  }, [roomTitle, teamName]);

  // Rejoining (Retry after a failure in the call, or a token that ran out): enter when ready.
  useEffect(() => {
    if (stage.kind === "rejoining" && phase === "ready" && room.connectionDetails) {
      setStage({
        kind: "room",
        details: room.connectionDetails,
        choices: stage.choices,
        attempt: Date.now(),
      });
    }
  }, [stage, phase, room.connectionDetails]);

  const join = useCallback(
    (choices: JoinChoices) => {
      const details = store.cachedFor(target);
      if (details) setStage({ kind: "room", details, choices, attempt: Date.now() });
      else {
        setStage({ kind: "rejoining", choices });
        void store.initialize(target);
      }
    },
    [store, target],
  );

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
  const onKnockAnswered = useCallback(() => void store.retry(), [store]);

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
        <ConferenceRoom
          details={stage.details}
          choices={stage.choices}
          roomTitle={roomTitle}
          teamName={teamName}
          onLeave={onLeave}
          onFailure={onRoomFailure}
          onDeviceChosen={onDeviceChosen}
          moderation={{ teamSlug, roomSlug: room.room?.roomSlug ?? roomSlug, allowed: canModerate }}
        />
      </RoomErrorBoundary>
    );
  }

  let body: React.ReactNode;
  if (stage.kind === "room-failed") {
    const text = FAILURE_TEXT[stage.failure.kind];
    body = (
      <RoomFailureCard
        kind={stage.failure.kind}
        where={`${roomTitle} · ${teamName}`}
        title={text.title}
        description={text.description}
        detail={stage.failure.detail}
        teamHref={teamHref}
        onRetry={() => {
          setStage({ kind: "rejoining", choices: stage.choices });
          // A fresh token: the old one may be what failed.
          void store.initialize(target, { force: true });
        }}
      />
    );
  } else if (phase === "failed" && room.errorCode === "CONFLICT") {
    // The API refused a token because the room is at its participant limit.
    body = (
      <RoomFailureCard
        kind="full"
        where={`${roomTitle} · ${teamName}`}
        title={FAILURE_TEXT.full.title}
        description={room.error ?? FAILURE_TEXT.full.description}
        teamHref={teamHref}
        onRetry={() => void store.retry()}
      />
    );
  } else if (phase === "failed" && room.errorCode === "FORBIDDEN" && /locked/i.test(room.error ?? "")) {
    // The room is locked (see lobby.ts): knock, and go on once a moderator admits.
    body = (
      <KnockCard
        teamSlug={teamSlug}
        roomSlug={room.room?.roomSlug ?? roomSlug}
        roomTitle={roomTitle}
        teamHref={teamHref}
        onAdmitted={onKnockAnswered}
      />
    );
  } else if (phase === "failed") {
    const unauthorized = room.errorCode === "UNAUTHORIZED";
    body = (
      <RoomFailureCard
        kind={`setup:${room.errorCode ?? "error"}`}
        where={`${roomTitle} · ${teamName}`}
        title={setupFailureTitle(room.errorCode)}
        description={room.error ?? "Something went wrong."}
        teamHref={teamHref}
        onRetry={() => void store.retry()}
        signInHref={
          unauthorized ? `/sign-in?next=${encodeURIComponent(pathFor(teamSlug, roomSlug))}` : undefined
        }
      />
    );
  } else if (stage.kind === "rejoining" || !prejoinShown) {
    body = (
      <RoomSetupCard step={prefsSettled ? (room.step ?? "ensure") : "preparing"} roomTitle={roomTitle} />
    );
  } else {
    return (
      <PreJoinStage
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
          save({ cameraEnabled: on });
        }}
        onMicChange={(on) => {
          setSkipped((s) => ({ ...s, audioinput: false }));
          setEdited((e) => ({ ...e, micOn: on }));
          save({ microphoneEnabled: on });
        }}
        onSkipDevice={(kind) => setSkipped((s) => ({ ...s, [kind]: true }))}
        waiting={
          trimmedName !== debouncedName
            ? "Updating your name…"
            : phase === "initializing"
              ? room.step === "connectionDetails"
                ? "Getting connection details…"
                : "Setting up your room…"
              : phase === "ready"
                ? null
                : "Preparing…"
        }
        fallbackDevices={prefs.data}
        onDeviceChosen={onDeviceChosen}
        onJoin={join}
      />
    );
  }

  return <Centered>{body}</Centered>;
}

function Centered({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">{children}</div>
  );
}

function setupFailureTitle(code: string | null): string {
  switch (code) {
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

/** The pre-join screen with its live device previews (stopped as soon as it goes away). */
function PreJoinStage({
  fallbackDevices,
  onDeviceChosen,
  onJoin,
  ...props
}: Omit<React.ComponentProps<typeof PreJoin>, "setup" | "onJoin" | "onJoinIntent"> & {
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

  return (
    <PreJoin
      {...props}
      setup={setup}
      onJoinIntent={preloadConferenceRoom}
      onJoin={() =>
        onJoin({
          videoEnabled: props.cameraOn && setup.video.status !== "error",
          audioEnabled: props.micOn && setup.audio.status !== "error",
          videoDeviceId: setup.selected.videoinput,
          audioDeviceId: setup.selected.audioinput,
          audioOutputId: setup.supportsOutput ? setup.selected.audiooutput : undefined,
          participantName: props.name.trim(),
        })
      }
    />
  );
}
