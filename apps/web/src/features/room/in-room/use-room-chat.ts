"use client";

import { useChat, type ReceivedChatMessage } from "@livekit/components-react";
import { useMemo } from "react";

export const CHAT_MAX_LENGTH = 2000;

const decoder = new TextDecoder();

/**
 * Chat messages arrive from other people's browsers: never trust their shape. Anything that is
 * not a well-formed message becomes an empty one (and is not shown).
 */
export function decodeChatMessage(payload: Uint8Array): ReceivedChatMessage {
  const now = Date.now();
  try {
    const value = JSON.parse(decoder.decode(payload)) as Record<string, unknown> | null;
    const message = typeof value?.message === "string" ? value.message.slice(0, CHAT_MAX_LENGTH) : "";
    const id =
      typeof value?.id === "string" && value.id.length <= 100 ? value.id : `invalid-${now}-${Math.random()}`;
    const stamp =
      typeof value?.timestamp === "number" && Number.isFinite(value.timestamp) ? value.timestamp : now;
    // A sender's clock may be wrong (or lie): never show a message from the future.
    return { id, message, timestamp: Math.min(stamp, now) };
  } catch {
    return { id: `invalid-${now}-${Math.random()}`, message: "", timestamp: now };
  }
}

const CHAT_OPTIONS = { messageDecoder: decodeChatMessage };

export interface RoomChat {
  messages: ReceivedChatMessage[];
  send: ((text: string) => Promise<unknown>) | undefined;
  isSending: boolean;
}

/** LiveKit chat (data messages on the chat topic), kept for the whole call. */
export function useRoomChat(): RoomChat {
  const { chatMessages, send, isSending } = useChat(CHAT_OPTIONS);
  const messages = useMemo(() => chatMessages.filter((m) => m.message.trim() !== ""), [chatMessages]);
  return { messages, send, isSending };
}
