/** @org/payments-paypal: the core's PaymentGateway on PayPal Orders v2 and Payments v2 (official server SDK). */
export { createPayPalGateway } from "./paypal-gateway.js";
export type { PayPalGatewayOptions } from "./paypal-gateway-options.js";
export { createPayPalClient } from "./paypal-client.js";
export type { PayPalClientOptions } from "./paypal-client.js";
export { PAYPAL_CURRENCIES, PAYPAL_MINIMUM_AMOUNTS, fromPayPalValue, toPayPalValue } from "./paypal-currencies.js";
export { assertPayPalCertificateUrl, fetchCertificate } from "./webhook/certificate-fetcher.js";
export type { CertificateFetcher } from "./webhook/certificate-fetcher.js";
