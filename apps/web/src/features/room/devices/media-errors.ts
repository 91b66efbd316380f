/** What went wrong with a camera or microphone, and what a person can do about it. */

export type MediaProblemKind =
  "permission-denied" | "not-found" | "busy" | "unplugged" | "insecure" | "unsupported" | "other";

export type MediaKind = "audioinput" | "videoinput";

export interface MediaProblem {
  kind: MediaProblemKind;
  device: MediaKind;
}

/** Maps a getUserMedia failure to a problem kind (names per the Media Capture spec and older Chrome). */
export function classifyMediaError(error: unknown, device: MediaKind): MediaProblem {
  const name = (error as { name?: unknown } | null)?.name;
  const message = String((error as { message?: unknown } | null)?.message ?? "");
  switch (name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
      return { kind: "permission-denied", device };
    case "SecurityError":
      return { kind: "insecure", device };
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
    case "ConstraintNotSatisfiedError":
      return { kind: "not-found", device };
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return { kind: "busy", device };
    case "TypeError":
      if (/getUserMedia|mediaDevices|undefined/i.test(message)) return { kind: "unsupported", device };
      return { kind: "other", device };
    default:
      return { kind: "other", device };
  }
}

const NOUN: Record<MediaKind, string> = { audioinput: "microphone", videoinput: "camera" };

export interface ProblemText {
  title: string;
  /** What happened and how to fix it. */
  description: string;
  /** Label of the way out that skips this device. */
  skipLabel: string;
}

export function describeMediaProblem(problem: MediaProblem): ProblemText {
  const noun = NOUN[problem.device];
  const Noun = noun.charAt(0).toUpperCase() + noun.slice(1);
  const skipLabel = `Join without ${noun}`;
  switch (problem.kind) {
    case "permission-denied":
      return {
        title: `${Noun} access is blocked`,
        description: `Your browser is not letting Parlor use your ${noun}. Click the camera or lock icon in the address bar, allow the ${noun} for this site, then press Try again.`,
        skipLabel,
      };
    case "not-found":
      return {
        title: `No ${noun} found`,
        description: `We could not find a ${noun}. Plug one in (or check that it is switched on); Parlor picks it up as soon as it appears.`,
        skipLabel,
      };
    case "busy":
      return {
        title: `Your ${noun} is in use`,
        description: `Another app or browser tab is using your ${noun}, or the system blocked it. Close the other app (video calls, camera apps), then press Try again.`,
        skipLabel,
      };
    case "unplugged":
      return {
        title: `${Noun} disconnected`,
        description: `Your ${noun} stopped working, probably because it was unplugged. Plug it back in and press Try again, or choose another ${noun}.`,
        skipLabel,
      };
    case "insecure":
      return {
        title: `${Noun} needs a secure connection`,
        description: `Browsers only share the ${noun} with sites opened over https (or localhost). Ask your administrator to serve Parlor over https.`,
        skipLabel,
      };
    case "unsupported":
      return {
        title: `This browser cannot use a ${noun}`,
        description: `Your browser does not support ${noun} access. Try a current version of Chrome, Edge, Firefox or Safari.`,
        skipLabel,
      };
    default:
      return {
        title: `${Noun} could not start`,
        description: `Something stopped your ${noun} from starting. Press Try again, or choose another ${noun}.`,
        skipLabel,
      };
  }
}
