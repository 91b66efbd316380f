import { Writable } from "node:stream";

import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadConfig } from "../src/lib/config";
import { AppError } from "../src/lib/errors";
import { createLogger } from "../src/lib/logger";
import { createLiveKitService, httpUrl } from "../src/livekit/service";
import { startLiveKitDouble, type LiveKitDouble } from "./livekit-double";
import { eventually } from "./eventually";
import { endRealCalls, joinWithToken, within } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";

const binary = liveKitServerForSuite("The LiveKit service's tests against the real server");

describe.skipIf(!binary)("the LiveKit service against the real server", () => {
  let server: LiveKitServer;
  let service: ReturnType<typeof createLiveKitService>;
  beforeAll(async () => {
    server = await startLiveKitServer({ binary });
    const config = loadConfig({
      LIVEKIT_URL: server.wsUrl,
      LIVEKIT_API_KEY: server.apiKey,
      LIVEKIT_API_SECRET: server.apiSecret,
    });
    service = createLiveKitService(config.livekit, createLogger("silent"));
  });
  afterAll(() => endRealCalls([], server));

  it("creates, lists and deletes rooms; lists, mutes and removes participants", async () => {
    const options = {
      name: "svc-room",
      emptyTimeoutSeconds: 60,
      departureTimeoutSeconds: 10,
      maxParticipants: 5,
      metadata: '{"parlor":{}}',
    };
    await service.ensureRoom(options);
    await service.ensureRoom(options); // already there: fine
    expect(await service.listRooms(["svc-room"])).toEqual([
      expect.objectContaining({ name: "svc-room", metadata: options.metadata }),
    ]);

    const token = await service.mintToken({
      identity: "u1",
      name: "User One",
      room: "svc-room",
      roomAdmin: false,
      ttlSeconds: 60,
    });
    const participant = await joinWithToken(server.wsUrl, token);
    await eventually(async () => {
      const [listed] = await service.listParticipants("svc-room");
      expect(listed).toMatchObject({ identity: "u1", name: "User One" });
      expect(listed?.tracks.map((t) => [t.kind, t.source, t.muted])).toEqual([
        ["audio", "MICROPHONE", false],
      ]);
    });

    expect(await service.muteParticipant("svc-room", "u1", "audio")).toBe(1);
    await within(participant.microphoneMuted, 15_000, "the participant seeing its microphone muted");
    expect((await service.listParticipants("svc-room"))[0]?.tracks[0]?.muted).toBe(true);

    await service.removeParticipant("svc-room", "u1");
    await within(participant.disconnected, 15_000, "the removed participant's disconnection");
    expect(await service.listParticipants("svc-room")).toEqual([]);
    await service.deleteRoom("svc-room");
    await service.deleteRoom("svc-room"); // already gone: fine
    expect(await service.listRooms(["svc-room"])).toEqual([]);
    expect(await service.listParticipants("svc-room")).toEqual([]);
    expect(await service.ping()).toBe(true);
  });
});

