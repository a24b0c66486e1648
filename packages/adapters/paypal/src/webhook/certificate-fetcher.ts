import { PaymentError } from "@org/payments-core";

/** Fetches a webhook signing certificate (PEM). Injected in tests; called only for URLs that passed the host check. */
export type CertificateFetcher = (url: URL) => Promise<string>;

/**
 * PayPal publishes its webhook signing certificates under /v1/notifications/certs/ on its API hosts. Anything else
 * is refused before any request is made: otherwise a forger could name their own certificate in `paypal-cert-url`.
 * Hosts are per environment, so a sandbox certificate never verifies a production event.
 */
const CERT_HOSTS = {
  production: new Set(["api.paypal.com", "api-m.paypal.com"]),
  sandbox: new Set(["api.sandbox.paypal.com", "api-m.sandbox.paypal.com"]),
} as const;

export function assertPayPalCertificateUrl(raw: string, environment: "sandbox" | "production"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PaymentError("webhook_signature_invalid", "paypal-cert-url is not a URL");
  }
  const hostOk = CERT_HOSTS[environment].has(url.hostname.toLowerCase());
  if (url.protocol !== "https:" || !hostOk || url.port !== "" || url.username !== "" || url.password !== "" ||
      !url.pathname.startsWith("/v1/notifications/certs/")) {
    throw new PaymentError("webhook_signature_invalid", "paypal-cert-url is not a PayPal certificate URL", {
      details: { host: url.hostname },
    });
  }
  return url;
}

/** The default fetcher: plain HTTPS GET with a timeout, no redirects (a redirect could leave PayPal's hosts). */
export const fetchCertificate: CertificateFetcher = async (url) => {
  const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`certificate fetch answered ${response.status}`);
  return response.text();
};

/** Certificates rarely change; caching them keeps one webhook from costing one HTTPS round trip. */
export class CertificateCache {
  readonly #entries = new Map<string, Promise<string>>();

  constructor(private readonly fetcher: CertificateFetcher, private readonly maxEntries = 16) {}

  get(url: URL): Promise<string> {
    const key = url.href;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = this.fetcher(url);
      // A failed fetch must not be remembered.
      entry.catch(() => this.#entries.delete(key));
      if (this.#entries.size >= this.maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
