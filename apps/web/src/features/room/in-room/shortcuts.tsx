"use client";

import { useEffect, useRef } from "react";

export type ShortcutAction = "microphone" | "camera" | "hand" | "chat" | "participants" | "leave" | "help";

interface Shortcut {
  action: ShortcutAction;
  /** What the dialog shows, with "Mod" for Ctrl or ⌘. */
  keys: string[];
  label: string;
  matches: (event: KeyboardEvent) => boolean;
}

const mod = (event: KeyboardEvent) => event.ctrlKey || event.metaKey;
const key = (event: KeyboardEvent, letter: string) =>
  event.key.toLowerCase() === letter || event.code === `Key${letter.toUpperCase()}`;

/** The same keys as Google Meet for microphone and camera; the rest with Alt so they clash with no browser's. */
export const SHORTCUTS: Shortcut[] = [
  {
    action: "microphone",
    keys: ["Mod", "D"],
    label: "Turn the microphone on or off",
    matches: (e) => mod(e) && !e.altKey && !e.shiftKey && key(e, "d"),
  },
  {
    action: "camera",
    keys: ["Mod", "E"],
    label: "Turn the camera on or off",
    matches: (e) => mod(e) && !e.altKey && !e.shiftKey && key(e, "e"),
  },
  {
    action: "hand",
    keys: ["Mod", "Alt", "H"],
    label: "Raise or lower your hand",
    matches: (e) => mod(e) && e.altKey && key(e, "h"),
  },
  {
    action: "chat",
    keys: ["Mod", "Alt", "C"],
    label: "Open or close the chat",
    matches: (e) => mod(e) && e.altKey && key(e, "c"),
  },
  {
    action: "participants",
    keys: ["Mod", "Alt", "P"],
    label: "Show or hide the participants",
    matches: (e) => mod(e) && e.altKey && key(e, "p"),
  },
  {
    action: "leave",
    keys: ["Mod", "Alt", "Q"],
    label: "Leave the call",
    matches: (e) => mod(e) && e.altKey && key(e, "q"),
  },
  {
    action: "help",
    keys: ["?"],
    label: "Show these shortcuts",
    matches: (e) => e.key === "?" && !mod(e) && !e.altKey,
  },
];

/** True while the person types: shortcuts must not steal their keys. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "range", "submit", "reset", "color", "file"].includes(type);
}

/** Runs `onAction` for the call's keyboard shortcuts, except while typing in a field. */
export function useCallShortcuts(onAction: (action: ShortcutAction) => void) {
  const handler = useRef(onAction);
  useEffect(() => {
    handler.current = onAction;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || isTyping(event.target)) return;
      const shortcut = SHORTCUTS.find((s) => s.matches(event));
      if (!shortcut) return;
      // Ctrl+D would bookmark the page, Ctrl+E focus the address bar.
      event.preventDefault();
      handler.current(shortcut.action);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
