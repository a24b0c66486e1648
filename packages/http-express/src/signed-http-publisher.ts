import { createHmac, timingSafeEqual } from "node:crypto";
import type { EventPublisher, PaymentEvent } from "@org/payments-core";

export const PAYMENTS_SIGNATURE_HEADER = "Payments-Signature";
export const PAYMENTS_EVENT_ID_HEADER = "Payments-Event-Id";

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

/** Hex HMAC-SHA256 over `"<t>.<body>"`: binding the timestamp into the MAC is what makes replays detectable. */
function sign(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/**
 * An `EventPublisher` that POSTs each event to a URL, signed (`Payments-Signature: t=<unix>,v1=<hex>`), and
 * resolves only on a 2xx answer: anything else (non-2xx, redirect, timeout, network error) rejects so the outbox
 * retries. Redirects are not followed, so a signed event never goes anywhere the host did not configure.
 */
export function createSignedHttpPublisher(options: SignedHttpPublisherOptions): EventPublisher {
  if (options.secret === "") throw new Error("createSignedHttpPublisher: secret must not be empty");
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
            [PAYMENTS_SIGNATURE_HEADER]: `t=${timestamp},v1=${sign(options.secret, timestamp, body)}`,
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

export type PaymentsSignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: "missing_header" | "malformed_header" | "timestamp_out_of_tolerance" | "signature_mismatch" };

export interface VerifyPaymentsSignatureOptions {
  /** Largest accepted distance between the signature's time and now, either way (default 300 s). */
  toleranceSeconds?: number | undefined;
  /** Milliseconds since the epoch (default `Date.now()`). */
  now?: number | undefined;
}

/**
 * For receivers of the signed HTTP publisher: checks `Payments-Signature` against the raw request body (the exact
 * bytes, before any JSON parsing) with one or several secrets (several while rotating). Constant-time compare;
 * a timestamp outside the tolerance is refused so that a captured request cannot be replayed later.
 */
export function verifyPaymentsSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secrets: string | readonly string[],
  options: VerifyPaymentsSignatureOptions = {},
): PaymentsSignatureCheck {
  if (header === undefined || header === null || header === "") return { valid: false, reason: "missing_header" };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && value !== undefined && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: "malformed_header" };
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return { valid: false, reason: "timestamp_out_of_tolerance" };
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    if (secret === "") continue;
    const expected = Buffer.from(sign(secret, timestamp, rawBody), "hex");
    // Every candidate is compared in full: the loop's timing reveals nothing about which bytes matched.
    if (signatures.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { valid: true, timestamp };
    }
  }
  return { valid: false, reason: "signature_mismatch" };
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return error instanceof Error ? error.message : String(error);
}
