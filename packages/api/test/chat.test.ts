/**
 * Chat that persists: stored through the API, delivered live to everyone in the call by the real
 * LiveKit server, readable after a reload and per meeting, deletable by its author and by
 * moderators, kept for the team's retention period.
 */
import { schema } from "@parlor/db";
import { testDriver } from "@parlor/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pruneChat } from "../src/chat/logic";
import { CHAT_MESSAGE_MAX, CHAT_TOPIC, chatLength } from "../src/chat/schemas";
import { eventually } from "./eventually";
import { errorOf, startTestApp, startTestAppOnLiveKit, type RealLiveKitTestApp } from "./harness";
import { endRealCalls, joinWithToken, type RealParticipant } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The chat suite");

type Person = Awaited<ReturnType<RealLiveKitTestApp["signUp"]>>;

describe.skipIf(!binary)(`chat on ${testDriver()} with the real LiveKit server`, () => {
  let livekit: LiveKitServer;
  let app: RealLiveKitTestApp;
  let siteAdmin: Person, owner: Person, admin: Person, member: Person, outsider: Person;
  let teamSlug: string;
  const room = () => ({ teamSlug, roomSlug: "standup" });
  const participants: RealParticipant[] = [];

  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    webhooks = await startWebhookReceiver(() => app?.services);
    livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    app = await startTestAppOnLiveKit(livekit);
    siteAdmin = await app.signUp("Site Admin");
    owner = await app.signUp("Olivia Owner");
    admin = await app.signUp("Adam Admin");
    member = await app.signUp("Mia Member");
    outsider = await app.signUp("Otto Outsider");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Chatty" })).slug;
    await app.addToTeam(owner, teamSlug, [
      [admin, "admin"],
      [member, "member"],
    ]);
    await outsider.trpc.team.create.mutate({ name: "Elsewhere" });
    await owner.trpc.room.ensure.mutate(room());
  });

  afterAll(() => endRealCalls(participants, app, livekit, webhooks));

  it("delivers a sent message live to everyone in the call, and keeps it for later", async () => {
    const details = await owner.trpc.room.connectionDetails.query({ ...room(), participantName: "Olivia" });
    const inCall = await joinWithToken(details.serverUrl, details.participantToken);
    participants.push(inCall);

    const sent = await member.trpc.chat.send.mutate({
      ...room(),
      body: "  Morning, all! https://example.com  ",
    });
    expect(sent).toMatchObject({
      authorIdentity: member.user.id,
      authorName: "Mia Member",
      body: "Morning, all! https://example.com",
    });

    await eventually(() =>
      expect(inCall.dataOn(CHAT_TOPIC)).toEqual([
        { type: "message", message: expect.objectContaining({ id: sent.id, body: sent.body }) },
      ]),
    );

    // A reload (or someone joining late) reads it back.
    const listed = await admin.trpc.chat.list.query(room());
    expect(listed.map((m) => m.body)).toEqual([sent.body]);
  });

  it("names the author as they appear in the call, and files the message under the meeting", async () => {
    await eventually(async () => {
      const [meeting] = await owner.trpc.room.history.query(room());
      expect(meeting?.endedAt).toBeNull();
    });
    const sent = await owner.trpc.chat.send.mutate({ ...room(), body: "Agenda first." });
    expect(sent.authorName).toBe("Olivia");
    expect(sent.meetingId).not.toBeNull();
    const ofMeeting = await member.trpc.chat.list.query({ ...room(), meetingId: sent.meetingId! });
    expect(ofMeeting.map((m) => m.body)).toContain("Agenda first.");
  });

  it("lets the author and moderators delete, tells the call, and refuses everyone else", async () => {
    const mine = await member.trpc.chat.send.mutate({ ...room(), body: "typo" });
    expect(
      await errorOf(
        admin.trpc.chat.delete.mutate({ ...room(), messageId: "00000000-0000-4000-8000-000000000000" }),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    const theirs = await owner.trpc.chat.send.mutate({ ...room(), body: "from the owner" });
    expect(await errorOf(member.trpc.chat.delete.mutate({ ...room(), messageId: theirs.id }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await errorOf(outsider.trpc.chat.delete.mutate({ ...room(), messageId: mine.id }))).toMatchObject({
      code: "NOT_FOUND",
    });
    await member.trpc.chat.delete.mutate({ ...room(), messageId: mine.id });
    await admin.trpc.chat.delete.mutate({ ...room(), messageId: theirs.id });
    const other = await member.trpc.chat.send.mutate({ ...room(), body: "site admins moderate too" });
    await siteAdmin.trpc.chat.delete.mutate({ ...room(), messageId: other.id });

    const bodies = (await owner.trpc.chat.list.query(room())).map((m) => m.body);
    expect(bodies).not.toContain("typo");
    expect(bodies).not.toContain("from the owner");
    const inCall = participants[0]!;
    await eventually(() =>
      expect(inCall.dataOn(CHAT_TOPIC)).toContainEqual({ type: "deleted", id: theirs.id }),
    );
  });

  it("is for the team: outsiders, signed-out visitors and bad input are refused", async () => {
    expect(await errorOf(outsider.trpc.chat.list.query(room()))).toMatchObject({ code: "NOT_FOUND" });
    expect(await errorOf(outsider.trpc.chat.send.mutate({ ...room(), body: "hi" }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await errorOf(app.client().trpc.chat.list.query(room()))).toMatchObject({ code: "UNAUTHORIZED" });
    // A site admin may read and moderate any room, but writes only where they are a member.
    expect(await siteAdmin.trpc.chat.list.query(room())).toBeInstanceOf(Array);
    expect(await errorOf(siteAdmin.trpc.chat.send.mutate({ ...room(), body: "hi" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    for (const body of ["", "   ", "x".repeat(2001), "nul\u0000"]) {
      expect(await errorOf(member.trpc.chat.send.mutate({ ...room(), body }))).toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    expect(await member.trpc.chat.send.mutate({ ...room(), body: "x".repeat(2000) })).toHaveProperty("id");
  });

  it("counts a message's length in characters, as the call does: an emoji is one", async () => {
    const full = "😀".repeat(CHAT_MESSAGE_MAX);
    expect(await member.trpc.chat.send.mutate({ ...room(), body: full })).toMatchObject({ body: full });
    const tooLong = await errorOf(member.trpc.chat.send.mutate({ ...room(), body: `${full}😀` }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(tooLong.data?.fieldErrors?.body?.[0]).toBe(
      `Messages can be at most ${CHAT_MESSAGE_MAX} characters.`,
    );
    expect(chatLength(`${full}😀`)).toBe(CHAT_MESSAGE_MAX + 1);
  });

  it("keeps chat for the team's retention period, which only owners change", async () => {
    expect(await member.trpc.chat.retention.query({ teamSlug })).toEqual({
      chatRetentionDays: 90,
      canChange: false,
    });
    expect(await errorOf(admin.trpc.chat.setRetention.mutate({ teamSlug, days: 7 }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await errorOf(owner.trpc.chat.setRetention.mutate({ teamSlug, days: 0 }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    await owner.trpc.chat.setRetention.mutate({ teamSlug, days: 7 });

    const old = await member.trpc.chat.send.mutate({ ...room(), body: "last week's news" });
    await app.database.db
      .update(schema.chatMessages)
      .set({ createdAt: new Date(Date.now() - 8 * 86_400_000) })
      .where(eq(schema.chatMessages.id, old.id));
    expect(await pruneChat(app.services)).toBe(1);
    expect((await member.trpc.chat.list.query(room())).map((m) => m.id)).not.toContain(old.id);
  });

  it("rate-limits sending", async () => {
    const spammer = await app.signUp("Sam Spam");
    const invite = await owner.trpc.team.createInvite.mutate({ teamSlug });
    await spammer.trpc.team.acceptInvite.mutate({ token: invite.token });
    const results = await Promise.all(
      Array.from({ length: 35 }, (_, i) =>
        errorOf(spammer.trpc.chat.send.mutate({ ...room(), body: `${i}` })).catch(() => null),
      ),
    );
    expect(results.filter((r) => r?.code === "TOO_MANY_REQUESTS").length).toBeGreaterThanOrEqual(5);
  });
});

describe(`chat when LiveKit is down (${testDriver()})`, () => {
  it("keeps the message: the call sees it on its next load", async () => {
    const app = await startTestApp();
    try {
      const owner = await app.signUp("Olivia Owner");
      const { slug: teamSlug } = await owner.trpc.team.create.mutate({ name: "Offline" });
      await owner.trpc.room.ensure.mutate({ teamSlug, roomSlug: "standup" });
      app.livekit.setMode("fail");
      const sent = await owner.trpc.chat.send.mutate({ teamSlug, roomSlug: "standup", body: "still here" });
      expect((await owner.trpc.chat.list.query({ teamSlug, roomSlug: "standup" })).map((m) => m.id)).toEqual([
        sent.id,
      ]);
    } finally {
      await app.close();
    }
  });
});
