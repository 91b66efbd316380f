/**
 * A participant that publishes a synthetic camera (one flat colour, so a recording's pixels can be
 * checked), a microphone playing a 440 Hz tone, and on demand a screen share (another colour):
 * @livekit/rtc-node against the real server, with a token Parlor minted.
 */
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from "@livekit/rtc-node";
import { expect } from "vitest";

import { eventually } from "./eventually";
import type { TestClient } from "./harness";

const SAMPLE_RATE = 48_000;

/** Colours in YUV (BT.601, limited range) and the RGB they come back as. */
export const COLOURS = {
  red: { y: 81, u: 90, v: 240, rgb: [255, 0, 0] },
  green: { y: 145, u: 54, v: 34, rgb: [0, 255, 0] },
  blue: { y: 41, u: 240, v: 110, rgb: [0, 0, 255] },
} as const;
type Colour = (typeof COLOURS)[keyof typeof COLOURS];

function flatFrame(width: number, height: number, colour: Colour): VideoFrame {
  const ySize = width * height;
  const data = new Uint8Array(ySize * 1.5);
  data.fill(colour.y, 0, ySize);
  data.fill(colour.u, ySize, ySize * 1.25);
  data.fill(colour.v, ySize * 1.25);
  return new VideoFrame(data, width, height, VideoBufferType.I420);
}

/** Sends `frame` 15 times a second into a new track; returns the function that stops it. */
function feed(source: VideoSource, frame: VideoFrame): () => void {
  const timer = setInterval(() => source.captureFrame(frame), 1000 / 15);
  return () => clearInterval(timer);
}

export interface Publisher {
  room: Room;
  shareScreen(): Promise<void>;
  stopSharing(): Promise<void>;
  leave(): Promise<void>;
}

export async function joinAndPublish(serverUrl: string, token: string, camera: Colour): Promise<Publisher> {
  const room = new Room();
  await room.connect(serverUrl, token, { autoSubscribe: false, dynacast: false });
  const local = room.localParticipant!;
  const stops: (() => void)[] = [];

  const cameraSource = new VideoSource(320, 240);
  stops.push(feed(cameraSource, flatFrame(320, 240, camera)));
  const cameraOptions = new TrackPublishOptions();
  cameraOptions.source = TrackSource.SOURCE_CAMERA;
  await local.publishTrack(LocalVideoTrack.createVideoTrack("camera", cameraSource), cameraOptions);

  const audioSource = new AudioSource(SAMPLE_RATE, 1);
  const microphoneOptions = new TrackPublishOptions();
  microphoneOptions.source = TrackSource.SOURCE_MICROPHONE;
  await local.publishTrack(LocalAudioTrack.createAudioTrack("microphone", audioSource), microphoneOptions);
  const samples = new Int16Array(SAMPLE_RATE / 100);
  let phase = 0;
  const tone = setInterval(() => {
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(Math.sin(phase) * 6000);
      phase += (2 * Math.PI * 440) / SAMPLE_RATE;
    }
    audioSource.captureFrame(new AudioFrame(samples, SAMPLE_RATE, 1, samples.length)).catch(() => undefined);
  }, 10);
  stops.push(() => clearInterval(tone));
  room.once(RoomEvent.Disconnected, () => stops.forEach((stop) => stop()));

  let screen: { sid: string; stop: () => void } | undefined;
  return {
    room,
    async shareScreen() {
      const source = new VideoSource(640, 360);
      const stop = feed(source, flatFrame(640, 360, COLOURS.blue));
      const options = new TrackPublishOptions();
      options.source = TrackSource.SOURCE_SCREENSHARE;
      const publication = await local.publishTrack(
        LocalVideoTrack.createVideoTrack("screen", source),
        options,
      );
      screen = { sid: publication.sid!, stop };
    },
    async stopSharing() {
      if (!screen) return;
      screen.stop();
      await local.unpublishTrack(screen.sid);
      screen = undefined;
    },
    async leave() {
      stops.forEach((stop) => stop());
      screen?.stop();
      if (room.isConnected) await room.disconnect();
    },
  };
}

/** Someone who can fetch tokens and see presence (a harness client). */
interface Attendee {
  trpc: TestClient["trpc"];
}

/**
 * A meeting in `room`: each person joins with their own token and publishes their camera colour,
 * and it returns once the team page shows them all there (the webhooks were applied).
 */
export async function publishMeeting(
  room: { teamSlug: string; roomSlug: string },
  people: readonly (readonly [Attendee, Colour])[],
  publishers: Publisher[],
) {
  for (const [person, colour] of people) {
    await person.trpc.room.ensure.mutate(room);
    const details = await person.trpc.room.connectionDetails.query(room);
    publishers.push(await joinAndPublish(details.serverUrl, details.participantToken, colour));
  }
  await eventually(async () => {
    const rooms = await people[0]![0].trpc.room.list.query({ teamSlug: room.teamSlug });
    expect(rooms.find((r) => r.slug === room.roomSlug)?.participants).toHaveLength(people.length);
  });
}
