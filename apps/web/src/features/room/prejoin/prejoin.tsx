"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { ArrowRightIcon } from "lucide-react";
import { useId, type FormEvent } from "react";

import { IntentLink } from "@/components/intent-link";
import { useIsClient } from "@/components/local-date";

import { CameraPreview } from "../devices/camera-preview";
import { DevicePickers } from "../devices/device-pickers";
import { MediaProblemAlert } from "../devices/media-problem";
import type { DeviceSetup } from "../devices/use-device-setup";
import { EffectsPicker } from "../effects/effects-picker";
import { MediaToggle } from "./media-toggle";
import { SetupFailure, STEP_TEXT, useElapsedSeconds, type SetupStatus } from "./setup-status";

export interface PreJoinProps {
  roomTitle: string;
  teamName: string;
  /** The team's page (leave without joining). */
  teamHref: string;
  setup: DeviceSetup;
  name: string;
  nameError: string | null;
  onNameChange: (name: string) => void;
  cameraOn: boolean;
  micOn: boolean;
  onCameraChange: (on: boolean) => void;
  onMicChange: (on: boolean) => void;
  /** Turns a failing device off for this join only (not saved). */
  onSkipDevice: (kind: "videoinput" | "audioinput") => void;
  /** The room's set-up, running beside the preview. */
  status: SetupStatus;
  /** Join was pressed and waits for the room to be ready. */
  joinPending: boolean;
  onCancelJoin: () => void;
  /** Save this join's name and camera/microphone choices as the account's defaults. */
  remember: boolean;
  onRememberChange: (remember: boolean) => void;
  onJoin: () => void;
  /** The pointer or focus reached Join: a good moment to load the call's code. */
  onJoinIntent?: () => void;
  /** Who is in the call already (live), shown under the heading. */
  whoIsHere?: React.ReactNode;
  /** An end-to-end encrypted room's passphrase field and notice, first in the join form. */
  encryption?: React.ReactNode;
  /** Why Join is not possible yet (e.g. no passphrase), said where the join summary goes. */
  joinBlockedReason?: string | null;
  /** Background effect and noise suppression, with the preview's track carrying the effect. */
  effects?: React.ComponentProps<typeof EffectsPicker> & { previewTrack: MediaStreamTrack | null };
}

