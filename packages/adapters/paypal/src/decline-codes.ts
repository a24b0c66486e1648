import type { DeclineCode } from "@org/payments-core";

/**
 * Orders v2 issues that mean "the buyer's funding was refused" (a definite decline, not an error of ours). Anything
 * else in a 422 is a request PayPal would refuse again, surfaced as `gateway_error` with the issue as declineCode.
 */
const DECLINE_ISSUES: Readonly<Record<string, DeclineCode>> = {
  INSTRUMENT_DECLINED: "card_declined",
  TRANSACTION_REFUSED: "card_declined",
  PAYMENT_SOURCE_DECLINED_BY_PROCESSOR: "card_declined",
  ALIAS_DECLINED_BY_PROCESSOR: "card_declined",
  DECLINED_DUE_TO_RELATED_TXN: "card_declined",
  PAYER_CANNOT_PAY: "card_declined",
  COMPLIANCE_VIOLATION: "card_declined",
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: "card_declined",
  CARD_EXPIRED: "expired_card",
  PAYER_ACTION_REQUIRED: "authentication_required",
};

/**
 * Processor response codes on a capture or authorization that came back DECLINED/DENIED (PayPal's "processor
 * response codes" reference; the OpenAPI lists only the codes). Unknown codes are a plain card decline.
 */
const PROCESSOR_CODES: Readonly<Record<string, DeclineCode>> = {
  "5120": "insufficient_funds",
  "5400": "expired_card",
  "5110": "incorrect_cvc",
  "00N7": "incorrect_cvc",
  PCVV: "incorrect_cvc",
  "9100": "processing_error",
  "5650": "authentication_required",
};

export function declineCodeForIssue(issue: string): DeclineCode | undefined {
  return DECLINE_ISSUES[issue];
}

export function declineCodeForProcessorResponse(code: string | undefined): DeclineCode {
  return (code && PROCESSOR_CODES[code]) || "card_declined";
}
