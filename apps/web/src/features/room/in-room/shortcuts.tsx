"use client";

import { Button } from "@parlor/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@parlor/ui/dialog";
import { useEffect, useRef, useState } from "react";

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

function useIsMac() {
  const [mac, setMac] = useState(false);
  useEffect(() => setMac(/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)), []);
  return mac;
}

export function ShortcutsDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const mac = useIsMac();
  const name = (k: string) => (k === "Mod" ? (mac ? "⌘" : "Ctrl") : k === "Alt" && mac ? "⌥" : k);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>
            They work anywhere in the call, except while you type in a field.
          </DialogDescription>
        </DialogHeader>
        <dl className="grid gap-2 text-sm" data-testid="shortcuts">
          {SHORTCUTS.map((s) => (
            <div key={s.action} className="flex items-center justify-between gap-4">
              <dt>{s.label}</dt>
              <dd className="flex shrink-0 gap-1">
                {s.keys.map((k) => (
                  <kbd
                    key={k}
                    className="min-w-7 rounded border bg-muted px-1.5 py-0.5 text-center font-mono text-xs"
                  >
                    {name(k)}
                  </kbd>
                ))}
              </dd>
            </div>
          ))}
        </dl>
        <Button variant="outline" onClick={() => onOpenChange(false)} className="justify-self-end">
          Close
        </Button>
      </DialogContent>
    </Dialog>
  );
}
