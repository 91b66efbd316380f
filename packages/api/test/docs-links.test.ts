// What the repository's documents point to exists: files, README sections, no outside contract.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(root + path, "utf8");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
const headings = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map(([, text]) => text!.trim()));

describe("the documents' references", () => {
  const readme = read("README.md");

  it("README's links to files and to its own sections lead somewhere", () => {
    const anchors = new Set([...headings(readme)].map(anchor));
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!);
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) {
      if (/^https?:/.test(target)) continue;
      if (target.startsWith("#")) expect(anchors, target).toContain(target.slice(1));
      else expect(existsSync(root + target.split("#")[0]), target).toBe(true);
    }
  });

  it("the API is listed in the repository, not in a contract outside it", () => {
    expect(readme).not.toMatch(/design contract|contract's table/i);
    const api = read("docs/api.md");
    for (const procedure of [
      "auth.signUp",
      "room.connectionDetails",
      "chat.send",
      "guest.join",
      "admin.users",
    ]) {
      expect(api).toContain(`\`${procedure}`);
    }
  });

  it("docker-compose.yml names README sections that exist", () => {
    const sections = [...read("docker-compose.yml").matchAll(/README\.md, "([^"]+)"/g)].map(
      ([, name]) => name!,
    );
    expect(sections.length).toBeGreaterThan(0);
    for (const name of sections) expect(headings(readme)).toContain(name);
  });
});
