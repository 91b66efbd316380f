// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { DEVICE_STORAGE_KEY } from "./device-preferences";
import { discardEarlyMedia, EARLY_LIVE_ATTRIBUTE, earlyMediaScript, takeEarlyMedia } from "./early-media";
import { EFFECT_STORAGE_KEY } from "../effects/effect-preferences";
import { baseCaptureConstraints, captureConstraints } from "./local-media";

class FakeTrack {
  readyState = "live";
  constructor(
    readonly kind: "audio" | "video",
    readonly deviceId: string,
  ) {}
  stop() {
    this.readyState = "ended";
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

const fakeStream = (...tracks: FakeTrack[]) =>
  ({
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
  }) as unknown as MediaStream;

const plan = (video: boolean, audio: boolean, fallback: { v?: string; a?: string } = {}) => ({
  video,
  audio,
  fallbackIds: { videoinput: fallback.v ?? null, audioinput: fallback.a ?? null },
});

type EarlyWindow = { __parlorEarlyMedia?: { constraints: MediaStreamConstraints; taken?: boolean } };

let getUserMedia: ReturnType<typeof vi.fn>;
let captured: FakeTrack[];

/** Runs the script as the browser would run it from the page's HTML. */
function runScript(script: string | null) {
  expect(script).not.toBeNull();
  new Function(script!)();
}

/** The preview's markup as the server renders it. */
function renderPreview() {
  document.body.innerHTML = `<div data-early-preview data-testid="camera-preview"><video></video></div>`;
  const video = document.querySelector("video")!;
  video.play = vi.fn(() => Promise.resolve());
  return video;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Enough of the browser's MediaStream for the tracks handed over. */
class FakeMediaStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getTracks = () => this.tracks;
  getVideoTracks = () => this.tracks.filter((t) => t.kind === "video");
  getAudioTracks = () => this.tracks.filter((t) => t.kind === "audio");
}
vi.stubGlobal("MediaStream", FakeMediaStream);

beforeEach(() => {
  localStorage.clear();
  document.body.innerHTML = "";
  delete (window as EarlyWindow).__parlorEarlyMedia;
  captured = [];
  getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) => {
    const tracks = [
      ...(constraints.video ? [new FakeTrack("video", "cam-1")] : []),
      ...(constraints.audio ? [new FakeTrack("audio", "mic-1")] : []),
    ];
    captured.push(...tracks);
    return fakeStream(...tracks);
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
});

afterEach(() => {
  document.body.innerHTML = "";
});

describe("the room page's early camera start", () => {
  it("is not rendered when camera and microphone are both off", () => {
    expect(earlyMediaScript(plan(false, false), baseCaptureConstraints())).toBeNull();
  });

  it("asks for what the page's code would ask for first, in one request", () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(getUserMedia.mock.calls[0]![0]).toEqual({
      video: captureConstraints("videoinput", undefined, false),
      audio: captureConstraints("audioinput", undefined, false),
    });
  });

  it("prefers the devices saved in this browser, then those saved with the account", () => {
    localStorage.setItem(DEVICE_STORAGE_KEY, JSON.stringify({ videoinput: { id: "cam-2", label: "Cam" } }));
    runScript(earlyMediaScript(plan(true, true, { v: "cam-9", a: "mic-9" }), baseCaptureConstraints()));
    expect(getUserMedia.mock.calls[0]![0]).toEqual({
      video: captureConstraints("videoinput", "cam-2", false),
      audio: captureConstraints("audioinput", "mic-9", false),
    });
  });

  it("asks only for the camera when the microphone is off", () => {
    runScript(earlyMediaScript(plan(true, false), baseCaptureConstraints()));
    expect(getUserMedia.mock.calls[0]![0]).toEqual({
      video: captureConstraints("videoinput", undefined, false),
    });
  });

  it("shows the camera in the preview before the page's code runs", async () => {
    const video = renderPreview();
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    await settle();
    expect((video.srcObject as MediaStream).getVideoTracks()[0]).toBe(captured[0]);
    expect(video.play).toHaveBeenCalled();
    expect(video.parentElement!.hasAttribute(EARLY_LIVE_ATTRIBUTE)).toBe(true);
  });

  it("never shows the raw camera when a background effect is saved", async () => {
    localStorage.setItem(EFFECT_STORAGE_KEY, JSON.stringify({ background: "blur" }));
    const video = renderPreview();
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    await settle();
    expect(getUserMedia).toHaveBeenCalledTimes(1); // started, for the effect to use
    expect(video.srcObject).toBeFalsy();
    expect(video.parentElement!.hasAttribute(EARLY_LIVE_ATTRIBUTE)).toBe(false);
  });

  it("cannot be broken out of by a saved device id", () => {
    const script = earlyMediaScript(
      plan(true, true, { v: "</script><script>alert(1)</script>", a: "\u2028" }),
      baseCaptureConstraints(),
    )!;
    expect(script).not.toMatch(/<\/script/i);
    expect(script).not.toContain("\u2028");
    runScript(script);
    expect((getUserMedia.mock.calls[0]![0] as { video: MediaTrackConstraints }).video.deviceId).toEqual({
      ideal: "</script><script>alert(1)</script>",
    });
  });

  it("survives unreadable storage and a browser without getUserMedia", () => {
    localStorage.setItem(DEVICE_STORAGE_KEY, "{not json");
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    Object.defineProperty(navigator, "mediaDevices", { value: undefined, configurable: true });
    delete (window as EarlyWindow).__parlorEarlyMedia;
    expect(() => runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()))).not.toThrow();
    expect((window as EarlyWindow).__parlorEarlyMedia).toBeUndefined();
  });
});