/** The pre-join screen: see and hear yourself, pick devices and a name, then join. */
export function PreJoin(props: PreJoinProps) {
  const { setup, cameraOn, micOn, status, joinPending } = props;
  const nameId = useId();
  const rememberId = useId();
  const nameErrorId = `${nameId}-error`;
  const blocked = status.phase === "failed" && status.retry.secondsLeft === null;
  // Enabled once React handles the click: before hydration a press would post the form and
  // reload the page, a Join that seems to do nothing.
  const hydrated = useIsClient();
  const canJoin =
    hydrated && props.nameError === null && !props.joinBlockedReason && !blocked && !joinPending;
  const waited = useElapsedSeconds(joinPending);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canJoin) props.onJoin();
  };

  return (
    <div className="mx-auto grid w-full max-w-5xl gap-5 px-4 py-5 sm:px-6 sm:py-8 lg:grid-cols-[minmax(0,1.45fr)_minmax(0,1fr)] lg:items-start lg:gap-x-8 lg:gap-y-3 lg:py-12">
      <section
        aria-label="Camera and microphone check"
        className="grid min-w-0 gap-3 lg:col-start-1 lg:row-start-1"
      >
        <CameraPreview state={setup.video} name={props.name} displayTrack={props.effects?.previewTrack}>
          <MediaToggle
            kind="audioinput"
            on={micOn}
            onChange={props.onMicChange}
            unavailable={setup.audio.status === "error"}
          />
          <MediaToggle
            kind="videoinput"
            on={cameraOn}
            onChange={props.onCameraChange}
            unavailable={setup.video.status === "error"}
          />
        </CameraPreview>
        <p className="text-center text-xs text-muted-foreground">
          Only you see this preview. Check your light and your sound before you join.
        </p>
      </section>
      <Card className="min-w-0 gap-5 p-5 sm:p-6 lg:col-start-2 lg:row-span-2 lg:row-start-1">
        <div className="grid gap-1">
          <h1 className="text-xl font-semibold sm:text-2xl">Ready to join?</h1>
          <p className="truncate text-sm text-muted-foreground">
            <bdi className="font-medium text-foreground">{props.roomTitle}</bdi> ·{" "}
            <IntentLink
              href={props.teamHref}
              className="underline-offset-4 hover:text-foreground hover:underline"
            >
              <bdi>{props.teamName}</bdi>
            </IntentLink>
          </p>
        </div>
        {props.whoIsHere}
        {/* First in the panel, where it is seen; the preview beside it keeps working. */}
        <SetupFailure status={status} />
        <form method="post" className="grid gap-5" onSubmit={submit} noValidate>
          {props.encryption}
          <div className="grid gap-1.5">
            <Label htmlFor={nameId}>Your name</Label>
            <Input
              id={nameId}
              name="displayName"
              dir="auto"
              autoComplete="name"
              maxLength={256}
              value={props.name}
              onChange={(event) => props.onNameChange(event.target.value)}
              aria-invalid={props.nameError ? true : undefined}
              aria-describedby={props.nameError ? nameErrorId : undefined}
            />
            {props.nameError ? (
              <p id={nameErrorId} className="text-xs text-destructive">
                {props.nameError}
              </p>
            ) : (
              <p className="text-xs text-muted-foreground">Shown to everyone in the room.</p>
            )}
          </div>
          <DevicePickers setup={setup} micOn={micOn} />
          {props.effects ? <EffectsPicker {...props.effects} /> : null}
          <div className="flex items-start gap-2.5">
            <input
              id={rememberId}
              type="checkbox"
              checked={props.remember}
              onChange={(event) => props.onRememberChange(event.target.checked)}
              className="mt-0.5 size-4 shrink-0 accent-primary"
            />
            <div className="grid gap-0.5">
              <Label htmlFor={rememberId} className="font-normal">
                Remember my name, camera and microphone choices
              </Label>
              <p className="text-xs text-muted-foreground">
                Otherwise they apply to this join only; your defaults stay as in Settings.
              </p>
            </div>
          </div>
          {/* Below the wide layout the join bar stays at the bottom of the screen while the
              settings above it scroll, so "Join now" is never below the fold (a phone's 812 px). */}
          <div
            className="grid gap-2 max-lg:sticky max-lg:bottom-0 max-lg:z-10 max-lg:-mx-5 max-lg:rounded-b-xl max-lg:border-t max-lg:bg-card/95 max-lg:px-5 max-lg:pt-3 max-lg:pb-[max(0.75rem,env(safe-area-inset-bottom))] max-lg:backdrop-blur sm:max-lg:-mx-6 sm:max-lg:px-6"
            data-testid="join-bar"
          >
            <Button
              type="submit"
              size="lg"
              className="w-full"
              disabled={!canJoin}
              pending={joinPending}
              onPointerEnter={props.onJoinIntent}
              onFocus={props.onJoinIntent}
              onTouchStart={props.onJoinIntent}
              data-testid="join-button"
              data-ready={status.phase === "ready" ? "true" : "false"}
            >
              {joinPending ? "Joining…" : "Join now"}
              {joinPending ? null : <ArrowRightIcon aria-hidden="true" />}
            </Button>
            <div
              className="flex min-h-4 flex-wrap items-center justify-center gap-x-2 text-center text-xs text-muted-foreground"
              role="status"
              aria-live="polite"
              data-testid="join-status"
            >
              {props.nameError ? (
                <span>Enter your name to join.</span>
              ) : props.joinBlockedReason ? (
                <span>{props.joinBlockedReason}</span>
              ) : joinPending ? (
                <>
                  <span>
                    {status.phase === "failed"
                      ? "Joining once the room is set up."
                      : `${STEP_TEXT[status.step ?? "ensure"]}… ${waited} s`}
                  </span>
                  <button
                    type="button"
                    onClick={props.onCancelJoin}
                    className="font-medium text-foreground underline underline-offset-4"
                  >
                    Cancel
                  </button>
                </>
              ) : (
                <span>
                  {joinSummary(
                    cameraOn && setup.video.status !== "error",
                    micOn && setup.audio.status !== "error",
                  )}
                </span>
              )}
            </div>
          </div>
        </form>
      </Card>
      {/* After the join panel on a phone, so Join stays near the top; under the preview on a wide screen. */}
      <div aria-live="polite" className="grid min-w-0 gap-3 empty:hidden lg:col-start-1 lg:row-start-2">
        {cameraOn && setup.video.problem ? (
          <MediaProblemAlert
            problem={setup.video.problem}
            onRetry={() => setup.retry("videoinput")}
            onSkip={() => props.onSkipDevice("videoinput")}
          />
        ) : null}
        {micOn && setup.audio.problem ? (
          <MediaProblemAlert
            problem={setup.audio.problem}
            onRetry={() => setup.retry("audioinput")}
            onSkip={() => props.onSkipDevice("audioinput")}
          />
        ) : null}
      </div>
    </div>
  );
}

function joinSummary(camera: boolean, mic: boolean): string {
  if (camera && mic) return "You'll join with your camera and microphone on.";
  if (camera) return "You'll join with your microphone off.";
  if (mic) return "You'll join with your camera off.";
  return "You'll join with your camera and microphone off.";
}
