"use client";

import { Button } from "@parlor/ui/button";
import { Card } from "@parlor/ui/card";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { ArrowRightIcon } from "lucide-react";
import Link from "next/link";
import { useId, type FormEvent } from "react";

import { CameraPreview } from "../devices/camera-preview";
import { DevicePickers } from "../devices/device-pickers";
import { MediaProblemAlert } from "../devices/media-problem";
import type { DeviceSetup } from "../devices/use-device-setup";
import { MediaToggle } from "./media-toggle";

export interface PreJoinProps {
  roomTitle: string;
  teamName: string;
  /** The team's page (leave without joining); none for guests. */
  teamHref?: string;
  /** The Join button's words ("Ask to join" where a moderator lets people in). */
  joinLabel?: string;
  /** Shown instead of the name form, beside the live preview (a guest waiting in the lobby). */
  replaceForm?: React.ReactNode;
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
  /** Why Join is not available yet; null when it is. */
  waiting: string | null;
  onJoin: () => void;
  /** The pointer or focus reached Join: a good moment to load the call's code. */
  onJoinIntent?: () => void;
}

/** The pre-join screen: see and hear yourself, pick devices and a name, then join. */
export function PreJoin(props: PreJoinProps) {
  const { setup, cameraOn, micOn, waiting } = props;
  const nameId = useId();
  const nameErrorId = `${nameId}-error`;
  const canJoin = waiting === null && props.nameError === null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canJoin) props.onJoin();
  };

  return (
    <div className="mx-auto grid w-full max-w-5xl gap-5 px-4 py-5 sm:px-6 sm:py-8 lg:grid-cols-[minmax(0,1.45fr)_minmax(0,1fr)] lg:items-start lg:gap-8 lg:py-12">
      <section aria-label="Camera and microphone check" className="grid min-w-0 gap-3">
        <CameraPreview state={setup.video} name={props.name}>
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
        <div aria-live="polite" className="grid gap-3 empty:hidden">
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
      </section>

      {props.replaceForm ?? (
        <Card className="min-w-0 gap-5 p-5 sm:p-6">
          <div className="grid gap-1">
            <h1 className="text-xl font-semibold sm:text-2xl">Ready to join?</h1>
            <p className="truncate text-sm text-muted-foreground">
              <span className="font-medium text-foreground">{props.roomTitle}</span> ·{" "}
              {props.teamHref ? (
                <Link
                  href={props.teamHref}
                  className="underline-offset-4 hover:text-foreground hover:underline"
                >
                  {props.teamName}
                </Link>
              ) : (
                props.teamName
              )}
            </p>
          </div>
          <form className="grid gap-5" onSubmit={submit} noValidate>
            <div className="grid gap-1.5">
              <Label htmlFor={nameId}>Your name</Label>
              <Input
                id={nameId}
                name="displayName"
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
            <div className="grid gap-2">
              <Button
                type="submit"
                size="lg"
                className="w-full"
                disabled={!canJoin}
                onPointerEnter={props.onJoinIntent}
                onFocus={props.onJoinIntent}
                onTouchStart={props.onJoinIntent}
                data-testid="join-button"
              >
                {props.joinLabel ?? "Join now"}
                <ArrowRightIcon aria-hidden="true" />
              </Button>
              <p
                className="min-h-4 text-center text-xs text-muted-foreground"
                role="status"
                aria-live="polite"
              >
                {waiting ??
                  joinSummary(
                    cameraOn && setup.video.status !== "error",
                    micOn && setup.audio.status !== "error",
                  )}
              </p>
            </div>
          </form>
        </Card>
      )}
    </div>
  );
}

function joinSummary(camera: boolean, mic: boolean): string {
  if (camera && mic) return "You'll join with your camera and microphone on.";
  if (camera) return "You'll join with your microphone off.";
  if (mic) return "You'll join with your camera off.";
  return "You'll join with your camera and microphone off.";
}