describe("taking the early capture over", () => {
  const both = {
    video: captureConstraints("videoinput", undefined, false),
    audio: captureConstraints("audioinput", undefined, false),
  };

  it("hands the page the script's capture once, without asking the browser again", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const ask = vi.fn();
    const stream = await takeEarlyMedia(both, ask);
    expect(stream!.getTracks()).toEqual(captured);
    expect(ask).not.toHaveBeenCalled();
    expect(takeEarlyMedia(both, ask)).toBeNull(); // taken: later requests go to the browser
  });

  it("asks the browser only for the device the capture is not from, keeping the other", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const [camera, microphone] = captured;
    const otherMicrophone = new FakeTrack("audio", "mic-2");
    const ask = vi.fn(async () => fakeStream(otherMicrophone));
    const wanted = { ...both, audio: captureConstraints("audioinput", "mic-2", true) };
    const stream = (await takeEarlyMedia(wanted, ask))!;
    expect(ask).toHaveBeenCalledWith({ audio: wanted.audio });
    expect(stream.getTracks()).toEqual([camera, otherMicrophone]);
    expect(camera!.readyState).toBe("live"); // the camera on screen is not restarted
    expect(microphone!.readyState).toBe("ended");
  });

  it("stops the kept track when asking for the other one fails", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const missing = Object.assign(new Error("gone"), { name: "OverconstrainedError" });
    const ask = vi.fn(async () => Promise.reject(missing));
    const wanted = { ...both, video: captureConstraints("videoinput", "cam-2", true) };
    await expect(takeEarlyMedia(wanted, ask)).rejects.toBe(missing);
    expect(captured.every((t) => t.readyState === "ended")).toBe(true);
  });

  it("keeps the capture when the exact device asked for is the one captured", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const ask = vi.fn();
    const wanted = { ...both, video: captureConstraints("videoinput", "cam-1", true) };
    expect((await takeEarlyMedia(wanted, ask))!.getTracks()).toEqual(captured);
    expect(ask).not.toHaveBeenCalled();
  });

  it("stops what the page no longer asks for (the microphone was turned off)", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const ask = vi.fn();
    const stream = (await takeEarlyMedia({ video: both.video }, ask))!;
    expect(ask).not.toHaveBeenCalled();
    expect(stream.getTracks()).toEqual([captured[0]]);
    expect(captured.map((t) => t.readyState)).toEqual(["live", "ended"]);
  });

  it("asks the browser again when the script's request failed, so each device reports its own problem", async () => {
    getUserMedia.mockRejectedValueOnce(Object.assign(new Error("denied"), { name: "NotAllowedError" }));
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    const denied = Object.assign(new Error("denied"), { name: "NotAllowedError" });
    const ask = vi.fn(async () => Promise.reject(denied));
    await expect(takeEarlyMedia(both, ask)).rejects.toBe(denied);
    expect(ask).toHaveBeenCalledWith(both);
  });

  it("stops a capture nothing took over when the preview goes away", async () => {
    runScript(earlyMediaScript(plan(true, true), baseCaptureConstraints()));
    discardEarlyMedia();
    await settle();
    expect(captured.every((t) => t.readyState === "ended")).toBe(true);
    expect(takeEarlyMedia(both, vi.fn())).toBeNull();
  });

  it("is nothing to take on a page without the script (reached by navigation in the browser)", () => {
    expect(takeEarlyMedia(both, vi.fn())).toBeNull();
  });
});
