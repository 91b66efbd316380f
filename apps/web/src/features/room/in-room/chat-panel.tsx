"use client";

import { Button } from "@parlor/ui/button";
import { cn } from "@parlor/ui/lib/utils";
import type { ReceivedChatMessage } from "@livekit/components-react";
import { SendHorizontalIcon } from "lucide-react";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { LinkifiedText } from "./linkify";
import { CHAT_MAX_LENGTH, type RoomChat } from "./use-room-chat";

const time = (timestamp: number) =>
  new Date(timestamp).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** The call's chat: messages (links clickable, never HTML) and a box to write in. */
export function ChatPanel({
  chat,
  className,
  onSendError,
}: {
  chat: RoomChat;
  className?: string;
  onSendError?: (error: unknown) => void;
}) {
  const [draft, setDraft] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  const inputId = useId();
  const { messages, send, isSending } = chat;

  // Follow new messages, unless the reader scrolled up to read older ones.
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
    if (nearBottom) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || !send) return;
    setDraft("");
    send(text).catch((error: unknown) => {
      setDraft(text);
      onSendError?.(error);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <div className={cn("flex min-h-0 flex-col", className)} data-testid="chat-panel">
      <ol
        ref={listRef}
        role="log"
        aria-live="polite"
        aria-label="Chat messages"
        className="flex min-h-0 flex-1 flex-col gap-3 overflow-y-auto px-4 py-3"
      >
        {messages.length === 0 ? (
          <li className="m-auto max-w-56 text-center text-sm text-muted-foreground">
            No messages yet. Messages are only seen by people in the call right now.
          </li>
        ) : (
          messages.map((message, i) => (
            <ChatMessageItem
              key={`${message.from?.identity ?? "?"}-${message.id}`}
              message={message}
              previous={messages[i - 1]}
            />
          ))
        )}
      </ol>
      <form onSubmit={submit} className="flex items-end gap-2 border-t p-3">
        <label htmlFor={inputId} className="sr-only">
          Message everyone
        </label>
        <textarea
          id={inputId}
          rows={1}
          value={draft}
          maxLength={CHAT_MAX_LENGTH}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Message everyone"
          className="field-sizing-content max-h-32 min-h-9 flex-1 resize-none rounded-md border border-input bg-transparent px-3 py-2 text-base shadow-xs outline-none placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 md:text-sm dark:bg-input/30"
        />
        <Button
          type="submit"
          size="icon"
          aria-label="Send message"
          disabled={!draft.trim() || !send || isSending}
        >
          <SendHorizontalIcon aria-hidden="true" />
        </Button>
      </form>
    </div>
  );
}

function ChatMessageItem({
  message,
  previous,
}: {
  message: ReceivedChatMessage;
  previous: ReceivedChatMessage | undefined;
}) {
  const sender = message.from;
  const name = sender ? sender.name || sender.identity : "Someone";
  const continued =
    previous !== undefined &&
    previous.from?.identity === sender?.identity &&
    message.timestamp - previous.timestamp < 2 * 60_000;
  return (
    <li className={cn("grid gap-0.5", continued && "-mt-2")} data-testid="chat-message">
      {continued ? (
        <span className="sr-only">{name}:</span>
      ) : (
        <div className="flex items-baseline gap-2">
          <span className="truncate text-sm font-semibold">{sender?.isLocal ? "You" : name}</span>
          <time
            className="shrink-0 text-xs text-muted-foreground"
            dateTime={new Date(message.timestamp).toISOString()}
          >
            {time(message.timestamp)}
          </time>
        </div>
      )}
      <p className="text-sm break-words whitespace-pre-wrap">
        <LinkifiedText text={message.message} />
      </p>
    </li>
  );
}
