import { createHash, randomBytes } from "node:crypto";

/** A URL-safe random token carrying `bytes` of entropy (20 bytes = 160 bits). */
export function randomToken(bytes = 20): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
