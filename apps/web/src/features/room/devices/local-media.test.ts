import { describe, expect, it, vi } from "vitest";

import { captureConstraints, createLocalMedia, startTogether, type LocalMediaOptions } from "./local-media";

/** A capture track like the browser's: stoppable, ends (fires "ended") when its device goes away. */
class FakeTrack extends EventTarget {
  readyState: "live" | "ended" = "live";
  stopped = false;
  constructor(
    readonly kind: "audio" | "video",
    readonly deviceId: string,
  ) {
    super();
  }
  stop() {
    this.stopped = true;
    this.readyState = "ended";
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
  /** The device was unplugged. */
  unplug() {
    this.readyState = "ended";
    this.dispatchEvent(new Event("ended"));
  }
}

const stream = (...tracks: FakeTrack[]) =>
  ({
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
  }) as unknown as MediaStream;

const domError = (name: string) => Object.assign(new Error(name), { name });

function deferredGum() {
  const calls: {
    constraints: MediaStreamConstraints;
    resolve: (s: MediaStream) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const getUserMedia = vi.fn(
    (constraints: MediaStreamConstraints) =>
      new Promise<MediaStream>((resolve, reject) => calls.push({ constraints, resolve, reject })),
  );
  return { getUserMedia, calls };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("local media controller", () => {
  it("starts a track when enabled and stops it when disabled", async () => {
    const track = new FakeTrack("video", "cam-a");
    const media = createLocalMedia("videoinput", { getUserMedia: async () => stream(track) });
    media.setEnabled(true);
    expect(media.getState().status).toBe("starting");
    await tick();
    expect(media.getState()).toMatchObject({ status: "live", track, deviceId: "cam-a" });
    media.setEnabled(false);
    expect(track.stopped).toBe(true);
    expect(media.getState()).toMatchObject({ status: "off", track: null });
  });

  it("hands its live track over without stopping it, and then stops nothing on unmount", async () => {
    const track = new FakeTrack("video", "cam-a");
    const media = createLocalMedia("videoinput", { getUserMedia: async () => stream(track) });
    media.setEnabled(true);
    await tick();
    const handed = media.handOver();
    expect(media.getState()).toMatchObject({ status: "off", track: null });
    expect(await handed).toBe(track);
    media.stop();
    track.unplug();
    expect(track.stopped).toBe(false);
    expect(media.getState().status).toBe("off");
    // Nothing live: nothing to hand over.
    expect(await media.handOver()).toBeNull();
  });

  it("hands over a capture still starting when it arrives, without asking the device again", async () => {
    const { getUserMedia, calls } = deferredGum();
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    const handed = media.handOver();
    expect(media.getState().status).toBe("off");
    // The preview goes away (Join) before the capture arrives.
    media.stop();
    const track = new FakeTrack("video", "cam-a");
    calls[0]!.resolve(stream(track));
    expect(await handed).toBe(track);
    expect(track.stopped).toBe(false);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(media.getState().status).toBe("off");
  });

  it("hands over the latest start when the device was switched while it ran", async () => {
    const { getUserMedia, calls } = deferredGum();
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    media.setDevice("cam-b", true);
    const handed = media.handOver();
    const older = new FakeTrack("video", "cam-a");
    const newer = new FakeTrack("video", "cam-b");
    calls[1]!.resolve(stream(newer));
    calls[0]!.resolve(stream(older));
    expect(await handed).toBe(newer);
    await tick();
    expect(older.stopped).toBe(true);
    expect(newer.stopped).toBe(false);
  });

  it("hands over nothing when the capture in flight fails", async () => {
    const { getUserMedia, calls } = deferredGum();
    const media = createLocalMedia("audioinput", { getUserMedia });
    media.setEnabled(true);
    const none = media.handOver();
    calls[0]!.reject(domError("NotAllowedError"));
    expect(await none).toBeNull();
    expect(media.getState().status).toBe("off");
  });

  it("reports a denied permission, and tries again on retry", async () => {
    const getUserMedia = vi
      .fn()
      .mockRejectedValueOnce(domError("NotAllowedError"))
      .mockResolvedValueOnce(stream(new FakeTrack("audio", "mic")));
    const media = createLocalMedia("audioinput", { getUserMedia });
    media.setEnabled(true);
    await tick();
    expect(media.getState()).toMatchObject({
      status: "error",
      problem: { kind: "permission-denied", device: "audioinput" },
    });
    media.retry();
    await tick();
    expect(media.getState().status).toBe("live");
  });

  it("reports a missing device and a busy device", async () => {
    for (const [name, kind] of [
      ["NotFoundError", "not-found"],
      ["NotReadableError", "busy"],
    ] as const) {
      const media = createLocalMedia("videoinput", { getUserMedia: () => Promise.reject(domError(name)) });
      media.setEnabled(true);
      await tick();
      expect(media.getState().problem?.kind).toBe(kind);
    }
  });

  it("notices a device unplugged during the preview (the track ends)", async () => {
    const track = new FakeTrack("video", "cam-a");
    const media = createLocalMedia("videoinput", { getUserMedia: async () => stream(track) });
    media.setEnabled(true);
    await tick();
    track.unplug();
    expect(media.getState()).toMatchObject({ status: "error", track: null, problem: { kind: "unplugged" } });
  });

  it("notices a device that left the device list without ending its track", async () => {
    const track = new FakeTrack("audio", "mic-usb");
    const media = createLocalMedia("audioinput", { getUserMedia: async () => stream(track) });
    media.setEnabled(true);
    await tick();
    media.devicesChanged([{ kind: "audioinput", deviceId: "mic-builtin" }]);
    expect(media.getState().problem?.kind).toBe("unplugged");
    expect(track.stopped).toBe(true);
  });

  it("tries again by itself when a device appears after none was found", async () => {
    const getUserMedia = vi
      .fn()
      .mockRejectedValueOnce(domError("NotFoundError"))
      .mockResolvedValueOnce(stream(new FakeTrack("video", "cam-new")));
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    await tick();
    expect(media.getState().problem?.kind).toBe("not-found");
    media.devicesChanged([{ kind: "videoinput", deviceId: "cam-new" }]);
    await tick();
    expect(media.getState()).toMatchObject({ status: "live", deviceId: "cam-new" });
  });

  it("switches devices: an explicit choice is exact, and the old track stops", async () => {
    const { getUserMedia, calls } = deferredGum();
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    const first = new FakeTrack("video", "cam-a");
    calls[0]!.resolve(stream(first));
    await tick();
    media.devicesChanged([
      { kind: "videoinput", deviceId: "cam-a" },
      { kind: "videoinput", deviceId: "cam-b" },
    ]);
    media.setDevice("cam-b", true);
    expect(first.stopped).toBe(true);
    expect(calls[1]!.constraints.video).toMatchObject({ deviceId: { exact: "cam-b" } });
    calls[1]!.resolve(stream(new FakeTrack("video", "cam-b")));
    await tick();
    expect(media.getState().deviceId).toBe("cam-b");
  });

  it("a mere preference for an absent device never restarts a live track", async () => {
    const getUserMedia = vi.fn(async () => stream(new FakeTrack("video", "cam-a")));
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    await tick();
    media.devicesChanged([{ kind: "videoinput", deviceId: "cam-a" }]);
    media.setDevice("dead-id", false);
    media.setDevice(undefined, false);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(media.getState().status).toBe("live");
  });

  it("a late answer after turning off is stopped, not shown", async () => {
    const { getUserMedia, calls } = deferredGum();
    const media = createLocalMedia("videoinput", { getUserMedia });
    media.setEnabled(true);
    media.setEnabled(false);
    const late = new FakeTrack("video", "cam-a");
    calls[0]!.resolve(stream(late));
    await tick();
    expect(late.stopped).toBe(true);
    expect(media.getState().status).toBe("off");
  });

  it("stop() releases the track (unmount) and can start again", async () => {
    const track = new FakeTrack("audio", "mic");
    const media = createLocalMedia("audioinput", { getUserMedia: async () => stream(track) });
    media.setEnabled(true);
    await tick();
    media.stop();
    expect(track.stopped).toBe(true);
    expect(media.isEnabled()).toBe(false);
  });
});

/** Camera and microphone controllers, both turned on and waiting for `startTogether`'s answer. */
function turnedOnTogether(getUserMedia: NonNullable<LocalMediaOptions["getUserMedia"]>) {
  const v = createLocalMedia("videoinput", { getUserMedia });
  const a = createLocalMedia("audioinput", { getUserMedia });
  v.setEnabled(true, { deferStart: true });
  a.setEnabled(true, { deferStart: true });
  return { v, a };
}

describe("startTogether", () => {
  it("hands the combined capture over to a Join pressed while it runs", async () => {
    const { getUserMedia, calls } = deferredGum();
    const { v, a } = turnedOnTogether(getUserMedia);
    const together = startTogether(v, a, getUserMedia);
    const handed = Promise.all([v.handOver(), a.handOver()]);
    const camera = new FakeTrack("video", "cam");
    const microphone = new FakeTrack("audio", "mic");
    calls[0]!.resolve(stream(camera, microphone));
    await together;
    expect(await handed).toEqual([camera, microphone]);
    expect([camera.stopped, microphone.stopped]).toEqual([false, false]);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
  });

  it("a combined request that fails after Join hands over nothing and asks no device again", async () => {
    const { getUserMedia, calls } = deferredGum();
    const { v, a } = turnedOnTogether(getUserMedia);
    const together = startTogether(v, a, getUserMedia);
    const handed = Promise.all([v.handOver(), a.handOver()]);
    calls[0]!.reject(domError("NotReadableError"));
    await together;
    // The call asks for itself (and reports what it finds); the preview is gone.
    expect(await handed).toEqual([null, null]);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
  });

  it("a device switch while the combined request runs wins over the combined answer", async () => {
    const { getUserMedia, calls } = deferredGum();
    const { v, a } = turnedOnTogether(getUserMedia);
    const together = startTogether(v, a, getUserMedia);
    // The saved microphone turns up (by label) before the combined answer.
    a.setDevice("mic-usb", false);
    const combinedAudio = new FakeTrack("audio", "default");
    calls[0]!.resolve(stream(new FakeTrack("video", "cam"), combinedAudio));
    await together;
    calls[1]!.resolve(stream(new FakeTrack("audio", "mic-usb")));
    await tick();
    expect(combinedAudio.stopped).toBe(true);
    expect(a.getState().deviceId).toBe("mic-usb");
    expect(v.getState().deviceId).toBe("cam");
  });

  it("asks once for camera and microphone and hands each its track", async () => {
    const video = new FakeTrack("video", "cam");
    const audio = new FakeTrack("audio", "mic");
    const getUserMedia = vi.fn(async () => stream(video, audio));
    const v = createLocalMedia("videoinput", { getUserMedia });
    const a = createLocalMedia("audioinput", { getUserMedia });
    v.setDevice("cam", false);
    a.setDevice("mic-usb", true);
    v.setEnabled(true, { deferStart: true });
    a.setEnabled(true, { deferStart: true });
    await startTogether(v, a, getUserMedia);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    // A guessed device is only preferred; a restored one (known to be present) is asked for exactly.
    expect(getUserMedia.mock.calls[0]).toEqual([
      {
        video: captureConstraints("videoinput", "cam", false),
        audio: captureConstraints("audioinput", "mic-usb", true),
      },
    ]);
    expect(v.getState().track).toBe(video);
    expect(a.getState().track).toBe(audio);
  });

  it("when the combined request fails, each device reports its own problem", async () => {
    const getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) => {
      if (constraints.video && constraints.audio) throw domError("NotReadableError");
      if (constraints.video) throw domError("NotReadableError");
      return stream(new FakeTrack("audio", "mic"));
    });
    const { v, a } = turnedOnTogether(getUserMedia);
    await startTogether(v, a, getUserMedia);
    await tick();
    expect(v.getState().problem?.kind).toBe("busy");
    expect(a.getState().status).toBe("live");
  });
});
