import { configurationError } from "@org/payments-core";
import type { EventPublisher, PaymentEvent } from "@org/payments-core";
import { PAYMENTS_EVENT_ID_HEADER, PAYMENTS_SIGNATURE_HEADER, signPayload } from "./payments-signature.js";

export interface SignedHttpPublisherOptions {
  /** The receiver's endpoint; events are POSTed to it as JSON. */
  url: string;
  /** Shared secret for the HMAC; the receiver verifies with `verifyPaymentsSignature`. */
  secret: string;
  /** A request taking longer fails (and the outbox retries it); default 10 s, keep it below the outbox lease. */
  timeoutMs?: number | undefined;
  /** Injected for tests or proxies; defaults to the global fetch. */
  fetch?: typeof fetch | undefined;
  /** Milliseconds since the epoch, for the signature's timestamp (default `Date.now`). */
  now?: (() => number) | undefined;
}

export class SignedHttpPublisherError extends Error {
  override readonly name = "SignedHttpPublisherError";
  constructor(
    message: string,
    /** The receiver's HTTP status, when it answered. */
    readonly status: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An `EventPublisher` that POSTs each event to a URL, signed (`Payments-Signature: t=<unix>,v1=<hex>`), and
 * resolves only on a 2xx answer: anything else (non-2xx, redirect, timeout, network error) rejects so the outbox
 * retries. Redirects are not followed, so a signed event never goes anywhere the host did not configure.
 */
export function createSignedHttpPublisher(options: SignedHttpPublisherOptions): EventPublisher {
  // An empty key would sign every event with a MAC anyone can compute: refuse it at start-up, not at delivery.
  if (options.secret === "") throw configurationError("createSignedHttpPublisher: secret must not be empty", { option: "secret" });
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  return {
    async publish(event: PaymentEvent): Promise<void> {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(now() / 1000);
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: "POST",
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            "content-type": "application/json",
            [PAYMENTS_SIGNATURE_HEADER]: `t=${timestamp},v1=${signPayload(options.secret, timestamp, body)}`,
            [PAYMENTS_EVENT_ID_HEADER]: event.id,
          },
        });
      } catch (error) {
        throw new SignedHttpPublisherError(`event ${event.id} not delivered to ${options.url}: ${describe(error)}`, null, { cause: error });
      }
      // Drain the body so the connection can be reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        throw new SignedHttpPublisherError(`event ${event.id} refused by ${options.url}: HTTP ${response.status}`, response.status);
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return error instanceof Error ? error.message : String(error);
}