describe("the LiveKit double", () => {
  let double: LiveKitDouble;
  beforeAll(async () => {
    double = await startLiveKitDouble();
  });
  afterAll(() => double.close());

  it("refuses calls signed with the wrong secret or without a token", async () => {
    const forged = new RoomServiceClient(double.url, double.apiKey, "not-the-secret");
    await expect(forged.listRooms()).rejects.toMatchObject({ status: 401 });
    const response = await fetch(`${double.url}/twirp/livekit.RoomService/ListRooms`, {
      method: "POST",
      body: "{}",
    });
    expect(response.status).toBe(401);
  });

  it("refuses a token without the grant the real server requires", async () => {
    const { AccessToken } = await import("livekit-server-sdk");
    const call = async (method: string, grant: Record<string, unknown>, body: unknown) => {
      const token = new AccessToken(double.apiKey, double.apiSecret, { ttl: 60 });
      token.addGrant(grant);
      return fetch(`${double.url}/twirp/livekit.RoomService/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${await token.toJwt()}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    };
    expect((await call("CreateRoom", { roomList: true }, { name: "r1" })).status).toBe(403);
    expect((await call("CreateRoom", { roomCreate: true }, { name: "r1" })).status).toBe(200);
    expect((await call("ListRooms", { roomCreate: true }, {})).status).toBe(403);
    expect((await call("ListParticipants", { roomAdmin: true, room: "other" }, { room: "r1" })).status).toBe(
      403,
    );
    expect((await call("ListParticipants", { roomAdmin: true, room: "r1" }, { room: "r1" })).status).toBe(
      200,
    );
    expect((await call("DeleteRoom", { roomAdmin: true, room: "r1" }, { room: "r1" })).status).toBe(403);
  });
});

/** The service's failure handling, on the double (it can be told to fail or hang). */
describe("the LiveKit service when LiveKit fails", () => {
  let double: LiveKitDouble;
  let service: ReturnType<typeof createLiveKitService>;
  /** The same LiveKit with a short timeout, for calls that hang (the others get a generous one). */
  let impatient: ReturnType<typeof createLiveKitService>;
  beforeAll(async () => {
    double = await startLiveKitDouble();
    const config = loadConfig({ LIVEKIT_URL: double.wsUrl, LIVEKIT_TIMEOUT_MS: "10000" });
    service = createLiveKitService(config.livekit, createLogger("silent"));
    const short = loadConfig({ LIVEKIT_URL: double.wsUrl, LIVEKIT_TIMEOUT_MS: "500" });
    impatient = createLiveKitService(short.livekit, createLogger("silent"));
  });
  afterAll(() => double.close());

  it("turns ws URLs into LiveKit's HTTP API address", () => {
    expect(httpUrl("wss://lk.example.com")).toBe("https://lk.example.com");
    expect(httpUrl("ws://localhost:7880")).toBe("http://localhost:7880");
  });

  it("maps an outage, a hang and refused credentials to SERVICE_UNAVAILABLE with a useful message", async () => {
    double.setMode("fail");
    await expect(service.listRooms()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/not reachable/),
    });
    double.setMode("hang");
    const started = performance.now();
    await expect(impatient.listRooms()).rejects.toBeInstanceOf(AppError);
    // Its timeout answered (the hang lasts until set back); the margin is for a busy machine.
    expect(performance.now() - started).toBeLessThan(500 + 10_000);
    double.setMode("ok");
    expect(await service.ping()).toBe(true);

    const wrong = createLiveKitService(
      loadConfig({ LIVEKIT_URL: double.wsUrl, LIVEKIT_API_SECRET: "wrong" }).livekit,
      createLogger("silent"),
    );
    await expect(wrong.listRooms()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/LIVEKIT_API_KEY/),
    });
  });

  it("answers SERVICE_UNAVAILABLE quickly when nothing listens", async () => {
    const closed = createLiveKitService(
      loadConfig({ LIVEKIT_URL: "ws://127.0.0.1:9" }).livekit,
      createLogger("silent"),
    );
    await expect(
      closed.ensureRoom({
        name: "x",
        emptyTimeoutSeconds: 1,
        departureTimeoutSeconds: 1,
        maxParticipants: 1,
        metadata: "",
      }),
    ).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(await closed.ping()).toBe(false);
  });

  it("logs a failure once, again when its reason changes, and once when LiveKit answers again", async () => {
    const lines: { level: number; msg: string; problem?: string }[] = [];
    const logger = createLogger(
      "info",
      new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
    );
    const watched = createLiveKitService(
      // Long enough for a busy machine's answers, short enough for three hangs.
      loadConfig({ LIVEKIT_URL: double.wsUrl, LIVEKIT_TIMEOUT_MS: "3000" }).livekit,
      logger,
    );
    double.setMode("fail");
    try {
      for (let i = 0; i < 5; i++) expect(await watched.ping()).toBe(false);
      expect(await watched.probe()).toMatchObject({ ok: false, problem: "unreachable" });
      double.setMode("hang");
      for (let i = 0; i < 3; i++)
        expect(await watched.probe()).toMatchObject({ ok: false, problem: "timeout" });
    } finally {
      double.setMode("ok");
    }
    for (let i = 0; i < 3; i++) expect(await watched.ping()).toBe(true);
    expect(lines.map((l) => [l.level, l.problem ?? null])).toEqual([
      [40, "unreachable"],
      [40, "timeout"],
      [30, null],
    ]);
    expect(lines[0]!.msg).toMatch(/LIVEKIT_URL/);
    expect(watched.lastProblem()).toMatchObject({ problem: "timeout" });
  });
});
