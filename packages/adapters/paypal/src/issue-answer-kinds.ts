import type { DeclineCode, PaymentErrorCode } from "@org/payments-core";

/**
 * The rule: every `issue` PayPal's Orders v2 and Payments v2 documents list for an error answer maps to exactly one
 * of the core's five answer kinds (ports/payment-gateway.ts), so no PayPal answer can leave a payment pending
 * without a bound. The table covers the whole catalogue of both OpenAPI documents (every operation, not only the
 * ones this adapter calls); a test reads the catalogue from the trimmed in-project copy of the documents and fails
 * on any issue missing here, and the README's table is checked against this one.
 *
 * How each kind is expressed depends on the call (paypal-gateway.ts):
 * - `declined`: PayPal refused to move this money for reasons of the buyer's or the merchant's account, limits,
 *   risk rules, or (on a refund) the refund's eligibility. A charge answers a `failed` payment with `declineCode` as
 *   `failure.code` and the issue as `failure.declineCode`; a refund answers a `failed` refund whose `failureReason`
 *   is the issue (`providerRefundId` "" as PayPal made none). Never retried: PayPal would refuse it again.
 * - `needs_customer`: the buyer must return to PayPal (approve, a payer action such as 3-D Secure, or choose another
 *   funding source on the same order). A resume answers `requires_action` with the order's payer-action or approve
 *   link. Where no buyer can act (a refund, a capture of an authorization, an order PayPal did not create) the answer
 *   is a decline with `declineCode`.
 * - `invalid_request`: PayPal refused the request itself (its shape, a feature the account is not set up for, or the
 *   object's state) and moved no money: thrown as `errorCode`; the payment stays where it was.
 * - `retryable`: PayPal certainly did not act and the same request may succeed later (its credentials or
 *   permissions, a request in progress): thrown `gateway_error`, bounded by the core's attempt policy.
 * - `unknown_outcome`: the answer says the action happened or is happening (already captured, completion in
 *   progress): the adapter reads the object at once and answers with what it is; if it cannot be read the call
 *   throws `gateway_outcome_unknown`.
 */
export type PayPalAnswerKind = "declined" | "needs_customer" | "invalid_request" | "retryable" | "unknown_outcome";

export type InvalidRequestCode = Extract<
  PaymentErrorCode,
  | "validation_error"
  | "invalid_amount"
  | "amount_too_small"
  | "currency_not_supported"
  | "not_found"
  | "invalid_state_transition"
  | "refund_exceeds_captured"
>;

export type IssueRule =
  | { readonly kind: "declined" | "needs_customer"; readonly declineCode: DeclineCode }
  | { readonly kind: "invalid_request"; readonly errorCode: InvalidRequestCode }
  | { readonly kind: "retryable" }
  /** `readBack: false`: the object cannot tell yet (a request still running, an earlier order of the payment). */
  | { readonly kind: "unknown_outcome"; readonly readBack?: false };

const declined = (declineCode: DeclineCode): IssueRule => ({ kind: "declined", declineCode });
const needsCustomer = (declineCode: DeclineCode): IssueRule => ({ kind: "needs_customer", declineCode });
const invalid = (errorCode: InvalidRequestCode = "validation_error"): IssueRule => ({ kind: "invalid_request", errorCode });
const RETRYABLE: IssueRule = { kind: "retryable" };
const LOOK_UP: IssueRule = { kind: "unknown_outcome" };
const MAY_HAVE_ACTED: IssueRule = { kind: "unknown_outcome", readBack: false };

