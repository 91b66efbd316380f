/**
 * A real participant for API tests: LiveKit's Node SDK (@livekit/rtc-node, WebRTC in a native
 * library) joins the real server with a token Parlor minted and publishes a microphone, so
 * webhooks, presence and moderation are exercised by the server's own behaviour.
 */
import {
  AudioFrame,
  AudioSource,
  DisconnectReason,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  dispose,
} from "@livekit/rtc-node";

/** Resolves with `promise`, or fails after `ms` saying what did not happen (instead of hanging). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface RealParticipant {
  room: Room;
  identity: string;
  /** Why the server disconnected us, once it has. */
  disconnected: Promise<DisconnectReason | undefined>;
  /** Resolves when the server mutes our microphone. */
  microphoneMuted: Promise<void>;
  /** JSON data received so far on a topic (sent by the server or other participants). */
  dataOn(topic: string): unknown[];
  leave(): Promise<void>;
}

const SAMPLE_RATE = 48_000;

/** Connects with `token` and publishes a microphone that plays a quiet tone. */
export async function joinWithToken(serverUrl: string, token: string): Promise<RealParticipant> {
  const room = new Room();
  const disconnected = new Promise<DisconnectReason | undefined>((resolve) =>
    room.once(RoomEvent.Disconnected, (reason) => resolve(reason)),
  );
  const received = new Map<string, unknown[]>();
  room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic = "") => {
    const list = received.get(topic) ?? [];
    list.push(JSON.parse(new TextDecoder().decode(payload)));
    received.set(topic, list);
  });
  await room.connect(serverUrl, token, { autoSubscribe: false, dynacast: false });

  const source = new AudioSource(SAMPLE_RATE, 1);
  const track = LocalAudioTrack.createAudioTrack("microphone", source);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  const publication = await room.localParticipant!.publishTrack(track, options);
  const microphoneMuted = new Promise<void>((resolve) =>
    room.on(RoomEvent.TrackMuted, (muted) => {
      if (muted.sid === publication.sid) resolve();
    }),
  );

  // 10 ms frames of a 440 Hz tone, so the track carries real audio while the test runs.
  const samples = new Int16Array(SAMPLE_RATE / 100);
  let phase = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(Math.sin(phase) * 3000);
      phase += (2 * Math.PI * 440) / SAMPLE_RATE;
    }
    source.captureFrame(new AudioFrame(samples, SAMPLE_RATE, 1, samples.length)).catch(() => undefined);
  }, 10);
  void disconnected.then(() => clearInterval(timer));

  return {
    room,
    identity: room.localParticipant!.identity,
    disconnected,
    microphoneMuted,
    dataOn: (topic) => received.get(topic) ?? [],
    async leave() {
      clearInterval(timer);
      if (room.isConnected) await room.disconnect();
      await source.close().catch(() => undefined);
    },
  };
}

/** Frees the native library's resources; call once after a suite's participants left. */
export const disposeParticipants = dispose;

type Closable = { close(): Promise<unknown> } | { stop(): Promise<unknown> } | undefined;

/**
 * Ends a suite of real calls: its participants leave, the native library is freed, then the app
 * and the servers close in the order given (any may be missing when `beforeAll` failed early).
 */
export async function endRealCalls(
  participants: { leave(): Promise<unknown> }[],
  ...closeInOrder: Closable[]
) {
  for (const participant of participants) await participant.leave().catch(() => undefined);
  await disposeParticipants().catch(() => undefined);
  for (const closable of closeInOrder) {
    if (closable) await ("close" in closable ? closable.close() : closable.stop());
  }
}

export { DisconnectReason };
