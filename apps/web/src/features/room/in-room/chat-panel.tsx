"use client";

import { Button } from "@parlor/ui/button";
import { cn } from "@parlor/ui/lib/utils";
import { SendHorizontalIcon, Trash2Icon } from "lucide-react";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { LinkifiedText } from "./linkify";
import { CHAT_MESSAGE_MAX, CHAT_TOO_LONG, chatLength } from "@parlor/api/schemas/call";

import { type ChatMessage, type RoomChat } from "./use-room-chat";

const time = (date: Date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/**
 * The room's chat: the stored conversation (links clickable, never HTML), a box to write in, and
 * delete for one's own messages (any message, for moderators).
 */
export function ChatPanel({
  chat,
  className,
  onSendError,
  onDeleteError,
}: {
  chat: RoomChat;
  className?: string;
  onSendError?: (error: unknown) => void;
  onDeleteError?: (error: unknown) => void;
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

  // Counted as the server counts (characters, not UTF-16 units): a box's maxLength would stop
  // at half as many emoji as the server takes.
  const draftLength = chatLength(draft.trim());
  const tooLong = draftLength > CHAT_MESSAGE_MAX;
  const lengthErrorId = `${inputId}-length`;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || !send || tooLong) return;
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
        {chat.loadError ? (
          <li className="m-auto grid max-w-60 justify-items-center gap-2 text-center text-sm text-muted-foreground">
            The earlier messages could not be loaded.
            <Button variant="outline" size="sm" onClick={chat.retryLoad}>
              Try again
            </Button>
          </li>
        ) : chat.isLoading ? (
          <li className="m-auto text-sm text-muted-foreground" role="status">
            Loading the conversation…
          </li>
        ) : messages.length === 0 ? (
          <li className="m-auto max-w-60 text-center text-sm text-muted-foreground">
            {chat.stored === false
              ? "No messages yet. What you write goes only to the people in the call now, and is not saved."
              : "No messages yet. What you write stays with the room: people who join later can read it."}
          </li>
        ) : (
          messages.map((message, i) => (
            <ChatMessageItem
              key={message.id}
              message={message}
              previous={messages[i - 1]}
              mine={message.authorIdentity === chat.localIdentity}
              onDelete={
                chat.canDelete(message)
                  ? () => chat.remove(message.id).catch((error: unknown) => onDeleteError?.(error))
                  : undefined
              }
            />
          ))
        )}
      </ol>
      {tooLong ? (
        <p id={lengthErrorId} role="alert" className="border-t px-3 pt-2 text-sm text-destructive">
          {CHAT_TOO_LONG} This one has {draftLength}.
        </p>
      ) : null}
      <form
        method="post"
        onSubmit={submit}
        className={cn("flex items-end gap-2 p-3", !tooLong && "border-t")}
        data-toasts-stay-above=""
      >
        <label htmlFor={inputId} className="sr-only">
          Message everyone
        </label>
        <textarea
          id={inputId}
          rows={1}
          value={draft}
          aria-invalid={tooLong || undefined}
          aria-describedby={tooLong ? lengthErrorId : undefined}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Message everyone"
          className="field-sizing-content max-h-32 min-h-9 flex-1 resize-none rounded-md border border-input bg-transparent px-3 py-2 text-base shadow-xs outline-none placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 md:text-sm dark:bg-input/30"
        />
        <Button
          type="submit"
          size="icon"
          aria-label="Send message"
          disabled={!draft.trim() || !send || isSending || tooLong}
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
  mine,
  onDelete,
}: {
  message: ChatMessage;
  previous: ChatMessage | undefined;
  mine: boolean;
  onDelete?: () => void;
}) {
  const name = mine ? "You" : message.authorName;
  const continued =
    previous !== undefined &&
    previous.authorIdentity === message.authorIdentity &&
    message.createdAt.getTime() - previous.createdAt.getTime() < 2 * 60_000;
  return (
    <li className={cn("group relative grid gap-0.5", continued && "-mt-2")} data-testid="chat-message">
      {continued ? (
        <span className="sr-only">{name}:</span>
      ) : (
        <div className="flex items-baseline gap-2">
          <bdi className="truncate text-sm font-semibold">{name}</bdi>
          <time className="shrink-0 text-xs text-muted-foreground" dateTime={message.createdAt.toISOString()}>
            {time(message.createdAt)}
          </time>
        </div>
      )}
      <p className="pr-7 text-sm break-words whitespace-pre-wrap" dir="auto">
        <LinkifiedText text={message.body} />
      </p>
      {onDelete ? (
        <Button
          variant="ghost"
          size="icon-sm"
          className="absolute right-0 bottom-0 opacity-60 group-hover:opacity-100 focus-visible:opacity-100"
          aria-label={mine ? "Delete your message" : `Delete ${message.authorName}'s message`}
          title="Delete message"
          onClick={onDelete}
        >
          <Trash2Icon aria-hidden="true" />
        </Button>
      ) : null}
    </li>
  );
}
