"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { Progress } from "@parlor/ui/progress";
import { toast } from "@parlor/ui/toaster";
import dynamic from "next/dynamic";
import { ArrowRightIcon } from "lucide-react";
import { useCallback, useEffect, useId, useMemo, useState } from "react";

import { cleanDisplayName, displayNameError } from "@/features/room/display-name";
import { useDeviceSetup } from "@/features/room/devices/use-device-setup";
import type { JoinChoices } from "@/features/room/join-choices";
import { CameraPreview } from "@/features/room/devices/camera-preview";
import { DevicePickers } from "@/features/room/devices/device-pickers";
import { MediaToggle } from "@/features/room/prejoin/media-toggle";
import type { RoomFailure } from "@/features/room/room-failures";
import type { ConnectionDetails } from "@/features/room/room-store";
import { CallView, loadConferenceRoom, startCall } from "@/features/room/call-view";
import { describeError } from "@/trpc/errors";
import type { RouterOutputs } from "@parlor/api";

import { api } from "@/trpc/react";
import { GuestRecordingNotice } from "@/features/recordings/recording-notices";

const LazyConferenceRoom = dynamic(loadConferenceRoom, {
  ssr: false,
  loading: () => <Notice title="Joining the call" busy />,
});

type GuestStatus = RouterOutputs["guest"]["status"];

/**
 * /g/[token]: a person without an account joins one room. They type a name with their camera
 * preview on, knock (or go straight in when the link allows), wait with the preview still on
 * while the room's moderators are asked, and enter the call the moment someone admits them;
 * denial, a lapsed knock and a withdrawn or expired link each get a page that says so.
 */
export function GuestPage({ token }: { token: string }) {
  const preview = api.guest.preview.useQuery({ token }, { retry: false, refetchOnWindowFocus: false });
  const [status, setStatus] = useState<GuestStatus | null>(null);
  // Stopped waiting: the guest pass is gone, so the stored preview's status no longer holds.
  const [stoppedWaiting, setStoppedWaiting] = useState(false);
  const current = stoppedWaiting ? null : (status ?? preview.data?.guest ?? null);

  if (preview.isPending) return <Notice title="Opening your invitation" busy />;
  if (preview.error && !current) {
    const info = describeError(preview.error);
    const problem = linkProblem(info.message, info.code);
    return (
      <Notice
        title={problem.title}
        description={problem.description}
        testId="guest-link-problem"
        action={
          problem.canRetry ? <Button onClick={() => void preview.refetch()}>Try again</Button> : undefined
        }
      />
    );
  }
  const link = preview.data!;
  if (stoppedWaiting) {
    return (
      <Notice
        testId="guest-stopped-waiting"
        title="You stopped waiting"
        description={`Nobody in ${link.roomName} will be asked to let you in. You can ask again while the link lasts.`}
        action={
          <Button
            onClick={() => {
              setStatus(null);
              setStoppedWaiting(false);
            }}
          >
            Ask to join again
          </Button>
        }
      />
    );
  }
  return (
    <GuestFlow
      token={token}
      roomName={link.roomName}
      teamName={link.teamName}
      requireKnock={link.requireKnock}
      status={current}
      onStatus={setStatus}
      onStoppedWaiting={() => {
        setStoppedWaiting(true);
        void preview.refetch();
      }}
    />
  );
}

/** What a link that cannot be used shows: an expired or withdrawn link needs a new one, not a retry. */
function linkProblem(message: string, code: string | null | undefined) {
  const askForNew = "Ask the person who sent it to you for a new link.";
  if (/expired/i.test(message))
    return { title: "This guest link has expired", description: askForNew, canRetry: false };
  if (/withdrawn/i.test(message))
    return { title: "This guest link was withdrawn", description: askForNew, canRetry: false };
  if (code === "NOT_FOUND" || code === "BAD_REQUEST")
    return {
      title: "This guest link doesn't work",
      description: `Check that you copied all of it. ${askForNew}`,
      canRetry: false,
    };
  const title = code === "TOO_MANY_REQUESTS" ? "Too many tries" : "We couldn't open this guest link";
  return { title, description: message, canRetry: true };
}

