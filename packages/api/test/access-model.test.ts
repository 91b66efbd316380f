/**
 * The model test of the access rule (issue 19): seeded random sequences of what members, admins,
 * owners, a site admin and guests do — fetch a token, join LiveKit with an old or a new one,
 * leave, remove from the call or the team, disable and enable, lock and unlock, knock, admit and
 * deny, make and revoke guest links, demote, delete a room, a guest leaving, delete an account,
 * encrypt a room, chat, reconcile — against the real app and the real livekit-server. After each
 * step has settled, everyone LiveKit lists in each room must be allowed there by the model in
 * access-model.ts, and `room.list` and `admin.activeRooms` must show exactly whom LiveKit lists.
 * Each door (a token, a chat message) must answer as the model does.
 *
 * Each sequence runs in a fresh team on one shared app and server. A failure prints the seed and
 * the steps; `MODEL_SEED=<seed>` replays that one sequence (`MODEL_RUNS`, `MODEL_STEPS` change
 * how many and how long).
 */
import { testDriver } from "@parlor/db/testing";
import { Room, RoomEvent, dispose } from "@livekit/rtc-node";
import { TRPCClientError } from "@trpc/client";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, it } from "vitest";

import { reconcilePresence } from "../src/presence/reconcile";
import type { RatePolicies } from "../src/lib/rate-limit";
import {
  canManage,
  joinStatus,
  mayMakeLinks,
  memberVerdict,
  noteLostRights,
  noteWhoIsInCall,
  passVerdict,
  prng,
  REMOVAL_COOLDOWN_MS,
  verdictFor,
  type GuestPersonModel,
  type LinkModel,
  type MemberKey,
  type MemberModel,
  type Model,
  type PassModel,
  type Random,
  type RoomKey,
  type RoomModel,
  type Verdict,
} from "./access-model";
import {
  GOOD_PASSWORD,
  startTestAppOnLiveKit,
  uniqueEmail,
  type RealLiveKitTestApp,
  type TestClient,
} from "./harness";
import { within } from "./livekit-participant";
import { liveKitServerForSuite, startLiveKitServer, type LiveKitServer } from "./livekit-server";
import { startWebhookReceiver } from "./webhook-receiver";

const binary = liveKitServerForSuite("The access model test");

const RUNS = Number(process.env.MODEL_RUNS ?? 25);
const STEPS = Number(process.env.MODEL_STEPS ?? 10);
/** Distinct seeds per database, so that the two projects run different sequences. */
const FIRST_SEED = testDriver() === "postgres" ? 1001 : 1;
const SEEDS = process.env.MODEL_SEED
  ? process.env.MODEL_SEED.split(",").map(Number)
  : Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);

/** How long a step may take to settle (webhooks, evictions) on a busy machine. */
const SETTLE_MS = Number(process.env.MODEL_SETTLE_MS ?? 30_000);

/** The rate limits are not what this test is about: a sequence signs up, joins and knocks a lot. */
const unlimited = { limit: 1_000_000, windowSeconds: 3600 };
const RATE_POLICIES: Partial<RatePolicies> = {
  signUpIp: unlimited,
  teamCreate: unlimited,
  roomCreate: unlimited,
  inviteCreate: unlimited,
  inviteAccept: unlimited,
  chatSend: unlimited,
  guestLinkCreate: unlimited,
  guestJoinIp: unlimited,
  guestJoinLink: unlimited,
  lobbyKnock: unlimited,
};

type Person = TestClient & { user: { id: string }; email: string };

/** A connection to a LiveKit room without media: enough to be listed, to trigger webhooks and to be removed. */
interface Call {
  room: Room;
  identity: string;
  connected(): boolean;
  leave(): Promise<void>;
}

async function connect(url: string, token: string): Promise<Call> {
  const room = new Room();
  let open = true;
  room.once(RoomEvent.Disconnected, () => (open = false));
  await within(
    room.connect(url, token, { autoSubscribe: false, dynacast: false }),
    20_000,
    "joining LiveKit",
  );
  return {
    room,
    identity: room.localParticipant!.identity,
    connected: () => open && room.isConnected,
    async leave() {
      open = false;
      if (room.isConnected) await room.disconnect().catch(() => undefined);
    },
  };
}

const identityOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;

