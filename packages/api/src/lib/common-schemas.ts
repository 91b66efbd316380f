import * as z from "./zod";

/** Removes control and formatting characters that have no business in a displayed name. */
export function cleanText(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** A human name for a person, team or room: any script, 1–`max` characters after cleaning. */
export const displayText = (label: string, max = 64) =>
  z
    .string({ error: `Enter a ${label.toLowerCase()}.` })
    .max(max * 4, `${label} must be at most ${max} characters.`)
    .transform(cleanText)
    .pipe(
      z
        .string()
        .min(1, `Enter a ${label.toLowerCase()}.`)
        .max(max, `${label} must be at most ${max} characters.`),
    );

/** A slug as it appears in a URL: lower-case letters and digits of any script, joined by dashes. */
export const slugSchema = z
  .string()
  .trim()
  .min(1, "Missing name in the address.")
  .max(80, "That address is too long.")
  .transform((value) => value.normalize("NFC").toLowerCase())
  .pipe(z.string().regex(/^[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*$/u, "That address is not valid."));

export const teamSlugInput = z.object({ teamSlug: slugSchema });

export const roomInput = z.object({ teamSlug: slugSchema, roomSlug: slugSchema });

export const PARTICIPANT_NAME_MAX = 64;

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .max(254, "That email address is too long.")
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter a valid email address, like name@example.com."));

/** The secret token of an emailed or shared link (`/invite/<token>`, `/reset-password/<token>`). */
export const linkToken = (message: string) =>
  z
    .string()
    .trim()
    .min(16, message)
    .max(128, message)
    .regex(/^[A-Za-z0-9_-]+$/, message);

/**
 * A readable URL slug from a name in any script: "Daily Standup" → "daily-standup",
 * "Café Crème" → "cafe-creme", "設計レビュー" → "設計レビュー". Empty when nothing is left.
 */
export function slugify(name: string, maxLength = 48): string {
  const slug = cleanText(name)
    .normalize("NFKD")
    // Drop accents from Latin letters only; other scripts need their combining marks.
    .replace(/([A-Za-z])\p{Mn}+/gu, "$1")
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return Array.from(slug).slice(0, maxLength).join("").replace(/-+$/, "");
}

/**
 * The name `room.ensure` gives a room it creates from its address: "standup" → "Standup",
 * "design-review" → "Design review". Shared so the page can show it before the room exists.
 */
export function nameFromSlug(slug: string): string {
  const words = slug.replace(/-/g, " ");
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}
