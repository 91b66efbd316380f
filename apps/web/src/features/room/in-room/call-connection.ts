import { toast } from "@parlor/ui/toaster";
import {
  LocalAudioTrack,
  LocalVideoTrack,
  LoggerNames,
  MediaDeviceFailure,
  Room,
  RoomEvent,
  Track,
  VideoPresets,
  type DataPacket_Kind,
  type DisconnectReason,
  type RemoteParticipant,
  setLogLevel,
  type VideoCaptureOptions,
} from "livekit-client";

import type { JoinChoices } from "../join-choices";
import type { ConnectionDetails } from "../room-store";
import { createCallEffects, type CallEffects } from "../effects/call-effects";
import { CONNECTING, nextCallState, type CallEvent, type CallState } from "./call-state";
import { reportMediaError } from "./media-error-toasts";
import {
  decodeModerationNotice,
  failureFromNotice,
  MODERATION_TOPIC,
  muteNoticeText,
} from "./moderation-notices";

// livekit-client's peer-connection layer warns when a renegotiation it scheduled (debounced by
// 20 ms) runs after the connection closed, "could not createOffer with closed peer connection":
// harmless, and common when everyone leaves at once (a meeting ended), since `PCTransport.close()`
// does not cancel it (2.23). Its errors still show; every other part of livekit-client logs as is.
setLogLevel("error", LoggerNames.PCTransport);

/** One join: its LiveKit `Room`, the effects on its camera and microphone, and where it stands. */
export interface CallConnection {
  readonly room: Room;
  readonly effects: CallEffects;
  getState: () => CallState;
  subscribe: (listener: () => void) => () => void;
  /** Leaves on purpose: disconnects (stopping local tracks) and reports nothing more. */
  leave: () => Promise<void>;
  /** This person is ending the meeting for everyone (true), or that failed (false). */
  setEnding: (ending: boolean) => void;
}

