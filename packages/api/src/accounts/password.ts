import { hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";

import { badRequest } from "../lib/errors";
import { PASSWORD_MIN } from "./schemas";

/** OWASP's argon2id minimum: 19 MiB of memory, 2 iterations, 1 lane. */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the email is unknown so timing does not tell. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(crypto.randomUUID());
  return decoyHash;
}

let commonPasswords: Set<string> | undefined;

/** True for passwords on zxcvbn's list of the most common ones (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(
    dictionary["passwords-common"].filter((p) => p.length >= PASSWORD_MIN).map((p) => p.toLowerCase()),
  );
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return true;
  // One repeated character ("aaaaaaaa") or a plain run of digits ("12345678…").
  return /^(.)\1+$/.test(lower) || "012345678901234567890".includes(lower);
}

/** Refuses a new password that is on the list of the most common ones. */
export function assertAcceptablePassword(password: string, field = "password") {
  if (isCommonPassword(password)) {
    throw badRequest(field, "This password is too common and easy to guess. Choose a less predictable one.");
  }
}
