"use client";

import { Button } from "@parlor/ui/button";
import { cn } from "@parlor/ui/lib/utils";
import { clipChatText } from "@parlor/api/schemas/call";
import { RoomEvent, type Participant, type RemoteParticipant, type Room } from "livekit-client";
import { KeyRoundIcon, LockIcon, ShieldAlertIcon } from "lucide-react";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

import { OnDemand } from "../in-room/on-demand-ui";
import type { PersonEncryption } from "./types";
import type { ChatMessage, RoomChat } from "../in-room/use-room-chat";

export interface EncryptionState {
  /** This browser encrypts what it sends. */
  localEncrypted: boolean;
  /** Remote people whose frames this browser failed to decrypt (a different passphrase). */
  cannotDecrypt: ReadonlySet<string>;
  /** The encryption worker failed: nothing can be encrypted or decrypted. */
  failed: boolean;
  statusOf: (participant: Participant) => PersonEncryption;
  remotes: RemoteParticipant[];
}

const EncryptionContext = createContext<EncryptionState | null>(null);

/** The call's encryption state; null outside an encrypted call. */
export const useEncryption = () => useContext(EncryptionContext);

/**
 * The worker reports a frame it could not decrypt as a plain Error named after LiveKit's
 * CryptorErrorReason ("InvalidKey: …", "MissingKey: …"); "InternalError: …" is a pipeline hiccup.
 */
const DECRYPT_FAILURE = /^(InvalidKey|MissingKey):/;
const CRYPTOR_ERROR = /^(InvalidKey|MissingKey|InternalError):/;

/**
 * Follows LiveKit's encryption events: who sends encrypted media (the track info the server
 * relays), and whose frames this browser could not decrypt (the worker's InvalidKey/MissingKey
 * errors, throttled by LiveKit to a few a minute per track, so a failure stays marked until that
 * person leaves).
 */
function useEncryptionState(room: Room): EncryptionState {
  const [version, setVersion] = useState(0);
  const [cannotDecrypt, setCannotDecrypt] = useState<ReadonlySet<string>>(new Set());
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const onError = (error: Error | null | undefined, participant?: Participant) => {
      const message = error?.message ?? "";
      if (!participant) {
        // The worker itself failed (it could not load, or threw): no frame goes through.
        if (!CRYPTOR_ERROR.test(message)) setFailed(true);
        return;
      }
      if (participant.isLocal || !DECRYPT_FAILURE.test(message)) return;
      setCannotDecrypt((current) =>
        current.has(participant.identity) ? current : new Set([...current, participant.identity]),
      );
    };
    const onLeft = (participant: RemoteParticipant) => {
      setCannotDecrypt((current) => {
        if (!current.has(participant.identity)) return current;
        const next = new Set(current);
        next.delete(participant.identity);
        return next;
      });
    };
    const events = [
      RoomEvent.ParticipantEncryptionStatusChanged,
      RoomEvent.ParticipantConnected,
      RoomEvent.TrackPublished,
      RoomEvent.TrackUnpublished,
      RoomEvent.LocalTrackPublished,
      RoomEvent.LocalTrackUnpublished,
      RoomEvent.Connected,
    ] as const;
    for (const event of events) room.on(event, bump);
    room.on(RoomEvent.EncryptionError, onError).on(RoomEvent.ParticipantDisconnected, onLeft);
    return () => {
      for (const event of events) room.off(event, bump);
      room.off(RoomEvent.EncryptionError, onError).off(RoomEvent.ParticipantDisconnected, onLeft);
    };
  }, [room]);

  return useMemo(() => {
    void version;
    const statusOf = (participant: Participant): PersonEncryption => {
      if (participant.isLocal) return room.isE2EEEnabled ? "encrypted" : "not-encrypted";
      if (cannotDecrypt.has(participant.identity)) return "cannot-decrypt";
      if (participant.trackPublications.size === 0) return "no-media";
      return participant.isEncrypted ? "encrypted" : "not-encrypted";
    };
    return {
      localEncrypted: room.isE2EEEnabled,
      cannotDecrypt,
      failed,
      statusOf,
      remotes: [...room.remoteParticipants.values()],
    };
  }, [room, version, cannotDecrypt, failed]);
}