/** Connects to the call with the pre-join's choices and publishes what was chosen. */
export function connectToCall(details: ConnectionDetails, choices: JoinChoices): CallConnection {
  // A fresh key provider and worker per connection (see e2ee/call-encryption.ts).
  const encryption = choices.encryption?.start();
  const room = new Room({
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
  const effects = createCallEffects(room, {
    background: choices.background,
    noiseSuppression: choices.noiseSuppression,
    notify: (message) => toast.warning(message),
  });

  let state: CallState = CONNECTING;
  const listeners = new Set<() => void>();
  const dispatch = (event: CallEvent) => {
    const next = nextCallState(state, event);
    if (next === state) return;
    state = next;
    for (const listener of [...listeners]) listener();
  };

  let endingByYou = false;
  const onDisconnected = (reason?: DisconnectReason) =>
    dispatch({ type: "disconnected", reason, endedByYou: endingByYou });
  const onMediaDevicesError = (error: Error) => {
    const kind = /audio|microphone/i.test(error.message) ? Track.Source.Microphone : Track.Source.Camera;
    if (MediaDeviceFailure.getFailure(error)) reportMediaError(error, kind);
  };
  // What a moderator did to this person, as the server announces it. A notice that ends the call
  // arrives just before the server closes the connection: disconnecting at once, on our side, says
  // who did it and spares livekit-client's complaint about a data channel closing under it.
  const onData = (payload: Uint8Array, from?: RemoteParticipant, _kind?: DataPacket_Kind, topic?: string) => {
    if (topic !== MODERATION_TOPIC) return;
    const notice = decodeModerationNotice(payload, from);
    if (!notice) return;
    if (notice.type === "muted") {
      const text = muteNoticeText(notice);
      toast.info(text.title, { id: `muted-${notice.kind}`, description: text.description });
      return;
    }
    if (state.status !== "connected") return;
    dispatch({ type: "notice", failure: failureFromNotice(notice, endingByYou) });
    void close();
  };
  room
    .on(RoomEvent.Disconnected, onDisconnected)
    .on(RoomEvent.MediaDevicesError, onMediaDevicesError)
    .on(RoomEvent.DataReceived, onData);

  let disconnected: Promise<void> | null = null;
  /** Disconnects (stopping local tracks), once; what it reports is up to the caller. */
  const close = () => {
    if (!disconnected) {
      window.removeEventListener("pagehide", onPageHide);
      effects.dispose();
      // Stops every local track and closes the connection, then the encryption worker.
      disconnected = room
        .disconnect(true)
        .catch(() => undefined)
        .finally(() => {
          room
            .off(RoomEvent.Disconnected, onDisconnected)
            .off(RoomEvent.MediaDevicesError, onMediaDevicesError)
            .off(RoomEvent.DataReceived, onData);
          encryption?.dispose();
        });
    }
    return disconnected;
  };
  const leave = () => {
    dispatch({ type: "leave" });
    return close();
  };
  // Closing the tab (or leaving for another site) ends the call at once.
  const onPageHide = () => void leave();
  window.addEventListener("pagehide", onPageHide);

  // Encrypted rooms: the key is derived and encryption on before anything is sent.
  const encryptionReady = encryption
    ? encryption.ready.then(() => room.setE2EEEnabled(true))
    : Promise.resolve();
  encryptionReady
    .then(() => room.connect(details.serverUrl, details.participantToken))
    .then(
      () => {
        if (state.status !== "connecting") return;
        dispatch({ type: "connected" });
        publishChoices(room, effects, choices, () => state.status === "connected");
      },
      (error: unknown) => dispatch({ type: "connect-failed", error }),
    );

  return {
    room,
    effects,
    getState: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    leave,
    setEnding: (ending) => {
      endingByYou = ending;
    },
  };
}

function publishChoices(room: Room, effects: CallEffects, choices: JoinChoices, stillIn: () => boolean) {
  const me = room.localParticipant;
  const captured = {
    video: liveCapture(choices.captured?.video),
    audio: liveCapture(choices.captured?.audio),
  };
  // A capture that arrives after the person left, or after they turned that device on in the call
  // themselves, is not published on top.
  const superseded = (track: MediaStreamTrack | null, source: Track.Source) =>
    !stillIn() || (track !== null && me.getTrackPublication(source) !== undefined);
  // A captured track the call does not publish (camera turned off meanwhile) is not left running.
  if (!choices.videoEnabled) void captured.video.then((track) => track?.stop());
  if (!choices.audioEnabled) void captured.audio.then((track) => track?.stop());
  if (choices.audioEnabled) {
    void captured.audio
      .then(async (track) => {
        if (superseded(track, Track.Source.Microphone)) return track?.stop();
        await (track
          ? me.publishTrack(new LocalAudioTrack(track, room.options.audioCaptureDefaults, false), {
              source: Track.Source.Microphone,
            })
          : me.setMicrophoneEnabled(true));
      })
      .catch((e: unknown) => reportMediaError(e, Track.Source.Microphone));
  }
  if (!choices.videoEnabled) return;
  // The background processor goes on before the camera is published.
  void Promise.all([effects.cameraCaptureOptions(), captured.video])
    .then(async ([options, track]) => {
      if (superseded(track, Track.Source.Camera)) return track?.stop();
      if (track) return publishCapturedCamera(room, effects, track, options);
      if (!options) return me.setCameraEnabled(true);
      // A processor that cannot start (no WebGL, a broken driver) must not keep the camera off.
      return me.setCameraEnabled(true, options).catch(() => {
        effects.backgroundFailed();
        return me.setCameraEnabled(true);
      });
    })
    .catch((e: unknown) => reportMediaError(e, Track.Source.Camera));
}

/** The pre-join's capture once it is there, if it is still live (a rejoin finds it ended). */
const liveCapture = async (capture: Promise<MediaStreamTrack | null> | undefined) => {
  const track = await capture;
  return track?.readyState === "live" ? track : null;
};

/**
 * The pre-join's camera, published as it is (no second `getUserMedia`: the camera's light stays
 * on and the others see this person sooner). LiveKit owns it from here (`userProvided` false), so
 * turning the camera off and on or switching devices work as for a camera it started itself.
 */
async function publishCapturedCamera(
  room: Room,
  effects: CallEffects,
  mediaTrack: MediaStreamTrack,
  options: VideoCaptureOptions | undefined,
) {
  const track = new LocalVideoTrack(mediaTrack, room.options.videoCaptureDefaults, false);
  if (options?.processor) {
    await track.setProcessor(options.processor).catch(() => effects.backgroundFailed());
  }
  await room.localParticipant.publishTrack(track, { source: Track.Source.Camera });
}

/** How long a connection started by Join waits for its view (a slow network loading the call's code). */
const RESERVE_MS = 15_000;

/**
 * The tab's call, kept across React's unmount-and-mount-again of the same join (Strict Mode does
 * that to every component in development; a second connection with the same identity would make
 * LiveKit drop the first). A released connection is torn down only if nobody takes it back before
 * the next task; joining anything else tears down a released one at once, so there is never more
 * than one live connection per tab.
 */
export function createCallSlot(connect: typeof connectToCall = connectToCall) {
  let held: {
    details: ConnectionDetails;
    choices: JoinChoices;
    connection: CallConnection;
    release: ReturnType<typeof setTimeout> | null;
  } | null = null;

  const teardown = () => {
    if (!held) return;
    if (held.release !== null) clearTimeout(held.release);
    void held.connection.leave();
    held = null;
  };

  const isHeld = (details: ConnectionDetails, choices: JoinChoices) =>
    held !== null && held.details === details && held.choices === choices;

  /** The connection for this join: the one released a moment ago when it is the same join. */
  const acquire = (details: ConnectionDetails, choices: JoinChoices): CallConnection => {
    if (held && isHeld(details, choices)) {
      if (held.release !== null) clearTimeout(held.release);
      held.release = null;
      return held.connection;
    }
    teardown();
    held = { details, choices, connection: connect(details, choices), release: null };
    return held.connection;
  };

  return {
    acquire,
    /**
     * Join was pressed: connects now, before the call's view has mounted (its code and React's
     * reveal of it take a moment), for the view's `acquire` to take over. A connection nobody
     * takes within `graceMs` is torn down; a join already held is left as it is.
     */
    reserve(details: ConnectionDetails, choices: JoinChoices, graceMs = RESERVE_MS): void {
      if (isHeld(details, choices)) return;
      acquire(details, choices);
      held!.release = setTimeout(teardown, graceMs);
    },
    /** The component let go: tear down after this task unless acquired again. */
    release(connection: CallConnection) {
      if (!held || held.connection !== connection) {
        void connection.leave();
        return;
      }
      if (held.release !== null) return;
      held.release = setTimeout(teardown, 0);
    },
  };
}

export type CallSlot = ReturnType<typeof createCallSlot>;

/** The call of this tab. */
export const callSlot = createCallSlot();
