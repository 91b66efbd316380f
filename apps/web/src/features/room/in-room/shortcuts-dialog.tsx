"use client";

import { Button } from "@parlor/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@parlor/ui/dialog";
import { useEffect, useState } from "react";

import { SHORTCUTS } from "./shortcuts";

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
