import type { PaymentGateway } from "../ports/payment-gateway.js";
import { forwardTo } from "./forward-to.js";

/**
 * Wraps a gateway, replacing only the members `overrides` returns (given the inner gateway); everything else is
 * forwarded unchanged. For instrumentation, a provider quirk handled in one place, or in tests a broken rule.
 */
export function decorateGateway(inner: PaymentGateway, overrides: (inner: PaymentGateway) => Partial<PaymentGateway>): PaymentGateway {
  return forwardTo(inner, overrides(inner));
}
