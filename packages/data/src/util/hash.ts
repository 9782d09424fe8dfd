/**
 * @file SHA-256 helpers used to key caches by content (corpus text, tokenizer JSON).
 */
import { createHash } from "node:crypto";

/** Hex SHA-256 of a string (hashed as UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
