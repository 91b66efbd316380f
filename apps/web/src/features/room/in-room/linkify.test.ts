import { describe, expect, it } from "vitest";

import { linkify, safeHttpUrl } from "./linkify";

describe("linkify", () => {
  it("turns http and https URLs into links and keeps the rest as text", () => {
    expect(linkify("see https://example.com/a?b=1 and http://x.org")).toEqual([
      { type: "text", text: "see " },
      { type: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { type: "text", text: " and " },
      { type: "link", text: "http://x.org", href: "http://x.org/" },
    ]);
  });

  it("leaves trailing punctuation out of the link", () => {
    expect(linkify("Look: https://example.com/page.")).toEqual([
      { type: "text", text: "Look: " },
      { type: "link", text: "https://example.com/page", href: "https://example.com/page" },
      { type: "text", text: "." },
    ]);
    expect(linkify("(https://example.com)")[1]).toMatchObject({ text: "https://example.com" });
  });

  it("keeps balanced parentheses that belong to the URL", () => {
    const link = linkify("https://en.wikipedia.org/wiki/Foo_(bar)).").find((s) => s.type === "link");
    expect(link?.text).toBe("https://en.wikipedia.org/wiki/Foo_(bar)");
  });

  it("never links other schemes", () => {
    for (const text of [
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:x",
      "file:///etc/passwd",
      "ftp://x.org",
    ]) {
      expect(linkify(text).every((s) => s.type === "text")).toBe(true);
    }
  });

  it("does not let quotes or angle brackets into a link", () => {
    const segments = linkify(`https://a.com/"><img src=x onerror=alert(1)>`);
    const link = segments.find((s) => s.type === "link");
    expect(link?.text).toBe("https://a.com/");
    expect(segments.map((s) => s.text).join("")).toBe(`https://a.com/"><img src=x onerror=alert(1)>`);
  });

  it("returns plain text unchanged", () => {
    expect(linkify("<b>hi</b>")).toEqual([{ type: "text", text: "<b>hi</b>" }]);
    expect(linkify("")).toEqual([]);
  });
});

describe("safeHttpUrl", () => {
  it("accepts http(s) only", () => {
    expect(safeHttpUrl("https://example.com")).toBe("https://example.com/");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("not a url")).toBeNull();
  });
});
