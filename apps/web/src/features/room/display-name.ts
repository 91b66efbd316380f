/**
 * The display-name rule of the shared schema (`displayText("Name")` in @parlor/api/schemas: the
 * text cleaned like `cleanText`, then 1–64 characters), checked here without zod so the room page
 * stays light; the server applies the schema itself. `display-name.test.ts` holds the two to the
 * same answers.
 */
export const DISPLAY_NAME_MAX = 64;

export function cleanDisplayName(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Null when the name is fine, else what to fix. */
export function displayNameError(value: string): string | null {
  // Counted in characters (code points), as zod counts: "😀" is one.
  const length = Array.from(cleanDisplayName(value)).length;
  if (length === 0) return "Enter a name.";
  if (length > DISPLAY_NAME_MAX) return `Name must be at most ${DISPLAY_NAME_MAX} characters.`;
  return null;
}
