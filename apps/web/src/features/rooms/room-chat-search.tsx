"use client";

import { chatSearchQuery } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { Input } from "@parlor/ui/input";
import { Skeleton } from "@parlor/ui/skeleton";
import { SearchIcon, XIcon } from "lucide-react";
import { Fragment, useEffect, useState } from "react";

import { LocalDate } from "@/components/local-date";
import { QueryError } from "@/components/query-error";
import { api } from "@/trpc/react";

type RoomRef = { teamSlug: string; roomSlug: string };

/** Waits for a pause in typing before the query changes. */
function useSettled(value: string, delayMs: number) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The text with every searched word marked, as the server matched it (any case). */
function Highlighted({ text, words }: { text: string; words: string[] }) {
  if (words.length === 0) return <>{text}</>;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const parts = text.split(new RegExp(`(${escaped.join("|")})`, "gi"));
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-inherit dark:bg-yellow-500/40">
            {part}
          </mark>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}

/**
 * Search over everything written in the room's meetings, from its timeline: each match with who
 * wrote it, when, and in which meeting.
 */
export function RoomChatSearch({ room }: { room: RoomRef }) {
  const [text, setText] = useState("");
  const settled = useSettled(text, 300);
  const parsed = chatSearchQuery.safeParse(settled);
  const query = parsed.success ? parsed.data : null;
  const words = query ? query.toLowerCase().split(/\s+/).filter(Boolean) : [];
  // Each "Show older" adds a page that starts before the last match shown.
  const [pages, setPages] = useState<(Date | undefined)[]>([undefined]);
  useEffect(() => setPages([undefined]), [query]);

  return (
    <section className="grid gap-2" aria-label="Search the chat">
      <form role="search" className="relative" onSubmit={(event) => event.preventDefault()}>
        <SearchIcon
          aria-hidden="true"
          className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
        />
        <Input
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="Search this room's chat"
          aria-label="Search this room's chat"
          maxLength={200}
          className="pr-9 pl-8 [&::-webkit-search-cancel-button]:appearance-none"
        />
        {text ? (
          <Button
            type="button"
            variant="ghost"
            size="icon"
            className="absolute top-1/2 right-1 size-7 -translate-y-1/2"
            aria-label="Clear the search"
            onClick={() => setText("")}
          >
            <XIcon aria-hidden="true" />
          </Button>
        ) : null}
      </form>
      {settled.trim() && !parsed.success ? (
        <p className="text-xs text-muted-foreground">{parsed.error.issues[0]?.message}</p>
      ) : null}
      {query ? (
        <ol className="grid gap-2" aria-label="Chat search results">
          {pages.map((before, i) => (
            <SearchPage
              key={before?.toISOString() ?? "first"}
              room={room}
              query={query}
              words={words}
              before={before}
              first={i === 0}
              onOlder={i === pages.length - 1 ? (next) => setPages((p) => [...p, next]) : undefined}
            />
          ))}
        </ol>
      ) : null}
    </section>
  );
}

function SearchPage({
  room,
  query,
  words,
  before,
  first,
  onOlder,
}: {
  room: RoomRef;
  query: string;
  words: string[];
  before: Date | undefined;
  first: boolean;
  onOlder?: (before: Date) => void;
}) {
  const search = api.chat.search.useQuery({ ...room, query, before, limit: 20 });
  if (search.isPending) return <Skeleton className="h-14 rounded-md" />;
  if (search.error) {
    return (
      <li>
        <QueryError
          error={search.error}
          title="Couldn't search the chat"
          onRetry={() => search.refetch()}
          retrying={search.isFetching}
        />
      </li>
    );
  }
  const { hits, more } = search.data;
  if (first && hits.length === 0) {
    return (
      <li className="rounded-md border border-dashed p-3 text-center text-sm text-muted-foreground">
        Nothing in this room&apos;s chat matches “{query}”.
      </li>
    );
  }
  const last = hits.at(-1);
  return (
    <>
      {hits.map((hit) => (
        <li key={hit.id} className="grid gap-0.5 rounded-md bg-muted/50 p-2.5 text-sm">
          <span className="flex flex-wrap items-baseline gap-x-2">
            <bdi className="truncate font-medium">{hit.authorName}</bdi>
            <span className="text-xs text-muted-foreground">
              <LocalDate value={hit.createdAt} />
              {hit.meetingStartedAt ? (
                <>
                  {" · in the meeting of "}
                  <LocalDate value={hit.meetingStartedAt} />
                </>
              ) : null}
            </span>
          </span>
          <p className="break-words whitespace-pre-wrap" dir="auto">
            <Highlighted text={hit.body} words={words} />
          </p>
        </li>
      ))}
      {more && onOlder && last ? (
        <li>
          <Button variant="outline" size="sm" className="w-full" onClick={() => onOlder(last.createdAt)}>
            Show older matches
          </Button>
        </li>
      ) : null}
    </>
  );
}
