/**
 * The access rule's doors that need no media (issue 19, rows 5 and 8): the lock and a removal
 * close chat and the token doors as they close the call, and guests' status streams are capped
 * per link and per address, end with the pass, and cost one query per change however many are open.
 */
import { createTestDatabase, testDriver } from "@parlor/db/testing";
import type { DatabaseHandle } from "@parlor/db";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createContext } from "../src/lib/context";
import { createCaller } from "../src/root";
import { errorOf, startTestApp, type TestApp, type TestClient } from "./harness";

type Person = Awaited<ReturnType<TestApp["signUp"]>>;

describe(`the access rule's doors on ${testDriver()}`, () => {
  let app: TestApp;
  let database: DatabaseHandle;
  let queries: string[] = [];
  let owner: Person, member: Person;
  let teamSlug: string;
  let counter = 0;
  let address = 0;

  beforeAll(async () => {
    database = await createTestDatabase({ onQuery: (query) => queries.push(query) });
    app = await startTestApp({
      database,
      ratePolicies: {
        guestJoinIp: { limit: 10_000, windowSeconds: 3600 },
        guestJoinLink: { limit: 10_000, windowSeconds: 3600 },
        guestLinkCreate: { limit: 10_000, windowSeconds: 3600 },
        roomCreate: { limit: 10_000, windowSeconds: 3600 },
      },
      // A link's cap below the room's size, so that reaching it takes a few guests, not a hundred.
      liveStreamPolicy: { perGuestLink: 6, perAddress: 4 },
    });
    owner = await app.signUp("Olivia Owner");
    member = await app.signUp("Mia Member");
    teamSlug = (await owner.trpc.team.create.mutate({ name: "Doors" })).slug;
    await app.addToTeam(owner, teamSlug, [[member, "member"]]);
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  async function newRoom() {
    const room = { teamSlug, roomSlug: `door-${++counter}` };
    await owner.trpc.room.ensure.mutate(room);
    return room;
  }

  const nextAddress = () => `198.51.${Math.floor(++address / 250)}.${address % 250}`;

  async function guestThrough(token: string, name: string, ip = nextAddress()) {
    const guest = app.client(ip);
    const status = await guest.trpc.guest.join.mutate({ token, name });
    return { guest, status };
  }

  /** A guest's status stream, read in-process with the guest's cookie and client address. */
  async function openStream(guest: TestClient, controller = new AbortController()) {
    const ctx = createContext(app.services, {
      headers: new Headers({ cookie: `parlor_guest=${guest.cookies.get("parlor_guest")}` }),
      peerAddress: guest.ip,
    });
    const updates = await createCaller(ctx, { signal: controller.signal }).guest.statusChanges();
    const iterator = updates[Symbol.asyncIterator]();
    return { iterator, controller, first: await iterator.next() };
  }

  it("row 8: a guest admitted before the lock gets no token while it holds, and knocks again", async () => {
    const room = await newRoom();
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: false });
    const { guest, status } = await guestThrough(link.token, "Lena Early");
    expect(status.status).toBe("admitted");
    await owner.trpc.room.setLocked.mutate({ ...room, locked: true });
    expect(await errorOf(guest.trpc.guest.connectionDetails.query())).toMatchObject({
      code: "FORBIDDEN",
      data: expect.objectContaining({ reason: "room-locked" }),
    });
    expect(await guest.trpc.guest.status.query()).toMatchObject({ status: "timedOut", locked: true });
    expect(await guest.trpc.guest.askAgain.mutate()).toMatchObject({ status: "waiting" });
    const [knock] = (await owner.trpc.lobby.list.query(room)).filter((r) => r.name === "Lena Early");
    await owner.trpc.lobby.admit.mutate({ ...room, requestId: knock!.id });
    await guest.trpc.guest.connectionDetails.query();
  });

  it("row 8: a locked-out member can neither send nor read the call's chat, nor raise a hand", async () => {
    const room = await newRoom();
    await owner.trpc.chat.send.mutate({ ...room, body: "before the lock" });
    await owner.trpc.room.setLocked.mutate({ ...room, locked: true });
    for (const call of [
      () => member.trpc.chat.send.mutate({ ...room, body: "let me in" }),
      () => member.trpc.chat.list.query({ ...room }),
      () => member.trpc.room.setHand.mutate({ ...room, raised: true }),
    ]) {
      expect(await errorOf(call())).toMatchObject({
        code: "FORBIDDEN",
        data: expect.objectContaining({ reason: "room-locked" }),
      });
    }
    expect((await owner.trpc.chat.list.query({ ...room })).map((m) => m.body)).toEqual(["before the lock"]);
  });

  it("row 8: a member removed from the call cannot write in its chat during the ban", async () => {
    const room = await newRoom();
    const details = await member.trpc.room.connectionDetails.query(room);
    app.livekit.join(details.roomName, { identity: member.user.id, name: "Mia" });
    await owner.trpc.room.removeParticipant.mutate({ ...room, identity: member.user.id });
    expect(await errorOf(member.trpc.chat.send.mutate({ ...room, body: "still here?" }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("removed from this room"),
    });
  });

  it("row 5: guest streams are capped per link and per address, not only per pass", async () => {
    const room = await newRoom();
    const controllers: AbortController[] = [];
    const newLink = () => owner.trpc.room.createGuestLink.mutate({ ...room });
    try {
      // One address, many passes through many links: the address's cap holds however it is spread.
      const ip = nextAddress();
      for (let i = 0; i < app.services.liveStreams.policy.perAddress; i++) {
        const { guest } = await guestThrough((await newLink()).token, `Same Place ${i}`, ip);
        const { controller, first } = await openStream(guest);
        controllers.push(controller);
        expect(first.value).toMatchObject({ status: "waiting" });
      }
      const { guest: one_more } = await guestThrough((await newLink()).token, "One More", ip);
      await expect(openStream(one_more)).rejects.toMatchObject({
        code: "TOO_MANY_REQUESTS",
        message: expect.stringContaining("network address"),
      });
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  it("row 5: the per-link cap holds across addresses", async () => {
    const room = await newRoom();
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room });
    const controllers: AbortController[] = [];
    try {
      for (let i = 0; i < app.services.liveStreams.policy.perGuestLink; i++) {
        const { guest } = await guestThrough(link.token, `Crowd ${i}`);
        const { controller } = await openStream(guest);
        controllers.push(controller);
      }
      const { guest: last } = await guestThrough(link.token, "Crowd Last");
      await expect(openStream(last)).rejects.toMatchObject({
        code: "TOO_MANY_REQUESTS",
        message: expect.stringContaining("this link"),
      });
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  it("row 5: a guest's stream ends when the guest leaves, is removed, or the link is withdrawn", async () => {
    const room = await newRoom();
    const link = await owner.trpc.room.createGuestLink.mutate({ ...room, requireKnock: false });
    const leaver = await guestThrough(link.token, "Lee Leaver");
    const removed = await guestThrough(link.token, "Rae Removed");
    const leaverStream = await openStream(leaver.guest);
    const removedStream = await openStream(removed.guest);
    expect(leaverStream.first.value).toMatchObject({ status: "admitted" });

    await leaver.guest.trpc.guest.leave.mutate();
    expect(await leaverStream.iterator.next()).toMatchObject({ done: true });

    const details = await removed.guest.trpc.guest.connectionDetails.query();
    const identity = decodeJwt(details.participantToken).sub!;
    app.livekit.join(details.roomName, { identity, name: "Rae Removed" });
    await owner.trpc.room.removeParticipant.mutate({ ...room, identity });
    expect(await removedStream.iterator.next()).toMatchObject({ value: { status: "denied" } });
    expect(await removedStream.iterator.next()).toMatchObject({ done: true });

    const knocking = await owner.trpc.room.createGuestLink.mutate({ ...room });
    const waiter = await guestThrough(knocking.token, "Wes Waiting");
    const waiterStream = await openStream(waiter.guest);
    await owner.trpc.room.revokeGuestLink.mutate({ ...room, linkId: knocking.id });
    expect(await waiterStream.iterator.next()).toMatchObject({ value: { status: "revoked" } });
    expect(await waiterStream.iterator.next()).toMatchObject({ done: true });
  });

  it("row 5: a presence change costs the same status reads with 40 guest streams open as with 1", async () => {
    /** The status reads (the access rule's facts for guest passes) that one change of the team costs. */
    const readsForOneChange = async (streams: number) => {
      const room = await newRoom();
      const opened = [];
      let link = await owner.trpc.room.createGuestLink.mutate({ ...room });
      for (let i = 0; i < streams; i++) {
        // Within the per-link cap: a new link every few guests, each guest from its own address.
        if (i > 0 && i % app.services.liveStreams.policy.perGuestLink === 0) {
          link = await owner.trpc.room.createGuestLink.mutate({ ...room });
        }
        const { guest } = await guestThrough(link.token, `Counted ${i}`);
        opened.push(await openStream(guest));
      }
      queries = [];
      // Deleting the room ends every pass in it: each stream hears of it and ends.
      await owner.trpc.room.delete.mutate(room);
      for (const stream of opened) expect(await stream.iterator.next()).toMatchObject({ done: true });
      return queries.filter((q) => /from "guest_sessions"/.test(q) && /'maker-lost'/.test(q)).length;
    };
    const one = await readsForOneChange(1);
    const many = await readsForOneChange(40);
    expect(one).toBeGreaterThan(0);
    // One read per change of the team, shared by every stream, however many are open.
    expect(many).toBeLessThanOrEqual(one);
  });
});