export const ISSUE_ANSWER_KINDS: Readonly<Record<string, IssueRule>> = {
  // ── declined: the buyer's funding, account or limits ──────────────────────────────────────────────────────────
  AGREEMENT_ALREADY_CANCELLED: declined("card_declined"),
  ALIAS_DECLINED_BY_PROCESSOR: declined("card_declined"),
  BANK_NOT_SUPPORTED_FOR_VERIFICATION: declined("card_declined"),
  BILLING_ADDRESS_INVALID: declined("card_declined"),
  CARD_BRAND_NOT_SUPPORTED: declined("card_declined"),
  CARD_EXPIRED: declined("expired_card"),
  CARD_TYPE_NOT_SUPPORTED: declined("card_declined"),
  COMPLIANCE_VIOLATION: declined("card_declined"),
  COUNTRY_NOT_SUPPORTED_BY_PAYMENT_SOURCE: declined("card_declined"),
  CURRENCY_NOT_SUPPORTED_FOR_BANK: declined("card_declined"),
  CURRENCY_NOT_SUPPORTED_FOR_CARD_TYPE: declined("card_declined"),
  DECLINED_DUE_TO_RELATED_TXN: declined("card_declined"),
  DOMESTIC_TRANSACTION_REQUIRED: declined("card_declined"),
  IBAN_COUNTRY_NOT_SUPPORTED: declined("card_declined"),
  INVALID_EXPIRY_DATE: declined("expired_card"),
  INVALID_IBAN: declined("card_declined"),
  INVALID_SECURITY_CODE_LENGTH: declined("incorrect_cvc"),
  ITEM_CATEGORY_NOT_SUPPORTED_BY_PAYMENT_SOURCE: declined("card_declined"),
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: declined("card_declined"),
  PAYEE_COUNTRY_NOT_SUPPORTED_FOR_PAYMENT_SOURCE: declined("card_declined"),
  PAYER_ACCOUNT_LOCKED_OR_CLOSED: declined("card_declined"),
  PAYER_ACCOUNT_RESTRICTED: declined("card_declined"),
  PAYER_CANNOT_PAY: declined("card_declined"),
  PAYMENT_SOURCE_CANNOT_BE_USED: declined("card_declined"),
  PAYMENT_SOURCE_DECLINED_BY_PROCESSOR: declined("card_declined"),
  PAYMENT_SOURCE_INFO_CANNOT_BE_VERIFIED: declined("card_declined"),
  PREVIOUS_TRANSACTION_REFERENCE_HAS_CHARGEBACK: declined("card_declined"),
  REFERENCED_CARD_EXPIRED: declined("expired_card"),
  TOKEN_EXPIRED: declined("expired_card"),
  TRANSACTION_LIMIT_EXCEEDED: declined("card_declined"),
  TRANSACTION_REFUSED: declined("card_declined"),

  // ── declined: the merchant's side refuses this payment (risk settings, a restricted or closed account, limits),
  //    or it can no longer be completed (the order or the authorization expired) ───────────────────────────────
  AUTHORIZATION_EXPIRED: declined("processing_error"),
  ORDER_EXPIRED: declined("processing_error"),
  PAYEE_ACCOUNT_LOCKED_OR_CLOSED: declined("processing_error"),
  PAYEE_ACCOUNT_RESTRICTED: declined("processing_error"),
  PAYEE_BLOCKED_TRANSACTION: declined("card_declined"),
  TRANSACTION_BLOCKED_BY_PAYEE: declined("card_declined"),
  TRANSACTION_RECEIVING_LIMIT_EXCEEDED: declined("processing_error"),

  // ── declined: refund refusals (a failed refund, its reservation released, never retried) ────────────────────
  MAX_NUMBER_OF_REFUNDS_EXCEEDED: declined("processing_error"),
  PARTIAL_REFUND_NOT_ALLOWED: declined("processing_error"),
  REFUND_FAILED_INSUFFICIENT_FUNDS: declined("processing_error"),
  REFUND_IS_RESTRICTED: declined("processing_error"),
  REFUND_NOT_ALLOWED: declined("processing_error"),
  REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK: declined("processing_error"),
  REFUND_TIME_LIMIT_EXCEEDED: declined("processing_error"),
  TRANSACTION_DISPUTED: declined("processing_error"),

  // ── needs the customer: PayPal's documented recovery is to send the buyer back to PayPal ─────────────────────
  APPLE_PAY_AMOUNT_MISMATCH: needsCustomer("card_declined"),
  INSTRUMENT_DECLINED: needsCustomer("card_declined"),
  ORDER_NOT_APPROVED: needsCustomer("authentication_required"),
  PAYER_ACTION_REQUIRED: needsCustomer("authentication_required"),
  PAYMENT_SOURCE_NOT_SUPPORTED: needsCustomer("card_declined"),
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: needsCustomer("card_declined"),
  SHIPPING_ADDRESS_INVALID: needsCustomer("card_declined"),

  // ── unknown outcome, resolved at once: the action already happened or is under way; the object says how ───────
  AUTHORIZATION_ALREADY_CAPTURED: LOOK_UP,
  AUTHORIZATION_DENIED: LOOK_UP,
  AUTHORIZATION_VOIDED: LOOK_UP,
  MAX_AUTHORIZATION_COUNT_EXCEEDED: LOOK_UP,
  ORDER_ALREADY_AUTHORIZED: LOOK_UP,
  ORDER_ALREADY_CAPTURED: LOOK_UP,
  ORDER_ALREADY_COMPLETED: LOOK_UP,
  ORDER_CANNOT_BE_CONFIRMED: LOOK_UP,
  ORDER_COMPLETED_OR_VOIDED: LOOK_UP,
  ORDER_COMPLETION_IN_PROGRESS: LOOK_UP,
  ORDER_IS_PENDING_APPROVAL: LOOK_UP,
  PAYMENT_ALREADY_APPROVED: LOOK_UP,
  PREVIOUSLY_CAPTURED: LOOK_UP,
  PREVIOUSLY_VOIDED: LOOK_UP,

  // ── unknown outcome: the first request with this PayPal-Request-Id is still running and may capture or refund ──
  PREVIOUS_REQUEST_IN_PROGRESS: MAY_HAVE_ACTED,

  // ── retryable: PayPal did not act; credentials or permissions ──────────────────────────────────────────────────
  CONSENT_NEEDED: RETRYABLE,
  INVALID_ACCOUNT_STATUS: RETRYABLE,
  NOT_ELIGIBLE_FOR_TOKEN_PROCESSING: RETRYABLE,
  PAYEE_ACCOUNT_NOT_VERIFIED: RETRYABLE,
  PERMISSION_DENIED: RETRYABLE,
  PERMISSION_DENIED_FOR_DONATION_ITEMS: RETRYABLE,

  // ── invalid request: amounts and currencies ───────────────────────────────────────────────────────────────────
  AMOUNT_MISMATCH: invalid("invalid_amount"),
  AUTHORIZATION_AMOUNT_EXCEEDED: invalid("invalid_amount"),
  CANNOT_BE_NEGATIVE: invalid("invalid_amount"),
  CANNOT_BE_ZERO_OR_NEGATIVE: invalid("invalid_amount"),
  DECIMAL_PRECISION: invalid("invalid_amount"),
  DECIMALS_NOT_SUPPORTED: invalid("invalid_amount"),
  MAX_CAPTURE_AMOUNT_EXCEEDED: invalid("invalid_amount"),
  MAX_VALUE_EXCEEDED: invalid("invalid_amount"),
  REFUND_AMOUNT_TOO_LOW: invalid("amount_too_small"),
  CURRENCY_NOT_SUPPORTED_FOR_COUNTRY: invalid("currency_not_supported"),
  INVALID_CURRENCY_CODE: invalid("currency_not_supported"),
  CAPTURE_FULLY_REFUNDED: invalid("refund_exceeds_captured"),
  REFUND_AMOUNT_EXCEEDED: invalid("refund_exceeds_captured"),

  // ── invalid request: the object's state does not allow it now ─────────────────────────────────────────────────
  CANNOT_BE_VOIDED: invalid("invalid_state_transition"),
  CAPTURE_STATUS_NOT_VALID: invalid("invalid_state_transition"),
  MAX_CAPTURE_COUNT_EXCEEDED: invalid("invalid_state_transition"),
  PENDING_CAPTURE: invalid("invalid_state_transition"),
  REAUTHORIZATION_NOT_SUPPORTED: invalid("invalid_state_transition"),

  // ── invalid request: an id PayPal does not know ──────────────────────────────────────────────────────────────
  CAPTURE_ID_NOT_FOUND: invalid("not_found"),
  INVALID_RESOURCE_ID: invalid("not_found"),
  TRACKER_ID_NOT_FOUND: invalid("not_found"),

  // ── invalid request: the request's shape, its fields, or a feature the account is not set up for ─────────────
  ACTION_DOES_NOT_MATCH_INTENT: invalid(),
  AMOUNT_CANNOT_BE_SPECIFIED: invalid(),
  AMOUNT_CHANGE_NOT_ALLOWED: invalid(),
  AMOUNT_NOT_PATCHABLE: invalid(),
  AUTH_CAPTURE_CURRENCY_MISMATCH: invalid(),
  AUTH_CAPTURE_NOT_ENABLED: invalid(),
  AUTH_CURRENCY_MISMATCH: invalid(),
  AUTHORIZATION_CURRENCY_MISMATCH: invalid(),
  BILLING_AGREEMENT_ID_MISMATCH: invalid(),
  BILLING_AGREEMENT_NOT_FOUND: invalid(),
  BLIK_ONE_CLICK_MISSING_REQUIRED_PARAMETER: invalid(),
  CANCEL_URL_REQUIRED: invalid(),
  CARD_EXPIRY_REQUIRED: invalid(),
  CARD_NUMBER_REQUIRED: invalid(),
  CITY_REQUIRED: invalid(),
  CRYPTOGRAM_REQUIRED: invalid(),
  CURRENCY_MISMATCH: invalid(),
  DEVICE_DATA_NOT_AVAILABLE: invalid(),
  DONATION_ITEMS_NOT_SUPPORTED: invalid(),
  // Our payment id is the invoice id: PayPal already holds a transaction for this payment — money may have moved on
  // an earlier order. Never "invalid" (the payment would be offered for payment again): the core looks it up, and
  // flags it for an operator if the lookup cannot tell; reconcile reports the earlier order.
  DUPLICATE_INVOICE_ID: MAY_HAVE_ACTED,
  DUPLICATE_REFERENCE_ID: invalid(),
  EMV_DATA_REQUIRED: invalid(),
  FIELD_NOT_PATCHABLE: invalid(),
  GOOGLE_PAY_GATEWAY_MERCHANT_ID_MISMATCH: invalid(),
  IDENTIFIER_NOT_FOUND: invalid(),
  INCOMPATIBLE_PARAMETER_VALUE: invalid(),
  INVALID_ARRAY_MAX_ITEMS: invalid(),
  INVALID_ARRAY_MIN_ITEMS: invalid(),
  INVALID_COUNTRY_CODE: invalid(),
  INVALID_FX_RATE_ID: invalid(),
  INVALID_GOOGLE_PAY_TOKEN: invalid(),
  INVALID_JSON_POINTER_FORMAT: invalid(),
  INVALID_PARAMETER: invalid(),
  INVALID_PARAMETER_SYNTAX: invalid(),
  INVALID_PARAMETER_VALUE: invalid(),
  INVALID_PATCH_OPERATION: invalid(),
  INVALID_PAYEE_PRICING_TIER_ID: invalid(),
  INVALID_PAYER_ID: invalid(),
  INVALID_PICKUP_ADDRESS: invalid(),
  INVALID_PLATFORM_FEES_ACCOUNT: invalid(),
  INVALID_PLATFORM_FEES_AMOUNT: invalid(),
  INVALID_PREVIOUS_TRANSACTION_REFERENCE: invalid(),
  INVALID_STRING_LENGTH: invalid(),
  INVALID_STRING_MAX_LENGTH: invalid(),
  ITEM_SKU_MISMATCH: invalid(),
  ITEM_TOTAL_MISMATCH: invalid(),
  ITEM_TOTAL_REQUIRED: invalid(),
  MALFORMED_REQUEST_JSON: invalid(),
  MERCHANT_INITIATED_WITH_AUTHENTICATION_RESULTS: invalid(),
  MERCHANT_INITIATED_WITH_MULTIPLE_PURCHASE_UNITS: invalid(),
  MERCHANT_INITIATED_WITH_SECURITY_CODE: invalid(),
  MISMATCHED_VAULT_ID_TO_PAYMENT_SOURCE: invalid(),
  MISSING_CRYPTOGRAM: invalid(),
  MISSING_PICKUP_ADDRESS: invalid(),
  MISSING_PREVIOUS_REFERENCE: invalid(),
  MISSING_REQUIRED_PARAMETER: invalid(),
  MSP_NOT_SUPPORTED: invalid(),
  MULTI_CURRENCY_ORDER: invalid(),
  MULTIPLE_ITEM_CATEGORIES: invalid(),
  MULTIPLE_SHIPPING_ADDRESS_NOT_SUPPORTED: invalid(),
  MULTIPLE_SHIPPING_OPTION_SELECTED: invalid(),
  MULTIPLE_SHIPPING_TYPE_NOT_SUPPORTED: invalid(),
  NO_PAYMENT_SOURCE_PROVIDED: invalid(),
  NOT_ELIGIBLE_FOR_PAYPAL_TRANSACTION_ID_PROCESSING: invalid(),
  NOT_ELIGIBLE_FOR_PNREF_PROCESSING: invalid(),
  NOT_ENABLED_FOR_APPLE_PAY: invalid(),
  NOT_ENABLED_FOR_BANK_PROCESSING: invalid(),
  NOT_ENABLED_FOR_CARD_PROCESSING: invalid(),
  NOT_ENABLED_FOR_GOOGLE_PAY: invalid(),
  NOT_ENABLED_TO_VAULT_PAYMENT_SOURCE: invalid(),
  NOT_PATCHABLE: invalid(),
  NOT_SUPPORTED: invalid(),
  ONE_OF_PARAMETERS_REQUIRED: invalid(),
  ONE_OF_THE_PARAMETERS_REQUIRED: invalid(),
  ONLY_ONE_BANK_SOURCE_ALLOWED: invalid(),
  ONLY_ONE_PAYMENT_SOURCE_ALLOWED: invalid(),
  ORDER_CANNOT_BE_SAVED: invalid(),
  ORDER_COMPLETE_ON_PAYMENT_APPROVAL: invalid(),
  PATCH_PATH_REQUIRED: invalid(),
  PATCH_VALUE_REQUIRED: invalid(),
  PAYEE_ACCOUNT_INVALID: invalid(),
  PAYEE_FX_RATE_ID_CURRENCY_MISMATCH: invalid(),
  PAYEE_FX_RATE_ID_EXPIRED: invalid(),
  PAYEE_NOT_ENABLED_FOR_BANK_PROCESSING: invalid(),
  PAYEE_NOT_ENABLED_FOR_CARD_PROCESSING: invalid(),
  PAYEE_PRICING_TIER_ID_NOT_ENABLED: invalid(),
  PAYMENT_SOURCE_MISMATCH: invalid(),
  PAYMENT_TYPE_NOT_SUPPORTED_FOR_INTENT: invalid(),
  PAYPAL_REQUEST_ID_REQUIRED: invalid(),
  PAYPAL_TRANSACTION_ID_EXPIRED: invalid(),
  PAYPAL_TRANSACTION_ID_NOT_FOUND: invalid(),
  PLATFORM_FEE_EXCEEDED: invalid(),
  PLATFORM_FEE_NOT_ENABLED: invalid(),
  PLATFORM_FEE_PAYEE_CANNOT_BE_SAME_AS_PAYER: invalid(),
  PLATFORM_FEES_NOT_SUPPORTED: invalid(),
  PNREF_EXPIRED: invalid(),
  PNREF_NOT_FOUND: invalid(),
  POSTAL_CODE_REQUIRED: invalid(),
  PREFERRED_PAYMENT_SOURCE_MISMATCH: invalid(),
  PREFERRED_SHIPPING_OPTION_AMOUNT_MISMATCH: invalid(),
  PREVIOUS_TRANSACTION_REFERENCE_VOIDED: invalid(),
  REFERENCE_ID_NOT_FOUND: invalid(),
  REFERENCE_ID_REQUIRED: invalid(),
  REFUND_CAPTURE_CURRENCY_MISMATCH: invalid(),
  REQUIRED_PARAMETER_FOR_CUSTOMER_INITIATED_PAYMENT: invalid(),
  REQUIRED_PARAMETER_FOR_PAYMENT_SOURCE: invalid(),
  RETURN_URL_REQUIRED: invalid(),
  SAVE_ORDER_NOT_SUPPORTED: invalid(),
  SETUP_ERROR_FOR_BANK: invalid(),
  SHIPPING_OPTION_NOT_SELECTED: invalid(),
  SHIPPING_OPTIONS_NOT_SUPPORTED: invalid(),
  SHIPPING_TYPE_NOT_SUPPORTED_FOR_CLIENT: invalid(),
  TAX_TOTAL_MISMATCH: invalid(),
  TAX_TOTAL_REQUIRED: invalid(),
  TOKEN_ID_NOT_FOUND: invalid(),
  UNSUPPORTED_INTENT: invalid(),
  UNSUPPORTED_INTENT_FOR_PAYMENT_SOURCE: invalid(),
  UNSUPPORTED_PATCH_PARAMETER_VALUE: invalid(),
  UNSUPPORTED_PAYMENT_INSTRUCTION: invalid(),
  UNSUPPORTED_PROCESSING_INSTRUCTION: invalid(),
  UNSUPPORTED_SHIPPING_TYPE: invalid(),
  VAULT_INSTRUCTION_DUPLICATED: invalid(),
  VAULT_INSTRUCTION_REQUIRED: invalid(),
};

/**
 * The rule for one PayPal error answer. A 408 or 5xx may have acted whatever it says, and a 429 or 401 did not act
 * whatever it says; otherwise the issue's row decides, and an issue PayPal added since the documents (or none at
 * all) takes the kind its status implies: 403 did not act and may pass later, 409 is a request still running (its
 * outcome unknown until it ends), any other 4xx refused the request.
 */
export function answerRuleFor(status: number, issue: string | undefined): IssueRule {
  if (status === 408 || status >= 500) return { kind: "unknown_outcome" };
  if (status === 429 || status === 401) return { kind: "retryable" };
  const row = issue !== undefined ? ISSUE_ANSWER_KINDS[issue] : undefined;
  if (row) return row;
  if (status === 409) return { kind: "unknown_outcome" };
  if (status === 403) return { kind: "retryable" };
  if (status === 404) return { kind: "invalid_request", errorCode: "not_found" };
  return { kind: "invalid_request", errorCode: "validation_error" };
}
