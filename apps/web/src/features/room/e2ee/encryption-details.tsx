"use client";

import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@parlor/ui/dialog";
import type { Participant } from "livekit-client";
import { LockIcon, LockOpenIcon } from "lucide-react";

import type { PersonEncryption } from "./types";

const STATUS_TEXT: Record<PersonEncryption, string> = {
  encrypted: "Encrypted",
  "not-encrypted": "Not encrypted",
  "no-media": "Encrypted (sending no video or audio yet)",
  "cannot-decrypt": "Can't decrypt — check the passphrase",
};

/** What the call's lock opens: what is encrypted, and per person whether they are. */
export function EncryptionDetailsDialog({
  open,
  onOpenChange,
  statuses,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  statuses: { participant: Participant; status: PersonEncryption }[];
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            <LockIcon className="size-4" aria-hidden="true" />
            End-to-end encrypted
          </DialogTitle>
          <DialogDescription>
            Video, audio, chat messages and reactions are encrypted in each browser with the room&apos;s
            passphrase; Parlor&apos;s server and LiveKit relay them without being able to read them. Who is in
            the call, their names, raised hands and when the meeting happens are not encrypted. Chat is not
            saved.
          </DialogDescription>
        </DialogHeader>
        <ul className="grid gap-1" data-testid="e2ee-participants">
          {statuses.map(({ participant, status }) => (
            <li
              key={participant.identity}
              className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm"
              data-identity={participant.identity}
              data-status={status}
            >
              {status === "encrypted" || status === "no-media" ? (
                <LockIcon
                  className="size-4 shrink-0 text-emerald-600 dark:text-emerald-400"
                  aria-hidden="true"
                />
              ) : (
                <LockOpenIcon
                  className="size-4 shrink-0 text-amber-600 dark:text-amber-400"
                  aria-hidden="true"
                />
              )}
              <span className="min-w-0 flex-1 truncate">
                {participant.name || participant.identity}
                {participant.isLocal ? " (you)" : ""}
              </span>
              <span className="shrink-0 text-xs text-muted-foreground">{STATUS_TEXT[status]}</span>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}
