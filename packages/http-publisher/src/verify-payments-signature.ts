import { timingSafeEqual } from "node:crypto";
import { signPayload } from "./payments-signature.js";

export type PaymentsSignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: "missing_header" | "malformed_header" | "timestamp_out_of_tolerance" | "signature_mismatch" };

export interface VerifyPaymentsSignatureOptions {
  /** Largest accepted distance between the signature's time and now, either way (default 300 s). */
  toleranceSeconds?: number | undefined;
  /** Milliseconds since the epoch (default `Date.now()`). */
  now?: number | undefined;
}

/**
 * For receivers of the signed HTTP publisher: checks `Payments-Signature` against the raw request body (the exact
 * bytes, before any JSON parsing) with one or several secrets (several while rotating). Constant-time compare;
 * a timestamp outside the tolerance is refused so that a captured request cannot be replayed later.
 */
export function verifyPaymentsSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secrets: string | readonly string[],
  options: VerifyPaymentsSignatureOptions = {},
): PaymentsSignatureCheck {
  if (header === undefined || header === null || header === "") return { valid: false, reason: "missing_header" };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && value !== undefined && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: "malformed_header" };
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return { valid: false, reason: "timestamp_out_of_tolerance" };
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    if (secret === "") continue;
    const expected = Buffer.from(signPayload(secret, timestamp, rawBody), "hex");
    // Every candidate is compared in full: the loop's timing reveals nothing about which bytes matched.
    if (signatures.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { valid: true, timestamp };
    }
  }
  return { valid: false, reason: "signature_mismatch" };
}
