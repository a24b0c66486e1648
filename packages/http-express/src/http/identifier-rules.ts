import { type TextProblem, textProblem } from "@org/payments-core";

/**
 * Identifiers a client or an identity provider chooses (Idempotency-Key, the token's subject) follow core's rule for
 * identifiers: no controls, no lone surrogates, 1–`max` long, and no number of a card network's shape — which a
 * UUID or a numeric id never is by chance (card-data.ts).
 */
export function identifierProblem(text: string, max: number): TextProblem | null {
  return textProblem(text, { min: 1, max, refuseCardNumbers: "identifier" });
}
