"use client";

import { useRoomContext } from "@livekit/components-react";
import type { RouterOutputs } from "@parlor/api";
import { CHAT_MESSAGE_MAX, CHAT_TOPIC, chatLength } from "@parlor/api/schemas/call";
import { RoomEvent, type RemoteParticipant } from "livekit-client";
import { useCallback, useEffect, useMemo } from "react";

import { api } from "@/trpc/react";

export type ChatMessage = RouterOutputs["chat"]["list"][number];

export type ChatEvent = { type: "message"; message: ChatMessage } | { type: "deleted"; id: string };

const decoder = new TextDecoder();

const isText = (value: unknown, max: number): value is string =>
  typeof value === "string" && value.length <= max;

/**
 * An event on the chat topic, or null. Only the server sends on it (Parlor stores the message,
 * then LiveKit delivers it), so anything a participant sends there is a forgery and is ignored;
 * the shape is still checked, never trusted.
 */
export function decodeChatEvent(payload: Uint8Array, from: RemoteParticipant | undefined): ChatEvent | null {
  if (from) return null;
  try {
    const value = JSON.parse(decoder.decode(payload)) as Record<string, unknown> | null;
    if (value?.type === "deleted" && isText(value.id, 64)) return { type: "deleted", id: value.id };
    const m = value?.type === "message" ? (value.message as Record<string, unknown> | null) : null;
    if (
      m &&
      isText(m.id, 64) &&
      isText(m.authorIdentity, 256) &&
      isText(m.authorName, 256) &&
      typeof m.body === "string" &&
      chatLength(m.body) <= CHAT_MESSAGE_MAX &&
      typeof m.createdAt === "string" &&
      (m.meetingId === null || isText(m.meetingId, 64))
    ) {
      const createdAt = new Date(m.createdAt);
      if (Number.isNaN(createdAt.getTime())) return null;
      const { id, authorIdentity, authorName, body, meetingId } = m;
      return { type: "message", message: { id, authorIdentity, authorName, body, createdAt, meetingId } };
    }
  } catch {
    // Not JSON: ignored.
  }
  return null;
}

/** Adds a message to a list in time order, once (it arrives both from `send` and from LiveKit). */
export function withMessage(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  if (list.some((m) => m.id === message.id)) return list;
  return [...list, message].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export interface RoomChat {
  messages: ChatMessage[];
  /** False for an encrypted call's chat: only those in the call see it, nothing is kept. */
  stored?: boolean;
  /** The signed-in person's identity, to tell their own messages apart. */
  localIdentity: string;
  isLoading: boolean;
  loadError: boolean;
  retryLoad: () => void;
  send: (text: string) => Promise<unknown>;
  isSending: boolean;
  /** Present when the person may delete this message (their own, or any for moderators). */
  canDelete: (message: ChatMessage) => boolean;
  remove: (id: string) => Promise<unknown>;
}

/**
 * The room's chat: the stored conversation (so a reload or a late joiner sees what was said),
 * kept current by the events LiveKit delivers for the server, and reloaded after a reconnect in
 * case some were missed.
 */
export function useRoomChat(
  ref: { teamSlug: string; roomSlug: string },
  moderator: boolean,
  /** False where the chat is not stored (an encrypted call's). */
  enabled = true,
  /** A guest reads and writes through their guest pass: the meeting under way only. */
  guest = false,
): RoomChat {
  const room = useRoomContext();
  const utils = api.useUtils();
  const input = useMemo(
    () => ({ teamSlug: ref.teamSlug, roomSlug: ref.roomSlug }),
    [ref.teamSlug, ref.roomSlug],
  );
  const options = { staleTime: Infinity, refetchOnWindowFocus: false } as const;
  const memberList = api.chat.list.useQuery(input, { ...options, enabled: enabled && !guest });
  const guestList = api.guest.chatList.useQuery(GUEST_LIST, { ...options, enabled: enabled && guest });
  const list = guest ? guestList : memberList;
  const sendMutation = api.chat.send.useMutation();
  const guestSendMutation = api.guest.chatSend.useMutation();
  const deleteMutation = api.chat.delete.useMutation();

  const apply = useCallback(
    (event: ChatEvent) => {
      const update = (current: ChatMessage[] = []) =>
        event.type === "message"
          ? withMessage(current, event.message)
          : current.filter((m) => m.id !== event.id);
      if (guest) utils.guest.chatList.setData(GUEST_LIST, update);
      else utils.chat.list.setData(input, update);
    },
    [utils, input, guest],
  );

  useEffect(() => {
    const onData = (payload: Uint8Array, from?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== CHAT_TOPIC) return;
      const event = decodeChatEvent(payload, from);
      if (event) apply(event);
    };
    const onReconnected = () =>
      void (guest ? utils.guest.chatList.invalidate(GUEST_LIST) : utils.chat.list.invalidate(input));
    room.on(RoomEvent.DataReceived, onData);
    room.on(RoomEvent.Reconnected, onReconnected);
    return () => {
      room.off(RoomEvent.DataReceived, onData);
      room.off(RoomEvent.Reconnected, onReconnected);
    };
  }, [room, apply, utils, input, guest]);

  const localIdentity = room.localParticipant.identity;
  return {
    messages: list.data ?? [],
    localIdentity,
    isLoading: list.isLoading,
    loadError: list.isError,
    retryLoad: () => void list.refetch(),
    isSending: guest ? guestSendMutation.isPending : sendMutation.isPending,
    send: async (text) => {
      const message = guest
        ? await guestSendMutation.mutateAsync({ body: text })
        : await sendMutation.mutateAsync({ ...input, body: text });
      apply({ type: "message", message });
    },
    // Guests cannot delete (their messages are the meeting's record, kept by the team).
    canDelete: (message) => !guest && (moderator || message.authorIdentity === localIdentity),
    remove: async (id) => {
      await deleteMutation.mutateAsync({ ...input, messageId: id });
      apply({ type: "deleted", id });
    },
  };
}

const GUEST_LIST = { limit: 100 };
