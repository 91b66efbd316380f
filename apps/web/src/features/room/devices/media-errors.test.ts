import { describe, expect, it } from "vitest";

import { classifyMediaError, describeMediaProblem } from "./media-errors";

const error = (name: string, message = "") => Object.assign(new Error(message), { name });

describe("classifyMediaError", () => {
  it.each([
    ["NotAllowedError", "permission-denied"],
    ["PermissionDeniedError", "permission-denied"],
    ["NotFoundError", "not-found"],
    ["OverconstrainedError", "not-found"],
    ["NotReadableError", "busy"],
    ["TrackStartError", "busy"],
    ["SecurityError", "insecure"],
    ["SomethingElse", "other"],
  ])("%s → %s", (name, kind) => {
    expect(classifyMediaError(error(name), "videoinput")).toEqual({ kind, device: "videoinput" });
  });

  it("recognises a browser without getUserMedia", () => {
    expect(
      classifyMediaError(new TypeError("navigator.mediaDevices.getUserMedia is undefined"), "audioinput")
        .kind,
    ).toBe("unsupported");
  });
});

describe("describeMediaProblem", () => {
  it("says what happened, how to fix it, and offers to go on without the device", () => {
    const text = describeMediaProblem({ kind: "busy", device: "videoinput" });
    expect(text.title).toBe("Your camera is in use");
    expect(text.description).toMatch(/close the other app/i);
    expect(text.skipLabel).toBe("Join without camera");
  });

  it("explains a denied permission for the microphone", () => {
    const text = describeMediaProblem({ kind: "permission-denied", device: "audioinput" });
    expect(text.title).toMatch(/microphone access is blocked/i);
    expect(text.description).toMatch(/address bar/);
  });

  it("explains an unplugged device", () => {
    expect(describeMediaProblem({ kind: "unplugged", device: "audioinput" }).description).toMatch(
      /plug it back in/i,
    );
  });
});
