import type { CallEncryption } from "./e2ee/types";
import type { BackgroundEffect } from "./effects/effect-preferences";

/** What the person chose on the pre-join screen, handed to the call. */
export interface JoinChoices {
  videoEnabled: boolean;
  audioEnabled: boolean;
  videoDeviceId: string | undefined;
  audioDeviceId: string | undefined;
  /** Only where the browser can choose the speaker. */
  audioOutputId: string | undefined;
  participantName: string;
  /** The background effect to put on the camera (processed before it is published). */
  background: BackgroundEffect;
  noiseSuppression: boolean;
  /** In an end-to-end encrypted room: the key (from the passphrase) and LiveKit's E2EE worker. */
  encryption?: CallEncryption;
  /** Takes the pre-join's camera and microphone for the call, at the moment it starts. */
  takeCaptured?: () => CapturedMedia;
  /** What `takeCaptured` gave: published as they are, without asking the devices again. */
  captured?: CapturedMedia;
}

/**
 * The pre-join's captures, each once it is there (a capture still starting when Join was pressed
 * arrives later); null where there is none to take, and the call asks that device itself.
 */
export interface CapturedMedia {
  video: Promise<MediaStreamTrack | null>;
  audio: Promise<MediaStreamTrack | null>;
}

/** The choices for the call that starts now, with the pre-join's live tracks handed over. */
export function withCapturedMedia(choices: JoinChoices): JoinChoices {
  return choices.takeCaptured
    ? { ...choices, captured: choices.takeCaptured(), takeCaptured: undefined }
    : choices;
}