/** Provides the encryption state to the call's header, banner and tiles (only in encrypted rooms). */
export function EncryptionProvider({ room, children }: { room: Room; children: React.ReactNode }) {
  const state = useEncryptionState(room);
  return <EncryptionContext.Provider value={state}>{children}</EncryptionContext.Provider>;
}

/** The lock in the call's header: "End-to-end encrypted", and per person whether they are. */
export function EncryptionIndicator({ participants }: { participants: Participant[] }) {
  const state = useEncryption();
  const [open, setOpen] = useState(false);
  if (!state) return null;
  const statuses = participants.map((p) => ({ participant: p, status: state.statusOf(p) }));
  const problems = statuses.filter((s) => s.status === "cannot-decrypt" || s.status === "not-encrypted");
  const allEncrypted = !state.failed && problems.length === 0;
  return (
    <>
      <Button
        variant="outline"
        size="sm"
        onClick={() => setOpen(true)}
        data-testid="e2ee-indicator"
        data-state={allEncrypted ? "all-encrypted" : "not-all"}
        className={cn(
          allEncrypted
            ? "border-emerald-600/40 text-emerald-800 dark:border-emerald-400/40 dark:text-emerald-300"
            : "border-amber-500/50 text-amber-900 dark:text-amber-200",
        )}
        aria-label={
          allEncrypted
            ? "End-to-end encrypted: everyone is encrypted. Show details"
            : `End-to-end encrypted: ${problems.length} not encrypted or can't be decrypted. Show details`
        }
      >
        {allEncrypted ? <LockIcon aria-hidden="true" /> : <ShieldAlertIcon aria-hidden="true" />}
        <span className="hidden sm:inline">End-to-end encrypted</span>
        {allEncrypted ? null : <span className="tabular-nums">· {problems.length}</span>}
      </Button>
      <OnDemand when={open}>
        {(ui) => <ui.EncryptionDetailsDialog open={open} onOpenChange={setOpen} statuses={statuses} />}
      </OnDemand>
    </>
  );
}

/**
 * Someone's frames could not be decrypted: a clear statement and a way forward (enter the
 * passphrase again and rejoin) instead of black tiles.
 */
export function DecryptFailureBanner({ onReenterPassphrase }: { onReenterPassphrase: () => void }) {
  const state = useEncryption();
  if (!state) return null;
  const failing = state.remotes.filter((p) => state.cannotDecrypt.has(p.identity));
  if (!state.failed && failing.length === 0) return null;
  const sending = state.remotes.filter((p) => p.trackPublications.size > 0);
  const nobody = failing.length > 0 && failing.length >= sending.length;
  const names = failing.map((p) => p.name || p.identity);
  return (
    <div
      role="alert"
      data-testid="decrypt-failure-banner"
      data-scope={state.failed ? "worker" : nobody ? "everyone" : "some"}
      className="flex flex-wrap items-center justify-center gap-x-3 gap-y-2 bg-red-100 px-4 py-2 text-center text-sm text-red-950 dark:bg-red-500/20 dark:text-red-100"
    >
      <ShieldAlertIcon className="size-4 shrink-0" aria-hidden="true" />
      <span>
        {state.failed ? (
          <>
            <strong className="font-semibold">Encryption could not start.</strong> Nothing can be sent or
            received in this call; rejoin to try again.
          </>
        ) : (
          <>
            <strong className="font-semibold">Can&apos;t decrypt — check the passphrase.</strong>{" "}
            {nobody
              ? "Nobody's video, audio or messages can be decrypted with the passphrase you entered."
              : `${names.join(", ")} ${names.length === 1 ? "seems" : "seem"} to use a different passphrase: their video, audio and messages can't be decrypted here.`}
          </>
        )}
      </span>
      <Button
        size="sm"
        variant={nobody || state.failed ? "default" : "outline"}
        onClick={onReenterPassphrase}
      >
        <KeyRoundIcon aria-hidden="true" />
        {state.failed ? "Rejoin" : "Re-enter passphrase"}
      </Button>
    </div>
  );
}

