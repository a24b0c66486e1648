/**
 * Every rule of the gateway contract, by key; an adapter may skip one only with a reason (`options.skip`), and the
 * kit skips, with the reason printed, the rules a gateway's declared capabilities say cannot apply to it.
 */
export const GATEWAY_CONTRACT_TESTS = {
  automaticCapture: "charges with automatic capture and reports the captured amount",
  manualCapture: "authorizes with manual capture, then captures in full",
  partialCapture: "captures part of an authorization",
  cancelAuthorization: "cancels an authorization",
  fullRefund: "refunds a payment in full",
  partialRefunds: "refunds a payment in several parts, each with our refund id",
  retrieve: "retrieves what it created, with our payment id",
  findByPaymentId: "finds a payment by our payment id, and nothing for an unknown id",
  createIdempotency: "10 concurrent creates under one key make exactly one provider object",
  refundIdempotency: "10 concurrent refunds under one key make exactly one refund",
  declines: "maps every decline scenario it can produce onto the core's card error codes",
  requiresAction: "reports requires_action with a next action, and succeeds once the customer completes it",
  listTransactions: "lists the payments created in a window, with their refunds",
  invalidPaymentMethod: "an unknown payment method is an invalid request: never a decline, never retried",
  buyerRefusalIsDefinite: "a buyer's refusal that is not about the card is a definite decline, never left to retry",
  lostAnswerIsUnknownAndFound: "an answer lost after the provider acted is an unknown outcome, and the lookup by payment id finds what it made",
  refusedRefundIsDefinite: "a refund the provider refuses (disputed charge, time limit) is a definite failed refund, never left to retry",
  failedRefundIsVisible: "a refund that fails after it was accepted is visible as failed through retrieve and findByPaymentId",
  timeoutIsUnknownAndFound: "an answer that comes after the adapter's own timeout is an unknown outcome (never gateway_error), and the lookup by payment id finds what it made",
  webhookSignedAccepted: "a correctly signed webhook is accepted, as text and as bytes, and names the payment",
  webhookUnsignedRefused: "a webhook without its signature headers is refused with webhook_signature_invalid",
  webhookForeignSecretRefused: "a webhook signed with a secret the adapter does not know is refused with webhook_signature_invalid",
  webhookTamperedBodyRefused: "a webhook whose body changed after signing (another payment id, another amount) is refused with webhook_signature_invalid",
  webhookStaleRefused: "a webhook signed longer ago than the tolerance is refused with webhook_signature_invalid; one within it is accepted",
  amountTooSmall: "an amount one below the declared minimum is refused with amount_too_small, never retried, and the minimum itself is charged",
  zeroDecimalAmounts: "JPY (no decimals): a charge, a partial refund, retrieve and listTransactions report exact minor units (1234 is ¥1234)",
  threeDecimalAmounts: "KWD (three decimals): a charge, a partial refund, retrieve and listTransactions report exact minor units (1230 is 1.230 KWD)",
} as const;

export type GatewayContractTest = keyof typeof GATEWAY_CONTRACT_TESTS;

export interface GatewayContractOptions {
  /** Rules this adapter cannot run, each with the reason (printed with the skipped test). */
  skip?: Partial<Record<GatewayContractTest, string>>;
  /** Amount used by the tests, in minor units of the harness currency (default 2000). */
  amount?: number;
}
