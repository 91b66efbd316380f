/**
 * The access model: a small, independent statement of who may be in a Parlor call (issue 19's
 * rule), kept apart from the code it checks so that it cannot share that code's mistakes. The
 * model test (access-model.test.ts) drives the real app and the real LiveKit server with seeded
 * random steps, keeps this model up to date with what each step did, and checks the server
 * against it. Nothing here does I/O.
 *
 * The rule, as the model states it. A Parlor user may be in a room's call when the room exists,
 * they are a member of its team, their account is enabled (and not deleted), and a moderator has
 * not removed them from the room within the cool-off. While the room is locked, only its
 * moderators (team owners and admins), those admitted since it was locked, and those who were in
 * the call when it was locked (while they stay) may be in it. A guest may be in a room when the
 * room exists and is not end-to-end encrypted, their pass is admitted (not waiting, denied,
 * removed by a moderator or left), their link is not revoked and its maker may still make links,
 * and the lock allows them as above.
 */

export type TeamRole = "owner" | "admin" | "member";
export type MemberKey = "O" | "O2" | "A" | "M1" | "M2";
export type RoomKey = "R1" | "R2";

/** How long a moderator's removal keeps someone out (access/rule.ts REMOVAL_COOLDOWN_SECONDS). */
export const REMOVAL_COOLDOWN_MS = 5 * 60_000;

export interface MemberModel {
  key: MemberKey;
  userId: string;
  name: string;
  role: TeamRole | null;
  disabled: boolean;
  deleted: boolean;
}

export interface RoomModel {
  key: RoomKey;
  slug: string;
  livekitName: string;
  exists: boolean;
  e2ee: boolean;
  locked: boolean;
  /** Counts locks: an admission counts for the lock it was given in. */
  lockEpoch: number;
  /** Identities in the call when it was locked, while they stay in it. */
  stays: Set<string>;
  /** Those of `stays` who have left the call since, and when the test saw them gone. */
  leftSinceLock: Map<string, number>;
  /** Members admitted through the lobby, with the lock epoch they were admitted in. */
  admittedMembers: Map<string, number>;
  /** Members waiting at the door of this lock epoch. */
  knocking: Set<string>;
  /** Moderator removals: user id → until (ms since epoch). */
  bans: Map<string, number>;
}

export interface LinkModel {
  key: string;
  id: string;
  token: string;
  room: RoomKey;
  maker: MemberKey;
  requireKnock: boolean;
  revoked: boolean;
  /** The maker lost the right to make links at some point (their links die with it). */
  makerLostRight: boolean;
}

/** A person using guest links from one address (each join gives them a new pass). */
export interface GuestPersonModel {
  key: string;
  ip: string;
  name: string;
  /** When a moderator removed one of this person's passes from the call, per link. */
  removedAt: Map<string, number>;
}

export type PassStatus = "admitted" | "waiting" | "denied" | "removed" | "left";

export interface PassModel {
  key: string;
  person: string;
  link: string;
  room: RoomKey;
  /** Known once a token was minted for the pass. */
  identity?: string;
  status: PassStatus;
  /** The lock epoch the pass was admitted in; null when admitted while the room was unlocked. */
  admittedEpoch: number | null;
}

export interface Model {
  membersCreateGuestLinks: boolean;
  members: Map<MemberKey, MemberModel>;
  rooms: Map<RoomKey, RoomModel>;
  links: Map<string, LinkModel>;
  guests: Map<string, GuestPersonModel>;
  passes: Map<string, PassModel>;
}

/**
 * The model's answer for one identity in one room. `allowed: undefined` means the rule as the
 * issue states it does not decide (the test then asserts nothing either way), with `why`.
 */
export interface Verdict {
  allowed: boolean | undefined;
  why: string;
  /** Allowed only because they were in the call when it was locked (a door may still refuse a new token). */
  onlyByStaying?: boolean;
}

const yes = (why = "allowed"): Verdict => ({ allowed: true, why });
const no = (why: string): Verdict => ({ allowed: false, why });

export const canManage = (role: TeamRole | null) => role === "owner" || role === "admin";

export function mayMakeLinks(model: Model, member: MemberModel): boolean {
  if (member.deleted || member.disabled || !member.role) return false;
  return canManage(member.role) || model.membersCreateGuestLinks;
}

export function memberByUserId(model: Model, userId: string): MemberModel | undefined {
  for (const member of model.members.values()) if (member.userId === userId) return member;
  return undefined;
}

export function passByIdentity(model: Model, identity: string): PassModel | undefined {
  for (const pass of model.passes.values()) if (pass.identity === identity) return pass;
  return undefined;
}

/**
 * How long after leaving a locked call someone who was in it when it was locked is not judged:
 * the issue does not say whether a reconnection (a dropped connection joining again) still
 * counts as staying, and an implementation may reasonably allow one for a while.
 */
