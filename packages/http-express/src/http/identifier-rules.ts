import { type TextProblem, containsCardNumber, textProblem } from "@org/payments-core";

/** A whole value that is a card number: 13–19 digits with optional single spaces or dashes, Luhn-valid. */
const CARD_SHAPED = /^\d(?:[ -]?\d){12,18}$/;

/**
 * Identifiers a client or an identity provider chooses (Idempotency-Key, the token's subject) are refused when
 * they ARE a card number, not when they merely contain a Luhn-valid digit run: about 0.7% of random UUIDs — the
 * usual keys and subjects — hold one across their dashes, and refusing those would lock real callers out.
 */
export function isWholeCardNumber(text: string): boolean {
  const trimmed = text.trim();
  return CARD_SHAPED.test(trimmed) && containsCardNumber(trimmed);
}

/** What is wrong with an identifier (no controls, no lone surrogates, 1–`max` long, not a card number), or null. */
export function identifierProblem(text: string, max: number): TextProblem | null {
  const problem = textProblem(text, { min: 1, max });
  if (problem !== null) return problem;
  return isWholeCardNumber(text) ? "card_number" : null;
}
