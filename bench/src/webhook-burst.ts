/**
 * One room's part of the webhook burst that the capacity bench (capacity.ts) and the in-process
 * webhook profile (webhook-profile.ts) send: room_started, a join per person, two leaves. Every
 * 10th room's first leave arrives before its join; in every 20th room the second leave is replaced
 * by a redelivery of room_started (same event id), so out-of-order and repeated events are part
 * of every burst.
 */
import { webhookEvent } from "@parlor/api/testing/webhook-sender";

export type BurstEvent = ReturnType<typeof webhookEvent>;

export function roomBurst(options: {
  /** The room's index in the burst: which rooms get the reordering and the redelivery. */
  index: number;
  room: { sid: string; livekit_room_name: string };
  /** The people who join, in order. */
  people: { id: string; name: string }[];
  /** Unix seconds the room started at. */
  base: number;
  /** Makes participant sids unique across bursts. */
  sidPrefix: string;
}): { events: BurstEvent[]; present: string[] } {
  const { index: i, room, people, base } = options;
  const eventRoom = { sid: room.sid, name: room.livekit_room_name, creationTime: base };
  const joined = people.map((person, p) => ({
    sid: `${options.sidPrefix}_${i}_${p}`,
    identity: person.id,
    name: person.name,
    joinedAt: base + 10 + p,
  }));
  const started = webhookEvent("room_started", { room: eventRoom, createdAt: base });
  const events: BurstEvent[] = [started];
  for (const [p, participant] of joined.entries()) {
    events.push(
      webhookEvent("participant_joined", { room: eventRoom, participant, createdAt: base + 10 + p }),
    );
  }
  const leave = (p: number) =>
    webhookEvent("participant_left", { room: eventRoom, participant: joined[p]!, createdAt: base + 100 + p });
  events.push(leave(1));
  events.push(i % 20 === 0 ? started : leave(4));
  if (i % 10 === 0) {
    // The leave of participant 1 before its join.
    const at = events.findIndex((e) => e.participant?.sid === joined[1]!.sid);
    const leaveAt = events.length - 2;
    [events[at], events[leaveAt]] = [events[leaveAt]!, events[at]!];
  }
  const present = joined
    .filter((_, p) => !(p === 1 || (p === 4 && i % 20 !== 0)))
    .map((participant) => `${room.livekit_room_name}/${participant.identity}`);
  return { events, present };
}