export const RECONNECT_UNDECIDED_MS = 90_000;

function lockAllows(
  room: RoomModel,
  identity: string,
  admittedEpoch: number | null | undefined,
  now: number,
): Verdict {
  if (!room.locked) return yes();
  if (admittedEpoch === room.lockEpoch) return yes("admitted since the lock");
  if (room.stays.has(identity))
    return { allowed: true, why: "in the call since before the lock", onlyByStaying: true };
  const left = room.leftSinceLock.get(identity);
  if (left !== undefined && now - left < RECONNECT_UNDECIDED_MS) {
    return { allowed: undefined, why: "they were in the call when it was locked and left it moments ago" };
  }
  return no("the room is locked and they were not admitted since");
}

export function memberVerdict(model: Model, member: MemberModel, roomKey: RoomKey, now: number): Verdict {
  const room = model.rooms.get(roomKey)!;
  if (!room.exists) return no("the room was deleted");
  if (member.deleted) return no("their account was deleted");
  if (member.disabled) return no("their account is disabled");
  if (!member.role) return no("they are not a member of the team");
  const bannedUntil = room.bans.get(member.userId);
  if (bannedUntil !== undefined && bannedUntil > now) return no("a moderator removed them from the call");
  if (canManage(member.role)) return yes("a moderator");
  return lockAllows(room, member.userId, room.admittedMembers.get(member.userId), now);
}

export function passVerdict(model: Model, pass: PassModel, roomKey: RoomKey, now: number): Verdict {
  if (pass.room !== roomKey) return no("their guest pass is for another room");
  const room = model.rooms.get(roomKey)!;
  const link = model.links.get(pass.link)!;
  const maker = model.members.get(link.maker)!;
  if (!room.exists) return no("the room was deleted");
  if (room.e2ee) return no("guests never join an end-to-end encrypted room");
  if (link.revoked) return no("their guest link was revoked");
  if (!mayMakeLinks(model, maker)) return no(`their link's maker (${maker.key}) may no longer make links`);
  if (link.makerLostRight) {
    // The issue says links die with their maker's right; whether a right regained (an account
    // enabled again) revives them is not said, so neither answer is asserted.
    return { allowed: undefined, why: "their link's maker lost the right to make links and got it back" };
  }
  if (pass.status !== "admitted") return no(`their guest pass is ${pass.status}`);
  return lockAllows(room, pass.identity ?? "", pass.admittedEpoch, now);
}

/** The verdict for any identity LiveKit may list in a room (members, guests, anyone else). */
export function verdictFor(model: Model, identity: string, roomKey: RoomKey, now: number): Verdict {
  const member = memberByUserId(model, identity);
  if (member) return memberVerdict(model, member, roomKey, now);
  const pass = passByIdentity(model, identity);
  if (pass) return passVerdict(model, pass, roomKey, now);
  return no("nobody Parlor let in (an unknown identity)");
}

/** After a step: the maker of each link that can no longer make links has lost the right for good. */
export function noteLostRights(model: Model) {
  for (const link of model.links.values()) {
    if (!mayMakeLinks(model, model.members.get(link.maker)!)) link.makerLostRight = true;
  }
}

/** After a step has settled: "stays" lasts only while they are still in the call. */
export function noteWhoIsInCall(model: Model, inCall: Map<RoomKey, Set<string>>, now: number) {
  for (const room of model.rooms.values()) {
    const present = inCall.get(room.key) ?? new Set();
    for (const identity of room.stays) {
      if (present.has(identity)) continue;
      room.stays.delete(identity);
      room.leftSinceLock.set(identity, now);
    }
  }
}

const recently = (at: number | undefined, now: number) => at !== undefined && now - at < REMOVAL_COOLDOWN_MS;

/**
 * A guest joining through a link now: admitted at once, or knocking. A guest removed from the
 * call knocks when they come back through the same link within the cool-off; others coming
 * through it then may be made to knock too (the server cannot tell who is who), or not.
 */
export function joinStatus(
  model: Model,
  link: LinkModel,
  person: GuestPersonModel,
  now: number,
): PassStatus | "either" {
  const room = model.rooms.get(link.room)!;
  if (link.requireKnock || room.locked || recently(person.removedAt.get(link.key), now)) return "waiting";
  const someoneRemoved = [...model.guests.values()].some((g) => recently(g.removedAt.get(link.key), now));
  return someoneRemoved ? "either" : "admitted";
}

/** A small seeded PRNG (mulberry32): the same seed gives the same steps. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p: number) => next() < p,
    weighted<T>(choices: readonly (readonly [number, T])[]): T {
      const total = choices.reduce((sum, [weight]) => sum + weight, 0);
      let at = next() * total;
      for (const [weight, choice] of choices) {
        if ((at -= weight) < 0) return choice;
      }
      return choices.at(-1)![1];
    },
  };
}

export type Random = ReturnType<typeof prng>;