/** Over a tile whose frames cannot be decrypted (under its name): says so instead of a black picture. */
export function TileDecryptNotice({ identity }: { identity: string }) {
  const state = useEncryption();
  if (!state?.cannotDecrypt.has(identity)) return null;
  return (
    <div
      className="absolute inset-0 flex flex-col items-center justify-center gap-2 bg-zinc-900/90 p-3 text-center text-sm text-zinc-50"
      data-testid="tile-cannot-decrypt"
    >
      <ShieldAlertIcon className="size-6 text-red-400" aria-hidden="true" />
      <span className="font-medium">Can&apos;t decrypt — check the passphrase</span>
    </div>
  );
}

/** In-call chat of encrypted rooms: LiveKit data between participants, never through Parlor. */
export const ENCRYPTED_CHAT_TOPIC = "parlor.e2ee-chat";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A message from a participant, if well-formed; who sent it is LiveKit's word, never the payload's.
 * (livekit-client 2.23 does not say whether a received packet had been encrypted: it reports every
 * packet as unencrypted. What Parlor sends in an encrypted call always is, see call-encryption.ts.)
 */
export function decodeEncryptedChat(
  payload: Uint8Array,
  from: RemoteParticipant | undefined,
): ChatMessage | null {
  if (!from) return null;
  try {
    const value = JSON.parse(decoder.decode(payload)) as { id?: unknown; body?: unknown } | null;
    if (typeof value?.id !== "string" || value.id.length > 64) return null;
    if (typeof value.body !== "string") return null;
    const body = clipChatText(value.body.trim());
    if (!body) return null;
    return {
      id: `${from.identity}:${value.id}`,
      authorIdentity: from.identity,
      authorName: from.name || from.identity,
      body,
      createdAt: new Date(),
      meetingId: null,
    };
  } catch {
    return null;
  }
}

/**
 * The chat of an encrypted call: sent to the others as LiveKit data, which the E2EE layer
 * encrypts with the room's key; only messages that arrived encrypted are shown. Kept in this
 * page only: nothing is stored, a late joiner sees what is said from then on.
 */
export function useEncryptedChat(room: Room, enabled: boolean): RoomChat {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [sending, setSending] = useState(false);
  const counter = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const onData = (payload: Uint8Array, from?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== ENCRYPTED_CHAT_TOPIC) return;
      const message = decodeEncryptedChat(payload, from);
      if (message) setMessages((list) => (list.some((m) => m.id === message.id) ? list : [...list, message]));
    };
    room.on(RoomEvent.DataReceived, onData);
    return () => void room.off(RoomEvent.DataReceived, onData);
  }, [room, enabled]);

  const send = useCallback(
    async (text: string) => {
      const body = clipChatText(text);
      const id = `${Date.now().toString(36)}-${(counter.current += 1)}`;
      setSending(true);
      try {
        await room.localParticipant.publishData(encoder.encode(JSON.stringify({ id, body })), {
          reliable: true,
          topic: ENCRYPTED_CHAT_TOPIC,
        });
      } finally {
        setSending(false);
      }
      const me = room.localParticipant;
      setMessages((list) => [
        ...list,
        {
          id: `${me.identity}:${id}`,
          authorIdentity: me.identity,
          authorName: me.name || me.identity,
          body,
          createdAt: new Date(),
          meetingId: null,
        },
      ]);
    },
    [room],
  );

  return {
    messages,
    stored: false,
    localIdentity: room.localParticipant.identity,
    isLoading: false,
    loadError: false,
    retryLoad: () => undefined,
    send,
    isSending: sending,
    canDelete: () => false,
    remove: async () => undefined,
  };
}

/** Above the chat of an encrypted call. */
export function EncryptedChatNotice() {
  return (
    <p
      className="flex items-start gap-2 border-b bg-emerald-600/5 px-4 py-2 text-xs text-muted-foreground dark:bg-emerald-400/5"
      data-testid="encrypted-chat-notice"
    >
      <LockIcon
        className="mt-0.5 size-3.5 shrink-0 text-emerald-700 dark:text-emerald-400"
        aria-hidden="true"
      />
      <span>
        Messages in this room are end-to-end encrypted and not saved. People who join later don&apos;t see
        earlier messages.
      </span>
    </p>
  );
}
