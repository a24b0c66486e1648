/** What each Acme test token does when charged (API.md, "Test cards"). */
export type CardBehaviour = { kind: "succeeds" } | { kind: "declines"; code: string } | { kind: "asks_for_3ds" };

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = {
  tok_visa: { kind: "succeeds" },
  tok_decline: { kind: "declines", code: "do_not_honor" },
  tok_insufficient_funds: { kind: "declines", code: "insufficient_funds" },
  tok_expired_card: { kind: "declines", code: "expired_card" },
  tok_incorrect_cvc: { kind: "declines", code: "invalid_cvc" },
  tok_processing_error: { kind: "declines", code: "issuer_unavailable" },
  tok_3ds_required: { kind: "asks_for_3ds" },
};
