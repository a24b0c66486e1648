/**
 * Signs webhook payloads with the Stripe SDK's own `generateTestHeaderString`, passed in so that this private
 * package needs no `stripe` dependency and signs exactly as the SDK under test verifies.
 */
export interface TestHeaderSigner {
  generateTestHeaderString(options: { payload: string; secret: string; timestamp?: number }): string;
}

export interface SignedWebhook {
  /** The exact bytes to deliver; verification is over these, never over re-serialized JSON. */
  rawBody: string;
  headers: Record<string, string>;
}

export function signWebhookPayload(options: {
  signer: TestHeaderSigner;
  payload: string | object;
  secret: string;
  /** Unix seconds; defaults to the signer's clock (now). */
  timestamp?: number;
}): SignedWebhook {
  const rawBody = typeof options.payload === "string" ? options.payload : JSON.stringify(options.payload, null, 2);
  const signature = options.signer.generateTestHeaderString({
    payload: rawBody,
    secret: options.secret,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { rawBody, headers: { "stripe-signature": signature, "content-type": "application/json" } };
}
