export { createStripeGateway } from "./stripe-gateway.js";
export type { StripeGatewayOptions } from "./stripe-gateway.js";
export { STRIPE_API_VERSION } from "./api-version.js";
export {
  STRIPE_MINIMUM_AMOUNTS,
  STRIPE_THREE_DECIMAL_CURRENCIES,
  STRIPE_ZERO_DECIMAL_CURRENCIES,
  fromStripeAmount,
  toStripeAmount,
} from "./stripe-currencies.js";
export { coreDeclineCode } from "./decline-codes.js";
export { mapStripeError } from "./map-stripe-error.js";
export { parseWebhookSecrets } from "./webhook-verification.js";
