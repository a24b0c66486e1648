import type { Payment, ReceiptMerchant, ReceiptPaymentMethod } from "@org/payments-core";

/** Signed receipt links a host e-mails to customers: no bearer token is needed to open one. */
export interface ReceiptLinkOptions {
  /**
   * HMAC secrets (HS256), each at least 32 bytes, and different from the bearer JWT secret. The first signs new
   * links; every one verifies, so a key is rotated by putting the new one first and dropping the old one once the
   * links it signed have expired.
   */
  secrets: readonly string[];
  /** How long a link opens the receipt (default 7 days; 60 s to 90 days). */
  expiresInSeconds?: number | undefined;
  /**
   * The public URL the router is reachable at, e.g. "https://pay.example.com/payments-api": links are absolute only
   * then. The Host header is never used, since a forged one would put someone else's domain into an e-mail.
   */
  publicBaseUrl?: string | undefined;
}

export interface ReceiptOptions {
  /** BCP 47 locale for amounts and dates on the HTML receipt (default "en-US"). */
  locale?: string | undefined;
  /** IANA time zone the dates are shown in (default "UTC"). */
  timeZone?: string | undefined;
  merchant?: ReceiptMerchant | undefined;
  /** The brand and last four digits the payment was made with, as the host's records (or provider) know them. */
  paymentMethod?: ((payment: Payment) => ReceiptPaymentMethod | null | undefined | Promise<ReceiptPaymentMethod | null | undefined>) | undefined;
  /** Enables POST /payments/:id/receipt-link and the public GET /receipts/:token. */
  links?: ReceiptLinkOptions | undefined;
}
