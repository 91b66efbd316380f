"use client";

import { useEffect, useState } from "react";

import type { ChatMessage } from "./use-room-chat";

/**
 * The chat's last-read marker, kept per room in this browser (`room`: the LiveKit room's name,
 * which a room keeps for life): the time of the newest message seen with the chat open.
 * Rejoining (a reload, a new meeting in the same room) then counts only what came after it, not
 * the history already read.
 */
const storageKey = (room: string) => `parlor.chat.read:${room}`;

export function loadLastRead(room: string): number {
  try {
    const value = Number(window.localStorage.getItem(storageKey(room)));
    return Number.isFinite(value) && value > 0 ? value : 0;
  } catch {
    // Storage blocked (private mode, a sandboxed frame): the marker lasts for this visit only.
    return 0;
  }
}

function saveLastRead(room: string, at: number) {
  try {
    window.localStorage.setItem(storageKey(room), String(at));
  } catch {
    // As above.
  }
}

/** Messages from others newer than the marker. */
export function countUnread(messages: ChatMessage[], localIdentity: string, lastRead: number): number {
  return messages.filter((m) => m.authorIdentity !== localIdentity && m.createdAt.getTime() > lastRead)
    .length;
}

/**
 * How many messages from others arrived since the chat was last open in this room (0 while open).
 * Opening the chat moves the marker to the newest message and saves it.
 */
export function useUnread(
  chat: { messages: ChatMessage[]; localIdentity: string },
  open: boolean,
  room: string,
): number {
  const [marker, setMarker] = useState(() => ({ room, at: loadLastRead(room) }));
  if (marker.room !== room) setMarker({ room, at: loadLastRead(room) });
  const lastRead = marker.room === room ? marker.at : loadLastRead(room);
  const newest = chat.messages.reduce((at, m) => Math.max(at, m.createdAt.getTime()), 0);
  useEffect(() => {
    if (!open || newest <= lastRead) return;
    setMarker({ room, at: newest });
    saveLastRead(room, newest);
  }, [open, newest, lastRead, room]);
  return open ? 0 : countUnread(chat.messages, chat.localIdentity, lastRead);
}
