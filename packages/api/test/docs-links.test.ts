// What the repository's documents point to exists: files, pictures, sections of their own and of
// each other, the sections that configuration files name; the README stays short; no outside contract.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

const documents = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks: a `# comment` in a shell block is no heading, `](` in code no link. */
const prose = (markdown: string) => markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
const headings = (markdown: string) =>
  new Set([...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map(([, text]) => text!.trim()));
const anchors = (path: string) => new Set([...headings(read(path))].map(anchor));

/** Every link and picture a document holds: markdown `](target)` and HTML `src="target"`. */
const targets = (markdown: string) => {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!),
    ...[...text.matchAll(/<img [^>]*src="([^"]+)"/g)].map(([, target]) => target!),
  ];
};

describe("the documents' references", () => {
  const readme = read("README.md");

  it.each(documents)("%s: links, pictures and sections lead somewhere", (document) => {
    const found = targets(read(document));
    // The README leads everywhere: finding few links there means the pattern went wrong.
    if (document === "README.md") expect(found.length).toBeGreaterThan(20);
    for (const target of found) {
      if (/^(https?|mailto):/.test(target)) continue;
      const [path, section] = target.split("#");
      const file = path ? normalize(join(dirname(document), path)) : document;
      expect(relative(root, join(root, file)).startsWith(".."), `${document} → ${target}`).toBe(false);
      expect(existsSync(join(root, file)), `${document} → ${target}`).toBe(true);
      if (section !== undefined) {
        expect(file.endsWith(".md"), `${document} → ${target}`).toBe(true);
        expect(anchors(file), `${document} → ${target}`).toContain(section);
      }
    }
  });

  it("the README fits on a few screens and leads to every document in docs/", () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
    for (const document of documents.filter((path) => path.startsWith("docs/"))) {
      expect(readme).toContain(`](${document})`);
    }
  });

  it("the README says who may be in a call, what ends it, and where the rule lives", () => {
    expect(readme).toMatch(/who may be in a call/i);
    for (const path of ["packages/api/src/access/rule.ts", "packages/api/src/access/evict.ts"]) {
      expect(readme).toContain(path);
      expect(existsSync(join(root, path)), path).toBe(true);
    }
  });

  it("docs/performance.md starts with today's figures against their targets, and stays short", () => {
    const performance = read("docs/performance.md");
    const firstSection = performance.split(/^## /m)[1]!;
    expect(firstSection).toMatch(/^Today's figures and targets/);
    expect(firstSection).toMatch(/^\| figure +\| target +\|/m);
    // Lines as `wc -l` counts them: the newline that ends the last line opens no line of its own.
    expect(performance.trimEnd().split("\n").length).toBeLessThanOrEqual(200);
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

  it.each(["docker-compose.yml", ".env.example"])("%s names sections that exist", (file) => {
    // `see docs/self-hosting.md, "The docker compose stack" and "Running in production"`
    const references = [...read(file).matchAll(/([\w./-]+\.md), ((?:"[^"]+"(?: and )?)+)/g)];
    expect(references.length).toBeGreaterThan(0);
    for (const [, document, names] of references) {
      expect(existsSync(join(root, document!)), document).toBe(true);
      for (const [, name] of names!.matchAll(/"([^"]+)"/g)) {
        expect(headings(read(document!)), `${file}: ${document}, "${name}"`).toContain(name);
      }
    }
  });
});
