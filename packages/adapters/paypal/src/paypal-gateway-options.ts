import type { Client } from "@paypal/paypal-server-sdk";
import type { CertificateFetcher } from "./webhook/certificate-fetcher.js";

export interface PayPalGatewayOptions {
  /** REST app credentials; used only when no `client` is passed. */
  clientId?: string;
  clientSecret?: string;
  environment: "sandbox" | "production";
  /** The id of the webhook registered in the PayPal app; part of every signature. */
  webhookId: string;
  /** A preconfigured SDK client (see `createPayPalClient`); tests pass one aimed at a local fake. */
  client?: Client;
  /**
   * How webhooks are verified: `api` asks PayPal (POST /v1/notifications/verify-webhook-signature, one round trip
   * per event); `offline` checks the RSA signature locally against PayPal's certificate (cached).
   */
  verification: "api" | "offline";
  /** Fetches `paypal-cert-url` for offline verification; only PayPal certificate URLs ever reach it. */
  certificateFetcher?: CertificateFetcher;
  /** Webhook transmission times further than this from now are refused (replay defence). Default 5 minutes. */
  webhookToleranceMs?: number;
  /** How far back `findByPaymentId` searches PayPal's transaction reporting. Default 31 days (one search window). */
  searchLookbackMs?: number;
  /** Per-request timeout when the adapter builds the client. Default 30 s. */
  timeoutMs?: number;
  /** The provider name payments carry; default "paypal". */
  provider?: string;
  /** Injectable clock (webhook freshness, search windows). */
  now?: () => Date;
}
