import type { DeclineCode } from "@org/payments-core";

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

export function declineCodeForProcessorResponse(code: string | undefined): DeclineCode {
  return (code && PROCESSOR_CODES[code]) || "card_declined";
}
