import { cleanText, displayText } from "@parlor/api/schemas";
import { describe, expect, it } from "vitest";

import { cleanDisplayName, displayNameError } from "./display-name";

const schema = displayText("Name");

const samples = [
  "Ada Lovelace",
  "  Ada   L.  ",
  "",
  "   ",
  "\u200b\u200b",
  "Zoë",
  "設計レビュー",
  "a".repeat(64),
  "a".repeat(65),
  " ".repeat(10) + "b".repeat(64),
  "tab\tand\nnewline",
  "e\u0301", // e + combining accent: one character after NFC
  "😀".repeat(40),
  "😀".repeat(64),
  "😀".repeat(65),
];

describe("display name rule", () => {
  it.each(samples)("agrees with the shared schema for %j", (value) => {
    const server = schema.safeParse(value);
    expect(displayNameError(value) === null).toBe(server.success);
    if (!server.success) expect(displayNameError(value)).toBe(server.error.issues[0]?.message);
    expect(cleanDisplayName(value)).toBe(cleanText(value));
  });
});
