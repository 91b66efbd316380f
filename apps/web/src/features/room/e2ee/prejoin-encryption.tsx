"use client";

import { Alert, AlertDescription, AlertTitle } from "@parlor/ui/alert";
import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { Button } from "@parlor/ui/button";
import { EyeIcon, EyeOffIcon, LockIcon, SparklesIcon } from "lucide-react";
import { useId, useState } from "react";

import { CopyButton } from "@/components/copy-button";

import { generatePassphrase, inviteLink } from "./passphrase";

export const ENCRYPTED_CHAT_NOTICE = "Messages in this room are end-to-end encrypted and not saved";

/**
 * The pre-join's part for an end-to-end encrypted room: what encryption covers, the passphrase
 * (from the invite link or typed; the first person in sets it, and may generate one), and for
 * owners and admins and the first person an invite link that carries it.
 * Loaded only in encrypted rooms.
 */
export function PrejoinEncryption({
  passphrase,
  fromLink,
  onPassphraseChange,
  canInvite,
  unsupported,
  firstHere = false,
}: {
  passphrase: string;
  fromLink: boolean;
  onPassphraseChange: (value: string) => void;
  /** Owners and admins may copy a link that includes the passphrase. */
  canInvite: boolean;
  /** This browser cannot encrypt media: it must not join. */
  unsupported: boolean;
  /** Nobody is in the call: this person sets the passphrase (and may generate one). */
  firstHere?: boolean;
}) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const helpId = `${id}-help`;
  return (
    <section
      aria-label="End-to-end encryption"
      className="grid gap-3 rounded-lg border border-emerald-600/30 bg-emerald-600/5 p-3 dark:border-emerald-400/30 dark:bg-emerald-400/5"
      data-testid="prejoin-encryption"
    >
      <div className="flex items-start gap-2.5">
        <LockIcon
          className="mt-0.5 size-4 shrink-0 text-emerald-700 dark:text-emerald-400"
          aria-hidden="true"
        />
        <div className="grid gap-0.5">
          <p className="text-sm font-medium">End-to-end encrypted room</p>
          <p className="text-xs text-muted-foreground">
            Video, audio and chat are encrypted in each browser with the room&apos;s passphrase, which
            Parlor&apos;s server never sees. {ENCRYPTED_CHAT_NOTICE}.
          </p>
        </div>
      </div>
      {unsupported ? (
        <Alert variant="destructive" data-testid="e2ee-unsupported">
          <AlertTitle>This browser can&apos;t join encrypted calls</AlertTitle>
          <AlertDescription>
            It cannot encrypt video and audio frames, and this room does not allow an unencrypted join. Open
            the link in a current Chrome, Edge, Firefox or Safari.
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-1.5">
        <Label htmlFor={id}>Room passphrase</Label>
        <div className="flex gap-2">
          <Input
            id={id}
            name="passphrase"
            type={shown ? "text" : "password"}
            autoComplete="off"
            spellCheck={false}
            value={passphrase}
            onChange={(event) => onPassphraseChange(event.target.value)}
            aria-describedby={helpId}
            data-testid="passphrase-input"
          />
          <button
            type="button"
            onClick={() => setShown((s) => !s)}
            aria-pressed={shown}
            aria-label={shown ? "Hide passphrase" : "Show passphrase"}
            title={shown ? "Hide passphrase" : "Show passphrase"}
            className="flex size-9 shrink-0 items-center justify-center rounded-md border bg-background text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
          >
            {shown ? (
              <EyeOffIcon className="size-4" aria-hidden="true" />
            ) : (
              <EyeIcon className="size-4" aria-hidden="true" />
            )}
          </button>
        </div>
        <p id={helpId} className="text-xs text-muted-foreground" data-testid="passphrase-help">
          {fromLink
            ? "Filled in from your invite link. Everyone in the call needs the same passphrase."
            : firstHere
              ? "You're the first here: set the passphrase (or generate one) and share it with the people you invite. Everyone in the call needs the same one."
              : "From your invite link, or ask whoever invited you. Everyone in the call needs the same passphrase."}
        </p>
        {firstHere && !fromLink ? (
          <Button
            type="button"
            variant="outline"
            size="sm"
            className="justify-self-start"
            onClick={() => {
              onPassphraseChange(generatePassphrase());
              setShown(true);
            }}
          >
            <SparklesIcon aria-hidden="true" />
            Generate
          </Button>
        ) : null}
      </div>
      {canInvite || firstHere ? (
        <CopyButton
          value={passphrase ? inviteLink(window.location.href, passphrase) : ""}
          disabled={!passphrase}
          label="Copy invite link with passphrase"
          copiedMessage="Invite link copied: it includes the passphrase, so share it only with people you invite"
          className="justify-self-start"
        />
      ) : null}
    </section>
  );
}
