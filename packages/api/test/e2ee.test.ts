/**
 * End-to-end encrypted rooms: only owners and admins turn encryption on or off, never while someone
 * is in the call; the flag reaches every client that joins (room.get, room.list, room.ensure,
 * room.connectionDetails); and the server neither takes nor keeps chat for such a room.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eventually } from "./eventually";
import { errorOf, startTestAppOnLiveKit, type RealLiveKitTestApp } from "./harness";
import { endRealCalls, joinWithToken, type RealParticipant } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The encrypted rooms suite");

type Person = Awaited<ReturnType<RealLiveKitTestApp["signUp"]>>;

describe.skipIf(!binary)(`encrypted rooms on ${testDriver()} with the real LiveKit server`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let owner: Person, admin: Person, member: Person, outsider: Person;
  let teamSlug: string;
  const room = (roomSlug = "secret") => ({ teamSlug, roomSlug });
  const participants: RealParticipant[] = [];

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    app = await startTestAppOnLiveKit(livekit);
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Quiet" })).slug;
    await app.addToTeam(owner, teamSlug, [
      [admin, "admin"],
      [member, "member"],
    ]);
    await outsider.trpc.team.create.mutate({ name: "Elsewhere" });
    await owner.trpc.room.ensure.mutate(room());
    await owner.trpc.room.ensure.mutate(room("open"));
    await owner.trpc.room.ensure.mutate(room("guarded"));
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  it("keeps guests out of encrypted rooms: no new links, and links made before stop working", async () => {
    const earlier = await owner.trpc.room.createGuestLink.mutate({ ...room("guarded") });
    await owner.trpc.room.setEncrypted.mutate({ ...room("guarded"), encrypted: true });

    const refused = await errorOf(owner.trpc.room.createGuestLink.mutate({ ...room("guarded") }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", data: { reason: "room-encrypted" } });
    expect(refused?.message).toMatch(/guest links don't open encrypted rooms/);
    const visitor = app.client("198.51.100.7");
    for (const attempt of [
      () => visitor.trpc.guest.preview.query({ token: earlier.token }),
      () => visitor.trpc.guest.join.mutate({ token: earlier.token, name: "Gus Guest" }),
    ]) {
      expect(await errorOf(attempt())).toMatchObject({
        code: "FORBIDDEN",
        data: { reason: "room-encrypted" },
      });
    }
  });

  it("lets owners and admins mark a room encrypted, and nobody else", async () => {
    expect(await errorOf(member.trpc.room.setEncrypted.mutate({ ...room(), encrypted: true }))).toMatchObject(
      {
        code: "FORBIDDEN",
      },
    );
    expect(
      await errorOf(outsider.trpc.room.setEncrypted.mutate({ ...room(), encrypted: true })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect((await member.trpc.room.get.query(room())).encrypted).toBe(false);

    expect(await admin.trpc.room.setEncrypted.mutate({ ...room(), encrypted: true })).toMatchObject({
      slug: "secret",
      encrypted: true,
    });
    expect(await owner.trpc.room.setEncrypted.mutate({ ...room(), encrypted: false })).toMatchObject({
      encrypted: false,
    });
    await owner.trpc.room.setEncrypted.mutate({ ...room(), encrypted: true });

    expect(
      await errorOf(owner.trpc.room.setEncrypted.mutate({ ...room("nowhere"), encrypted: true })),
    ).toMatchObject({ code: "NOT_FOUND" });
  });

  it("tells every client that joins that the room is encrypted", async () => {
    expect((await member.trpc.room.get.query(room())).encrypted).toBe(true);
    expect(await member.trpc.room.ensure.mutate({ ...room(), create: false })).toMatchObject({
      encrypted: true,
    });
    expect((await member.trpc.room.connectionDetails.query(room())).encrypted).toBe(true);
    expect((await member.trpc.room.connectionDetails.query(room("open"))).encrypted).toBe(false);
    const listed = await member.trpc.room.list.query({ teamSlug });
    expect(Object.fromEntries(listed.map((r) => [r.slug, r.encrypted]))).toEqual({
      secret: true,
      open: false,
      guarded: true,
    });
  });

  it("neither takes nor keeps chat in an encrypted room", async () => {
    const refused = await errorOf(member.trpc.chat.send.mutate({ ...room(), body: "psst" }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", data: { reason: "room-encrypted" } });
    expect(refused?.message).toMatch(/end-to-end encrypted/);
    expect(await errorOf(member.trpc.chat.list.query({ ...room(), limit: 50 }))).toMatchObject({
      code: "FORBIDDEN",
      data: { reason: "room-encrypted" },
    });
    // The room next door keeps its chat as before.
    await member.trpc.chat.send.mutate({ ...room("open"), body: "hello" });

    const [secret] = await app.services.db
      .select({ id: schema.rooms.id })
      .from(schema.rooms)
      .where(eq(schema.rooms.slug, "secret"));
    const stored = await app.services.db
      .select()
      .from(schema.chatMessages)
      .where(eq(schema.chatMessages.roomId, secret!.id));
    expect(stored).toEqual([]);
  });

  it("refuses to change encryption while someone is in the call, and allows it once they leave", async () => {
    const details = await member.trpc.room.connectionDetails.query(room());
    const inCall = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(inCall);
    await eventually(async () =>
      expect(
        (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "secret")?.participants,
      ).toHaveLength(1),
    );

    const refused = await errorOf(owner.trpc.room.setEncrypted.mutate({ ...room(), encrypted: false }));
    expect(refused).toMatchObject({ code: "CONFLICT" });
    expect(refused?.message).toMatch(/in this room now.*when the call is over/);
    expect((await owner.trpc.room.get.query(room())).encrypted).toBe(true);
    // Setting what is already set changes nothing, so it is no conflict.
    expect(await owner.trpc.room.setEncrypted.mutate({ ...room(), encrypted: true })).toMatchObject({
      encrypted: true,
    });

    await inCall.leave();
    await eventually(async () =>
      expect(
        (await owner.trpc.room.list.query({ teamSlug })).find((r) => r.slug === "secret")?.participants,
      ).toHaveLength(0),
    );
    expect(await owner.trpc.room.setEncrypted.mutate({ ...room(), encrypted: false })).toMatchObject({
      encrypted: false,
    });
    // Chat is stored again once the room is no longer encrypted.
    await member.trpc.chat.send.mutate({ ...room(), body: "back to normal" });
    expect((await member.trpc.chat.list.query({ ...room(), limit: 50 })).map((m) => m.body)).toEqual([
      "back to normal",
    ]);
  });

  it("creates a room encrypted from the start when asked (whoever creates it), and unencrypted by default", async () => {
    const made = await member.trpc.room.create.mutate({ teamSlug, name: "Board Talk", e2ee: true });
    expect((await member.trpc.room.get.query(room(made.slug))).encrypted).toBe(true);
    expect((await member.trpc.room.connectionDetails.query(room(made.slug))).encrypted).toBe(true);
    const plain = await member.trpc.room.create.mutate({ teamSlug, name: "Lunch" });
    expect((await member.trpc.room.get.query(room(plain.slug))).encrypted).toBe(false);
  });
});