function GuestFlow(props: {
  token: string;
  roomName: string;
  teamName: string;
  requireKnock: boolean;
  status: GuestStatus | null;
  onStatus: (status: GuestStatus) => void;
  onStoppedWaiting: () => void;
}) {
  const { status, onStatus } = props;
  const [name, setName] = useState("");
  const [cameraOn, setCameraOn] = useState(true);
  const [micOn, setMicOn] = useState(true);
  const [inCall, setInCall] = useState<{ details: ConnectionDetails; choices: JoinChoices } | null>(null);
  const [left, setLeft] = useState(false);
  const nameId = useId();
  const utils = api.useUtils();

  const join = api.guest.join.useMutation({
    onSuccess: onStatus,
    onError: (error) =>
      toast.error("You could not ask to join", { description: describeError(error).message }),
  });
  const stopWaiting = api.guest.leave.useMutation({
    onSuccess: props.onStoppedWaiting,
    onError: (error) => toast.error("You are still waiting", { description: describeError(error).message }),
  });
  const askAgain = api.guest.askAgain.useMutation({
    onSuccess: onStatus,
    onError: (error) => toast.error("You could not ask again", { description: describeError(error).message }),
  });

  // Where the guest stands, pushed by the server the moment a moderator answers.
  api.guest.statusChanges.useSubscription(undefined, {
    enabled: status !== null && !inCall,
    onData: onStatus,
  });
  // A knock nobody answers lapses after 10 minutes: look again at that moment.
  const answerBy = status?.answerBy?.getTime();
  useEffect(() => {
    if (!answerBy) return;
    const timer = setTimeout(
      () => void utils.guest.status.fetch().then(onStatus, () => undefined),
      Math.max(0, answerBy - Date.now()) + 1000,
    );
    return () => clearTimeout(timer);
  }, [answerBy, utils, onStatus]);

  const setup = useDeviceSetup({ cameraOn: cameraOn && !inCall, micOn: micOn && !inCall });
  const choices = useMemo<JoinChoices>(
    () => ({
      videoEnabled: cameraOn && setup.video.status !== "error",
      audioEnabled: micOn && setup.audio.status !== "error",
      videoDeviceId: setup.selected.videoinput,
      audioDeviceId: setup.selected.audioinput,
      audioOutputId: setup.supportsOutput ? setup.selected.audiooutput : undefined,
      participantName: status?.name ?? cleanDisplayName(name),
      // Guests join without camera effects (the effects' choices are kept per account device).
      background: "none",
      noiseSuppression: false,
    }),
    [cameraOn, micOn, setup, status?.name, name],
  );

  // Admitted: fetch a token and go in, without a reload.
  const admitted = status?.status === "admitted";
  const [entryError, setEntryError] = useState<string | null>(null);
  const enter = useCallback(() => {
    setEntryError(null);
    utils.guest.connectionDetails.fetch(undefined, { staleTime: 0 }).then(
      (details) => {
        setLeft(false);
        startCall(details, choices);
        setInCall({ details, choices });
      },
      (error: Error) => setEntryError(describeError(error).message),
    );
  }, [utils, choices]);
  useEffect(() => {
    if (admitted && !inCall && !left && !entryError) enter();
    // Enter once on admission; `enter` changes with every device choice.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [admitted]);

  // Removed, or the meeting ended or its room went: over for this guest, with nothing to retry.
  const [ending, setEnding] = useState<RoomFailure | null>(null);
  const onFailure = useCallback((failure: RoomFailure) => {
    setInCall(null);
    setLeft(true);
    if (GUEST_ENDINGS.has(failure.kind)) setEnding(failure);
    else setEntryError(failure.detail ?? "The call ended.");
  }, []);

  if (inCall) {
    return (
      <CallView
        lazy={LazyConferenceRoom}
        details={inCall.details}
        choices={inCall.choices}
        roomTitle={props.roomName}
        teamName={props.teamName}
        guest
        onLeave={() => {
          setInCall(null);
          setLeft(true);
        }}
        onFailure={onFailure}
      />
    );
  }

  if (ending) {
    const text = guestEndingText(ending, props.roomName);
    return (
      <Notice testId="guest-call-over" kind={ending.kind} title={text.title} description={text.description} />
    );
  }

  if (status?.status === "denied") {
    return (
      <Notice
        testId="guest-denied"
        title="You were not let in"
        description={`Someone in ${props.roomName} turned your request down. If you think that was a mistake, contact the person who sent you the link.`}
      />
    );
  }
  if (status?.status === "revoked") {
    return (
      <Notice
        testId="guest-link-problem"
        title="This guest link was withdrawn"
        description="The link you used no longer works. Ask the person who sent it for a new one."
      />
    );
  }
  if (admitted && (left || entryError)) {
    return (
      <Notice
        title={left && !entryError ? "You left the call" : "You are not in the call"}
        description={entryError ?? `You can go back into ${props.roomName} while your guest pass lasts.`}
        action={<Button onClick={enter}>{left ? "Rejoin" : "Try again"}</Button>}
      />
    );
  }

  const nameError = status ? null : displayNameError(name);
  let side: React.ReactNode = null;
  if (status?.status === "waiting" || admitted) {
    side = (
      <Card className="min-w-0 gap-4 p-5 sm:p-6" data-testid="guest-waiting" aria-live="polite">
        <div className="grid gap-1">
          <h1 className="text-xl font-semibold sm:text-2xl">
            {admitted ? "You're in — joining…" : "Waiting to be let in"}
          </h1>
          <p className="text-sm text-muted-foreground">
            {admitted
              ? "Connecting you to the call."
              : `We asked the people in ${props.roomName} to let you in as ${status!.name}. Stay on this page: you will join as soon as someone admits you.`}
          </p>
        </div>
        <Progress value={admitted ? 95 : 60} aria-label="Waiting" className="animate-pulse" />
        {admitted ? null : (
          <Button
            variant="outline"
            disabled={stopWaiting.isPending}
            onClick={() => stopWaiting.mutate()}
            data-testid="guest-stop-waiting"
          >
            Stop waiting
          </Button>
        )}
      </Card>
    );
  } else if (status?.status === "timedOut") {
    side = (
      <Card className="min-w-0 gap-4 p-5 sm:p-6" data-testid="guest-timed-out">
        <div className="grid gap-1">
          <h1 className="text-xl font-semibold sm:text-2xl">
            {status.locked ? "The room was locked" : "Nobody let you in"}
          </h1>
          <p className="text-sm text-muted-foreground">
            {status.locked
              ? `${props.roomName} was locked after you were let in: ask again, and someone in the call can let you back in.`
              : `Nobody in ${props.roomName} answered within 10 minutes. They may be busy; you can ask again.`}
          </p>
        </div>
        <div className="grid gap-2 sm:grid-cols-2">
          <Button size="lg" disabled={askAgain.isPending} onClick={() => askAgain.mutate()}>
            Ask again
          </Button>
          <Button
            size="lg"
            variant="outline"
            disabled={stopWaiting.isPending}
            onClick={() => stopWaiting.mutate()}
          >
            Leave
          </Button>
        </div>
      </Card>
    );
  }

  const canAsk = nameError === null && !join.isPending;
  return (
    <div className="mx-auto grid w-full max-w-5xl gap-5 px-4 py-5 sm:px-6 sm:py-8 lg:grid-cols-[minmax(0,1.45fr)_minmax(0,1fr)] lg:items-start lg:gap-8 lg:py-12">
      <section aria-label="Camera and microphone check" className="grid min-w-0 gap-3">
        <CameraPreview state={setup.video} name={status?.name ?? name}>
          <MediaToggle
            kind="audioinput"
            on={micOn}
            onChange={setMicOn}
            unavailable={setup.audio.status === "error"}
          />
          <MediaToggle
            kind="videoinput"
            on={cameraOn}
            onChange={setCameraOn}
            unavailable={setup.video.status === "error"}
          />
        </CameraPreview>
        <p className="text-center text-xs text-muted-foreground">
          Only you see this preview. Check your light and your sound before you join.
        </p>
        <GuestRecordingNotice token={props.token} />
      </section>
      {side ?? (
        <Card className="min-w-0 gap-5 p-5 sm:p-6">
          <div className="grid gap-1">
            <h1 className="text-xl font-semibold sm:text-2xl">Ready to join?</h1>
            <p className="text-sm text-muted-foreground">
              <bdi className="font-medium text-foreground">{props.roomName}</bdi> ·{" "}
              <bdi>{props.teamName}</bdi>
            </p>
            <p className="text-sm text-muted-foreground">
              You are joining as a guest: no account needed.{" "}
              {props.requireKnock ? "Someone in the room will let you in." : null}
            </p>
          </div>
          <form
            method="post"
            className="grid gap-5"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              if (canAsk) join.mutate({ token: props.token, name: cleanDisplayName(name) });
            }}
          >
            <div className="grid gap-1.5">
              <Label htmlFor={nameId}>Your name</Label>
              <Input
                id={nameId}
                dir="auto"
                autoComplete="name"
                maxLength={256}
                value={name}
                onChange={(event) => setName(event.target.value)}
                aria-invalid={name !== "" && nameError ? true : undefined}
              />
              <p className="text-xs text-muted-foreground">
                {name !== "" && nameError ? nameError : "Shown to everyone in the room, marked as a guest."}
              </p>
            </div>
            <DevicePickers setup={setup} micOn={micOn} />
            <Button type="submit" size="lg" className="w-full" disabled={!canAsk} data-testid="guest-join">
              {props.requireKnock ? "Ask to join" : "Join now"}
              <ArrowRightIcon aria-hidden="true" />
            </Button>
          </form>
        </Card>
      )}
    </div>
  );
}

