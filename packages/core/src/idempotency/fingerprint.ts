import { createHash } from "node:crypto";

/** JSON with object keys sorted at every depth, so the same parameters always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/**
 * The fingerprint of a request: the operation and its canonicalized parameters, not the raw bytes, so that key
 * order or whitespace never turns a genuine retry into `idempotency_key_reused`.
 */
export function requestFingerprint(operation: string, params: unknown): string {
  return createHash("sha256").update(operation).update("\0").update(canonicalJson(params)).digest("hex");
}
