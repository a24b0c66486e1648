import type { DeclineCode } from "@org/payments-core";

const INSUFFICIENT = new Set(["insufficient_funds", "withdrawal_count_limit_exceeded"]);
const EXPIRED = new Set(["expired_card"]);
const CVC = new Set(["incorrect_cvc", "invalid_cvc"]);
const PROCESSING = new Set(["processing_error", "try_again_later", "issuer_not_available", "reenter_transaction"]);
const AUTHENTICATION = new Set([
  "authentication_required",
  "payment_intent_authentication_failure",
  "setup_intent_authentication_failure",
  "authentication_not_handled",
]);

/**
 * Stripe's `code` and `decline_code` onto the core's six decline outcomes. `decline_code` is the more specific
 * (a `card_declined` with `insufficient_funds`), so it is read first; anything unrecognised is a plain decline.
 */
export function coreDeclineCode(code: string | null | undefined, declineCode: string | null | undefined): DeclineCode {
  for (const candidate of [declineCode, code]) {
    if (!candidate) continue;
    if (INSUFFICIENT.has(candidate)) return "insufficient_funds";
    if (EXPIRED.has(candidate)) return "expired_card";
    if (CVC.has(candidate)) return "incorrect_cvc";
    if (PROCESSING.has(candidate)) return "processing_error";
    if (AUTHENTICATION.has(candidate)) return "authentication_required";
  }
  return "card_declined";
}
