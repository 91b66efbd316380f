import type { ReactNode } from "react";

export type Segment = { type: "text"; text: string } | { type: "link"; text: string; href: string };

// Candidates only; each is checked with the URL parser before it becomes a link.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,:;!?)\]}'"»”’]+$/;

/** The parsed URL when `text` is an http(s) link we are willing to make clickable, else null. */
export function safeHttpUrl(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Splits chat text into plain text and http(s) links. Nothing is ever interpreted as HTML. */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    let candidate = match[0];
    const start = match.index ?? 0;
    // "see https://x.y/z)." → the link ends before the punctuation, unless a "(" in it balances a ")".
    let trailing = TRAILING.exec(candidate)?.[0] ?? "";
    while (
      trailing.startsWith(")") &&
      (candidate.match(/\(/g)?.length ?? 0) > (candidate.slice(0, -trailing.length).match(/\)/g)?.length ?? 0)
    ) {
      trailing = trailing.slice(1);
    }
    candidate = candidate.slice(0, candidate.length - trailing.length);
    const href = safeHttpUrl(candidate);
    if (!href) continue;
    if (start > last) segments.push({ type: "text", text: text.slice(last, start) });
    segments.push({ type: "link", text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) segments.push({ type: "text", text: text.slice(last) });
  return segments;
}

/** Chat text with its http(s) links clickable (new tab, no opener, no referrer). */
export function LinkifiedText({ text }: { text: string }): ReactNode {
  return linkify(text).map((segment, i) =>
    segment.type === "link" ? (
      <a
        key={i}
        href={segment.href}
        target="_blank"
        rel="noopener noreferrer"
        className="break-all text-primary underline underline-offset-2 hover:no-underline"
      >
        {segment.text}
      </a>
    ) : (
      <span key={i}>{segment.text}</span>
    ),
  );
}