const errorText = (error: unknown) =>
  error instanceof TRPCClientError
    ? `${(error.data as { code?: string } | undefined)?.code ?? "error"}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);

class RuleViolation extends Error {}

interface Shared {
  app: RealLiveKitTestApp;
  livekit: LiveKitServer;
  roomService: RoomServiceClient;
  siteAdmin: Person;
  ipCounter: { n: number };
}

interface HeldToken {
  holder: string;
  room: RoomKey;
  token: string;
  identity: string;
  step: number;
}

interface Observation {
  livekit: Map<RoomKey, Set<string>>;
  presence: Map<RoomKey, Set<string> | null>;
  active: Map<RoomKey, Set<string>>;
}

/** One seeded sequence: a fresh team, its people and rooms, the model, and the steps. */
class Sequence {
  readonly rnd: Random;
  readonly steps: string[] = [];
  readonly notes: string[] = [];
  readonly model: Model;
  readonly people = new Map<MemberKey, Person>();
  readonly guestClients = new Map<string, TestClient>();
  readonly tokens: HeldToken[] = [];
  readonly calls = new Map<string, Call>();
  teamSlug = "";
  last: Observation | undefined;

  constructor(
    readonly shared: Shared,
    readonly seed: number,
  ) {
    this.rnd = prng(seed);
    this.model = {
      membersCreateGuestLinks: false,
      members: new Map(),
      rooms: new Map(),
      links: new Map(),
      guests: new Map(),
      passes: new Map(),
    };
  }

  get owner() {
    return this.people.get("O")!;
  }

  private nextIp() {
    const n = ++this.shared.ipCounter.n;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  label(identity: string): string {
    for (const m of this.model.members.values()) if (m.userId === identity) return m.key;
    for (const p of this.model.passes.values()) if (p.identity === identity) return p.key;
    return identity;
  }

  private roomRef(key: RoomKey) {
    return { teamSlug: this.teamSlug, roomSlug: this.model.rooms.get(key)!.slug };
  }

  async setUp() {
    const { app } = this.shared;
    const tag = `s${this.seed}`;
    const names: Record<MemberKey, string> = {
      O: `Olga Owner ${tag}`,
      O2: `Otto Coowner ${tag}`,
      A: `Ada Admin ${tag}`,
      M1: `Mia Member ${tag}`,
      M2: `Max Member ${tag}`,
    };
    const owner = (await app.signUp(names.O, uniqueEmail("model-o"))) as Person;
    this.people.set("O", owner);
    this.teamSlug = (await owner.trpc.team.create.mutate({ name: `Model ${tag}` })).slug;
    const others = ["O2", "A", "M1", "M2"] as const;
    const accounts = await Promise.all(
      others.map((key) => app.signUp(names[key], uniqueEmail(`model-${key.toLowerCase()}`))),
    );
    others.forEach((key, i) => this.people.set(key, accounts[i] as Person));
    await app.addToTeam(owner, this.teamSlug, [
      [this.people.get("O2")!, "admin"],
      [this.people.get("A")!, "admin"],
      [this.people.get("M1")!, "member"],
      [this.people.get("M2")!, "member"],
    ]);
    await owner.trpc.team.changeRole.mutate({
      teamSlug: this.teamSlug,
      userId: this.people.get("O2")!.user.id,
      role: "owner",
    });
    const roles: Record<MemberKey, MemberModel["role"]> = {
      O: "owner",
      O2: "owner",
      A: "admin",
      M1: "member",
      M2: "member",
    };
    for (const [key, person] of this.people) {
      this.model.members.set(key, {
        key,
        userId: person.user.id,
        name: names[key],
        role: roles[key],
        disabled: false,
        deleted: false,
      });
    }
    this.model.membersCreateGuestLinks = this.rnd.chance(0.5);
    if (this.model.membersCreateGuestLinks) {
      await owner.trpc.team.setGuestLinkPolicy.mutate({
        teamSlug: this.teamSlug,
        membersCreateGuestLinks: true,
      });
    }
    for (const [key, slug] of [
      ["R1", "alpha"],
      ["R2", "beta"],
    ] as const) {
      const { roomName } = await owner.trpc.room.ensure.mutate({ teamSlug: this.teamSlug, roomSlug: slug });
      this.model.rooms.set(key, {
        key,
        slug,
        livekitName: roomName,
        exists: true,
        e2ee: false,
        locked: false,
        lockEpoch: 0,
        stays: new Set(),
        leftSinceLock: new Map(),
        admittedMembers: new Map(),
        knocking: new Set(),
        bans: new Map(),
      });
    }
    this.steps.push(
      `set-up: team ${this.teamSlug} (O, O2 owners; A admin; M1, M2 members; members ${this.model.membersCreateGuestLinks ? "may" : "may not"} make guest links), rooms R1, R2`,
    );
    // Everyone holds a token for each room from the start: what a later change must outdo.
    this.steps.push("every member fetches a token for R1 and R2");
    for (const key of this.people.keys()) {
      for (const room of ["R1", "R2"] as const) await this.memberToken(key, room);
    }
    await this.settle();

    // Often a guest is there from the start too, through a link made by someone who may make them.
    if (this.rnd.chance(0.6)) {
      const makers = [...this.model.members.values()].filter((m) => mayMakeLinks(this.model, m));
      const maker = this.rnd.pick(makers);
      const room = this.rnd.pick(["R1", "R2"] as const);
      const requireKnock = this.rnd.chance(0.3);
      this.steps.push(
        `${maker.key} makes guest link L1 to ${room} (${requireKnock ? "knock" : "direct"}); G1 joins through it${requireKnock ? ", O admits them" : ""} and fetches a token`,
      );
      const link = await this.makeLink("L1", maker.key, room, requireKnock);
      const pass = await this.guestJoins(link, this.newGuestPerson());
      if (pass && requireKnock)
        await this.answer(
          this.model.rooms.get(room)!,
          this.model.guests.get(pass.person)!.name,
          true,
          undefined,
          pass,
        );
      if (pass) await this.guestToken(pass.key);
      await this.settle();
    }
  }

  private async makeLink(key: string, maker: MemberKey, roomKey: RoomKey, requireKnock: boolean) {
    const link = await this.people.get(maker)!.trpc.room.createGuestLink.mutate({
      ...this.roomRef(roomKey),
      requireKnock,
      expiresInHours: 720,
    });
    const made: LinkModel = {
      key,
      id: link.id,
      token: link.token,
      room: roomKey,
      maker,
      requireKnock,
      revoked: false,
      makerLostRight: false,
    };
    this.model.links.set(key, made);
    return made;
  }

  // ── Doors ────────────────────────────────────────────────────────────────────────────────

  /** A door answered; checks the answer against the model's verdict. */
  private async door<T>(what: string, verdict: Verdict, call: () => Promise<T>): Promise<T | undefined> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      if (verdict.allowed === true && !verdict.onlyByStaying) {
        throw new RuleViolation(
          `${what}: refused although the rule allows it (${verdict.why}): ${errorText(error)}`,
        );
      }
      this.notes.push(`${what}: refused (${errorText(error)})`);
      return undefined;
    }
    if (verdict.allowed === false) {
      throw new RuleViolation(`${what}: granted although the rule forbids it (${verdict.why})`);
    }
    return result;
  }

  private async memberToken(key: MemberKey, roomKey: RoomKey): Promise<HeldToken | undefined> {
    const member = this.model.members.get(key)!;
    const verdict = memberVerdict(this.model, member, roomKey, Date.now());
    const details = await this.door(`${key} asks for a token to ${roomKey}`, verdict, () =>
      this.people.get(key)!.trpc.room.connectionDetails.query(this.roomRef(roomKey)),
    );
    if (!details) return undefined;
    const held = {
      holder: key,
      room: roomKey,
      token: details.participantToken,
      identity: member.userId,
      step: this.steps.length - 1,
    };
    this.tokens.push(held);
    return held;
  }

  private async guestToken(passKey: string): Promise<HeldToken | undefined> {
    const pass = this.model.passes.get(passKey)!;
    const verdict = passVerdict(this.model, pass, pass.room, Date.now());
    const details = await this.door(`${passKey} asks for a guest token to ${pass.room}`, verdict, () =>
      this.guestClients.get(passKey)!.trpc.guest.connectionDetails.query(),
    );
    if (!details) return undefined;
    pass.identity = identityOf(details.participantToken);
    const held = {
      holder: passKey,
      room: pass.room,
      token: details.participantToken,
      identity: pass.identity,
      step: this.steps.length - 1,
    };
    this.tokens.push(held);
    return held;
  }

  private async join(held: HeldToken) {
    const key = `${held.identity}|${held.room}`;
    try {
      this.calls.set(key, await connect(this.shared.livekit.wsUrl, held.token));
    } catch (error) {
      this.notes.push(`${held.holder} could not join ${held.room}: ${errorText(error)}`);
    }
  }

  private inCall(identity: string, room: RoomKey) {
    return this.calls.get(`${identity}|${room}`)?.connected() ?? false;
  }

  // ── Steps ────────────────────────────────────────────────────────────────────────────────

  /** The steps possible now, weighted; one is chosen with the seed's PRNG. */
  private choices(): [number, () => [string, () => Promise<void>]][] {
    const { model, rnd } = this;
    const now = Date.now();
    const choices: [number, () => [string, () => Promise<void>]][] = [];
    const members = [...model.members.values()];
    const living = members.filter((m) => !m.deleted);
    const active = living.filter((m) => !m.disabled);
    const rooms = [...model.rooms.values()];
    const liveRooms = rooms.filter((r) => r.exists);
    const roomKeys = rooms.map((r) => r.key);
    const passes = [...model.passes.values()];
    const links = [...model.links.values()];
    const moderators = active.filter((m) => canManage(m.role) && (m.key === "O" || m.key === "A"));

    // Tokens and joins (the doors and LiveKit itself).
    choices.push([
      3,
      () => {
        const who = rnd.pick(members);
        const room = rnd.pick(roomKeys);
        return [
          `${who.key} fetches a token for ${room}`,
          async () => void (await this.memberToken(who.key, room)),
        ];
      },
    ]);
    const unusedHolders = [
      ...living.flatMap((m) =>
        roomKeys.filter((r) => !this.inCall(m.userId, r)).map((r) => ({ member: m, room: r })),
      ),
    ];
    if (unusedHolders.length) {
      choices.push([
        4,
        () => {
          const { member, room } = rnd.pick(unusedHolders);
          return [
            `${member.key} joins ${room} with a new token`,
            async () => {
              const held = await this.memberToken(member.key, room);
              if (held) await this.join(held);
            },
          ];
        },
      ]);
    }
    const guestsOut = passes.filter(
      (p) => p.status !== "left" && !(p.identity && this.inCall(p.identity, p.room)),
    );
    if (guestsOut.length) {
      choices.push([
        3,
        () => {
          const pass = rnd.pick(guestsOut);
          return [
            `${pass.key} joins ${pass.room} with a new guest token`,
            async () => {
              const held = await this.guestToken(pass.key);
              if (held) await this.join(held);
            },
          ];
        },
      ]);
    }
    const oldTokens = this.tokens.filter((t) => !this.inCall(t.identity, t.room));
    if (oldTokens.length) {
      // Mostly the tokens of those the rule now keeps out: what a later change must outdo.
      const forbidden = oldTokens.filter((t) => verdictFor(model, t.identity, t.room, now).allowed === false);
      choices.push([
        6,
        () => {
          const held = forbidden.length && rnd.chance(0.75) ? rnd.pick(forbidden) : rnd.pick(oldTokens);
          return [
            `${held.holder} joins ${held.room} with the token fetched at step ${held.step}`,
            () => this.join(held),
          ];
        },
      ]);
    }
    const open = [...this.calls.entries()].filter(([, call]) => call.connected());
    if (open.length) {
      choices.push([
        1,
        () => {
          const [key, call] = rnd.pick(open);
          const room = key.split("|")[1] as RoomKey;
          return [`${this.label(call.identity)} leaves ${room}`, () => call.leave()];
        },
      ]);
    }

    // Moderation.
    const removable = liveRooms.flatMap((r) =>
      [...(this.last?.livekit.get(r.key) ?? [])]
        .filter((identity) => identity !== this.owner.user.id)
        .map((identity) => ({ room: r, identity })),
    );
    if (removable.length) {
      choices.push([
        2.5,
        () => {
          const { room, identity } = rnd.pick(removable);
          return [
            `O removes ${this.label(identity)} from the call in ${room.key}`,
            async () => {
              await this.owner.trpc.room.removeParticipant.mutate({ ...this.roomRef(room.key), identity });
              this.removedFromCall(room, identity);
            },
          ];
        },
      ]);
    }
    const lockable = liveRooms.filter((r) => !r.locked);
    if (lockable.length && moderators.length) {
      choices.push([
        2.5,
        () => {
          const room = rnd.pick(lockable);
          const by = rnd.pick(moderators);
          return [
            `${by.key} locks ${room.key}`,
            async () => {
              await this.people
                .get(by.key)!
                .trpc.room.setLocked.mutate({ ...this.roomRef(room.key), locked: true });
              room.locked = true;
              room.lockEpoch++;
              room.knocking.clear();
              room.stays = new Set(this.last?.livekit.get(room.key) ?? []);
              room.leftSinceLock.clear();
            },
          ];
        },
      ]);
    }
    const locked = liveRooms.filter((r) => r.locked);
    if (locked.length) {
      choices.push([
        1,
        () => {
          const room = rnd.pick(locked);
          return [
            `O unlocks ${room.key}`,
            async () => {
              await this.owner.trpc.room.setLocked.mutate({ ...this.roomRef(room.key), locked: false });
              room.locked = false;
              room.knocking.clear();
              room.stays.clear();
              room.leftSinceLock.clear();
            },
          ];
        },
      ]);
      const knockers = locked.flatMap((room) =>
        active
          .filter(
            (m) =>
              m.role === "member" &&
              !room.knocking.has(m.userId) &&
              room.admittedMembers.get(m.userId) !== room.lockEpoch &&
              !this.inCall(m.userId, room.key),
          )
          .map((member) => ({ room, member })),
      );
      if (knockers.length) {
        choices.push([
          2.5,
          () => {
            const { room, member } = rnd.pick(knockers);
            return [
              `${member.key} knocks at ${room.key}`,
              async () => {
                const answer = await this.people
                  .get(member.key)!
                  .trpc.lobby.knock.mutate(this.roomRef(room.key));
                if (answer.status === "waiting") room.knocking.add(member.userId);
                else this.notes.push(`${member.key}'s knock at ${room.key}: ${answer.status}`);
              },
            ];
          },
        ]);
      }
    }
    const waiting = [
      ...liveRooms.flatMap((room) =>
        [...room.knocking].map((userId) => ({
          room,
          name: members.find((m) => m.userId === userId)!.name,
          member: userId,
          pass: undefined,
        })),
      ),
      ...passes
        .filter((p) => p.status === "waiting" && model.rooms.get(p.room)!.exists)
        .map((p) => ({
          room: model.rooms.get(p.room)!,
          name: model.guests.get(p.person)!.name,
          member: undefined,
          pass: p,
        })),
    ];
    if (waiting.length) {
      choices.push([
        3,
        () => {
          const request = rnd.pick(waiting);
          const admit = rnd.chance(0.7);
          const who = request.pass?.key ?? this.label(request.member!);
          return [
            `O ${admit ? "admits" : "denies"} ${who} at ${request.room.key}`,
            () => this.answer(request.room, request.name, admit, request.member, request.pass),
          ];
        },
      ]);
    }

    // Team and accounts.
    const others = living.filter((m) => m.key !== "O");
    const inTeam = others.filter((m) => m.role !== null);
    if (inTeam.length) {
      choices.push([
        1.5,
        () => {
          const who = rnd.pick(inTeam);
          return [
            `O removes ${who.key} from the team`,
            async () => {
              await this.owner.trpc.team.removeMember.mutate({ teamSlug: this.teamSlug, userId: who.userId });
              who.role = null;
            },
          ];
        },
      ]);
    }
    const managers = inTeam.filter((m) => canManage(m.role));
    if (managers.length) {
      choices.push([
        1.5,
        () => {
          const who = rnd.pick(managers);
          return [
            `O demotes ${who.key} to member`,
            async () => {
              await this.owner.trpc.team.changeRole.mutate({
                teamSlug: this.teamSlug,
                userId: who.userId,
                role: "member",
              });
              who.role = "member";
            },
          ];
        },
      ]);
    }
    const enabled = others.filter((m) => !m.disabled);
    if (enabled.length) {
      choices.push([
        1.5,
        () => {
          const who = rnd.pick(enabled);
          return [
            `the site admin disables ${who.key}`,
            async () => {
              await this.shared.siteAdmin.trpc.admin.setDisabled.mutate({
                userId: who.userId,
                disabled: true,
              });
              who.disabled = true;
            },
          ];
        },
      ]);
    }
    const disabled = others.filter((m) => m.disabled);
    if (disabled.length) {
      choices.push([
        1.5,
        () => {
          const who = rnd.pick(disabled);
          return [
            `the site admin enables ${who.key} (who signs in again)`,
            async () => {
              await this.shared.siteAdmin.trpc.admin.setDisabled.mutate({
                userId: who.userId,
                disabled: false,
              });
              who.disabled = false;
              const person = this.people.get(who.key)!;
              await person.trpc.auth.signIn.mutate({ email: person.email, password: GOOD_PASSWORD });
            },
          ];
        },
      ]);
    }
    const deletable = others.filter((m) => !m.disabled);
    if (deletable.length) {
      choices.push([
        0.8,
        () => {
          const who = rnd.pick(deletable);
          return [
            `${who.key} deletes their account`,
            async () => {
              await this.people.get(who.key)!.trpc.auth.deleteAccount.mutate({ password: GOOD_PASSWORD });
              who.deleted = true;
            },
          ];
        },
      ]);
    }

    // Guests.
    const makers = active.filter((m) => mayMakeLinks(model, m));
    const linkRooms = liveRooms.filter((r) => !r.e2ee);
    if (makers.length && linkRooms.length) {
      choices.push([
        2.5,
        () => {
          const maker = rnd.pick(makers);
          const room = rnd.pick(linkRooms);
          const requireKnock = rnd.chance(0.5);
          const key = `L${model.links.size + 1}`;
          return [
            `${maker.key} makes guest link ${key} to ${room.key} (${requireKnock ? "knock" : "direct"}), and a new guest joins through it`,
            async () => {
              const link = await this.makeLink(key, maker.key, room.key, requireKnock);
              await this.guestJoins(link, this.newGuestPerson());
            },
          ];
        },
      ]);
    }
    if (links.length) {
      choices.push([
        2,
        () => {
          const link = rnd.pick(links);
          return [
            `a new guest joins through ${link.key}`,
            async () => void (await this.guestJoins(link, this.newGuestPerson())),
          ];
        },
      ]);
      const revocable = links.filter((l) => !l.revoked && model.rooms.get(l.room)!.exists);
      if (revocable.length) {
        choices.push([
          1.5,
          () => {
            const link = rnd.pick(revocable);
            return [
              // Its guests in the call are out by the rule, whatever the request says about them.
              `O revokes ${link.key}`,
              async () => {
                await this.owner.trpc.room.revokeGuestLink.mutate({
                  ...this.roomRef(link.room),
                  linkId: link.id,
                });
                link.revoked = true;
                for (const pass of passes)
                  if (pass.link === link.key && pass.status === "waiting") pass.status = "denied";
              },
            ];
          },
        ]);
      }
    }
    const removedGuests = [...model.guests.values()].flatMap((g) =>
      [...g.removedAt]
        .filter(([, at]) => now - at < REMOVAL_COOLDOWN_MS)
        .map(([link]) => ({ guest: g, link })),
    );
    if (removedGuests.length) {
      choices.push([
        3,
        () => {
          const { guest, link } = rnd.pick(removedGuests);
          return [
            `${guest.key}, removed from the call, comes back through ${link} with a fresh cookie`,
            async () => void (await this.guestJoins(model.links.get(link)!, guest)),
          ];
        },
      ]);
    }
    const leavers = passes.filter((p) => p.status !== "left");
    if (leavers.length) {
      choices.push([
        1,
        () => {
          const pass = rnd.pick(leavers);
          return [
            `${pass.key} leaves as a guest (guest.leave)`,
            async () => {
              await this.guestClients.get(pass.key)!.trpc.guest.leave.mutate();
              pass.status = "left";
            },
          ];
        },
      ]);
    }

    // Rooms.
    if (liveRooms.length) {
      choices.push([
        0.8,
        () => {
          const room = rnd.pick(liveRooms);
          return [
            `O deletes ${room.key}`,
            async () => {
              await this.owner.trpc.room.delete.mutate(this.roomRef(room.key));
              room.exists = false;
            },
          ];
        },
      ]);
      choices.push([
        1,
        () => {
          const room = rnd.pick(liveRooms);
          const encrypted = !room.e2ee;
          return [
            `O turns end-to-end encryption ${encrypted ? "on" : "off"} in ${room.key}`,
            async () => {
              try {
                await this.owner.trpc.room.setEncrypted.mutate({ ...this.roomRef(room.key), encrypted });
                room.e2ee = encrypted;
              } catch (error) {
                // Refused while anyone is in the call: nothing changed.
                this.notes.push(`encryption in ${room.key} not changed: ${errorText(error)}`);
              }
            },
          ];
        },
      ]);
    }
    choices.push([
      1,
      () => ["reconciliation runs", async () => void (await reconcilePresence(this.shared.app.services))],
    ]);
    const writers = members;
    choices.push([
      1.5,
      () => {
        const who = rnd.pick(writers);
        const room = rnd.pick(roomKeys);
        return [
          `${who.key} sends a chat message in ${room}`,
          async () => {
            const verdict = memberVerdict(model, who, room, Date.now());
            const allowed: Verdict = model.rooms.get(room)!.e2ee
              ? { allowed: false, why: "chat is off in an encrypted room" }
              : verdict;
            await this.door(`${who.key} writes in ${room}'s chat`, allowed, () =>
              this.people
                .get(who.key)!
                .trpc.chat.send.mutate({ ...this.roomRef(room), body: `hello from ${who.key}` }),
            );
          },
        ];
      },
    ]);
    return choices;
  }

  private removedFromCall(room: RoomModel, identity: string) {
    const member = [...this.model.members.values()].find((m) => m.userId === identity);
    if (member) room.bans.set(member.userId, Date.now() + REMOVAL_COOLDOWN_MS);
    const pass = [...this.model.passes.values()].find((p) => p.identity === identity);
    if (pass) {
      pass.status = "removed";
      this.model.guests.get(pass.person)!.removedAt.set(pass.link, Date.now());
    }
  }

  private async answer(room: RoomModel, name: string, admit: boolean, member?: string, pass?: PassModel) {
    const ref = this.roomRef(room.key);
    const listed = await this.owner.trpc.lobby.list.query(ref);
    const request = listed.find((r) => r.name === name);
    if (!request) {
      this.notes.push(`${name} was not in ${room.key}'s lobby`);
      return;
    }
    const requestId = request.id;
    await (admit
      ? this.owner.trpc.lobby.admit.mutate({ ...ref, requestId })
      : this.owner.trpc.lobby.deny.mutate({ ...ref, requestId }));
    if (member) {
      room.knocking.delete(member);
      if (admit) room.admittedMembers.set(member, room.lockEpoch);
    }
    if (pass) {
      pass.status = admit ? "admitted" : "denied";
      pass.admittedEpoch = room.locked ? room.lockEpoch : null;
    }
  }

  private newGuestPerson(): GuestPersonModel {
    const key = `G${this.model.guests.size + 1}`;
    const guest = { key, ip: this.nextIp(), name: `Guest ${key} s${this.seed}`, removedAt: new Map() };
    this.model.guests.set(key, guest);
    return guest;
  }

  private async guestJoins(link: LinkModel, guest: GuestPersonModel): Promise<PassModel | undefined> {
    const key = `${guest.key}#${[...this.model.passes.values()].filter((p) => p.person === guest.key).length + 1}`;
    const client = this.shared.app.client(guest.ip);
    const expected = joinStatus(this.model, link, guest, Date.now());
    let status: string;
    try {
      ({ status } = await client.trpc.guest.join.mutate({ token: link.token, name: guest.name }));
    } catch (error) {
      this.notes.push(`${guest.key} could not join through ${link.key}: ${errorText(error)}`);
      return undefined;
    }
    const pass: PassModel = {
      key,
      person: guest.key,
      link: link.key,
      room: link.room,
      // Where the model leaves it open, the app's answer stands.
      status: expected === "either" ? (status === "admitted" ? "admitted" : "waiting") : expected,
      admittedEpoch: null,
    };
    const room = this.model.rooms.get(link.room)!;
    if (expected === "admitted" && room.locked) pass.admittedEpoch = room.lockEpoch;
    this.model.passes.set(key, pass);
    this.guestClients.set(key, client);
    if (status !== pass.status) {
      this.notes.push(`${key} joined through ${link.key}: ${status}, the model says ${pass.status}`);
    }
    return pass;
  }

  // ── Settling and the checks ───────────────────────────────────────────────────────────────

  private async observe(): Promise<Observation> {
    const { roomService, siteAdmin } = this.shared;
    const rooms = [...this.model.rooms.values()];
    const livekit = new Map<RoomKey, Set<string>>();
    await Promise.all(
      rooms.map(async (room) => {
        const listed = await roomService.listParticipants(room.livekitName).catch(() => []);
        livekit.set(room.key, new Set(listed.map((p) => p.identity)));
      }),
    );
    const [list, active] = await Promise.all([
      this.owner.trpc.room.list.query({ teamSlug: this.teamSlug }),
      siteAdmin.trpc.admin.activeRooms.query(),
    ]);
    const presence = new Map<RoomKey, Set<string> | null>();
    const activeByRoom = new Map<RoomKey, Set<string>>();
    for (const room of rooms) {
      const listed = list.find((r) => r.slug === room.slug);
      presence.set(room.key, listed ? new Set(listed.participants.map((p) => p.identity)) : null);
      const meeting = active.find((m) => m.roomName === room.livekitName);
      activeByRoom.set(room.key, new Set(meeting?.participants.map((p) => p.identity) ?? []));
    }
    return { livekit, presence, active: activeByRoom };
  }

  private problems(seen: Observation): { violations: string[]; disagreements: string[] } {
    const violations: string[] = [];
    const disagreements: string[] = [];
    const names = (set: Iterable<string>) =>
      `[${[...set]
        .map((i) => this.label(i))
        .sort()
        .join(", ")}]`;
    const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
    const now = Date.now();
    for (const room of this.model.rooms.values()) {
      const inLiveKit = seen.livekit.get(room.key)!;
      for (const identity of inLiveKit) {
        const verdict = verdictFor(this.model, identity, room.key, now);
        if (verdict.allowed === false) {
          violations.push(
            `${this.label(identity)} is in ${room.key} on LiveKit, but the rule keeps them out: ${verdict.why}`,
          );
        }
      }
      const presence = seen.presence.get(room.key)!;
      if (room.exists && presence === null) disagreements.push(`room.list does not list ${room.key}`);
      if (!room.exists && presence !== null)
        disagreements.push(`room.list still lists ${room.key}, which was deleted`);
      if (presence && !same(presence, inLiveKit)) {
        disagreements.push(`room.list shows ${names(presence)} in ${room.key}, LiveKit ${names(inLiveKit)}`);
      }
      const active = seen.active.get(room.key)!;
      if (!same(active, inLiveKit)) {
        disagreements.push(
          `admin.activeRooms shows ${names(active)} in ${room.key}, LiveKit ${names(inLiveKit)}`,
        );
      }
    }
    return { violations, disagreements };
  }

  /** Waits (bounded, polling) until LiveKit holds only whom the rule allows and the app agrees with it. */
  async settle() {
    noteLostRights(this.model);
    const deadline = Date.now() + SETTLE_MS;
    let seen: Observation;
    for (;;) {
      seen = await this.observe();
      const { violations, disagreements } = this.problems(seen);
      if (!violations.length && !disagreements.length) break;
      if (Date.now() > deadline) {
        const all = [...violations, ...disagreements].map((p) => `  - ${p}`).join("\n");
        throw new RuleViolation(`not settled within ${SETTLE_MS / 1000} s:\n${all}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.last = seen;
    noteWhoIsInCall(this.model, seen.livekit, Date.now());
    await this.noteLocksLifted(seen);
  }

  /**
   * A lock lifts by itself when the meeting ends (LiveKit closed the room): the model follows
   * when the app says so and LiveKit indeed has no such room open; a lock lost in a live meeting fails.
   */
  private async noteLocksLifted(seen: Observation) {
    for (const room of this.model.rooms.values()) {
      if (!room.exists || !room.locked) continue;
      const state = await this.owner.trpc.room.get.query(this.roomRef(room.key));
      if (state.locked) continue;
      const open = await this.shared.roomService.listRooms([room.livekitName]);
      if (open.length && (seen.livekit.get(room.key)?.size ?? 0) > 0) {
        throw new RuleViolation(`${room.key} was unlocked while its meeting goes on`);
      }
      this.notes.push(`${room.key}'s lock lifted as its meeting ended`);
      room.locked = false;
      room.stays.clear();
      room.leftSinceLock.clear();
      room.knocking.clear();
    }
  }

  async run() {
    await this.setUp();
    for (let i = 0; i < STEPS; i++) {
      const [text, act] = this.rnd.weighted(this.choices())();
      this.steps.push(text);
      await act();
      await this.settle();
    }
  }

  async close() {
    await Promise.all([...this.calls.values()].map((call) => call.leave()));
  }

  report(error: unknown) {
    const steps = this.steps.map((s, i) => `  ${String(i).padStart(2)}. ${s}`).join("\n");
    const notes = this.notes.length ? `\nnotes:\n${this.notes.map((n) => `  · ${n}`).join("\n")}` : "";
    const kind =
      error === null ? "passed" : error instanceof RuleViolation ? "rule violation" : "unexpected error";
    const what = error === null ? "" : `\n${errorText(error)}`;
    return `access model, seed ${this.seed} (${testDriver()}): ${kind} after step ${this.steps.length - 1}${what}\nsteps:\n${steps}${notes}\nreplay: MODEL_SEED=${this.seed} npx vitest run test/access-model.test.ts --project ${testDriver()}`;
  }
}

describe.skipIf(!binary)(`the access rule, by model, on ${testDriver()} with the real LiveKit server`, () => {
  let shared: Shared;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    // The app starts after LiveKit (which must know where to send webhooks); until then, 503.
    webhooks = await startWebhookReceiver(() => shared?.app.services);
    const livekit = await startLiveKitServer({ binary, webhookUrls: [webhooks.url] });
    const app = await startTestAppOnLiveKit(livekit, { ratePolicies: RATE_POLICIES });
    // The first account is the site admin.
    const siteAdmin = (await app.signUp("Sita Siteadmin", uniqueEmail("model-site"))) as Person;
    shared = {
      app,
      livekit,
      roomService: new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret),
      siteAdmin,
      ipCounter: { n: 0 },
    };
  });

  afterAll(async () => {
    await dispose().catch(() => undefined);
    await shared?.app.close();
    await shared?.livekit.stop();
    await webhooks?.close();
  });

  it.each(SEEDS)(
    "sequence %i",
    async (seed) => {
      const sequence = new Sequence(shared, seed);
      try {
        await sequence.run();
      } catch (error) {
        throw new Error(sequence.report(error), { cause: error });
      } finally {
        await sequence.close();
      }
    },
    180_000,
  );
});