const GUEST_ENDINGS = new Set<RoomFailure["kind"]>(["kicked", "ended", "deleted"]);

/** How a guest's call ended, in words for a guest: their pass goes no further, so nothing to retry. */
function guestEndingText(failure: RoomFailure, roomName: string) {
  const by = failure.by;
  switch (failure.kind) {
    case "kicked":
      return {
        title: "You were removed from the call",
        description: `${by ?? "A moderator"} removed you from ${roomName}. You can close this page.`,
      };
    case "deleted":
      return {
        title: "This room was deleted",
        description: `${by ? `${by} deleted ${roomName}` : `${roomName} was deleted`}, which ended the meeting. You can close this page.`,
      };
    default:
      return {
        title: "The meeting has ended",
        description: `${by ? `${by} ended the meeting` : "The meeting was ended"} for everyone. Thanks for joining; you can close this page.`,
      };
  }
}

function Notice({
  title,
  description,
  action,
  busy,
  testId,
  kind,
}: {
  title: string;
  description?: string;
  action?: React.ReactNode;
  busy?: boolean;
  testId?: string;
  /** What ended the call, for tests (`data-kind`). */
  kind?: string;
}) {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">
      <Card className="w-full max-w-md gap-4 p-6" data-testid={testId} data-kind={kind} aria-busy={busy}>
        <div className="grid gap-1.5 text-center">
          <h1 className="text-lg font-semibold">{title}</h1>
          {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
        </div>
        {busy ? <Progress value={60} aria-label={title} /> : null}
        {action ? <div className="flex justify-center">{action}</div> : null}
      </Card>
    </div>
  );
}
