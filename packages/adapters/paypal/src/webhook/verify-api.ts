import { PaymentError } from "@org/payments-core";
import type { Client } from "@paypal/paypal-server-sdk";
import type { PayPalTransmission } from "./webhook-headers.js";

/**
 * PayPal's online check, POST /v1/notifications/verify-webhook-signature, through the SDK's own request pipeline
 * (its OAuth token, base URL and HTTP settings; the SDK has no method for it). PayPal computes the CRC over the
 * `webhook_event` it receives, so the event goes in as the raw delivered text, spliced into the JSON rather than
 * parsed and re-serialized. `rawText` has already been checked to be one JSON value, so it cannot inject members.
 */
export async function verifyWithApi(
  client: Client,
  rawText: string,
  transmission: PayPalTransmission,
  webhookId: string,
): Promise<void> {
  const head = JSON.stringify({
    auth_algo: transmission.authAlgo,
    cert_url: transmission.certUrl,
    transmission_id: transmission.transmissionId,
    transmission_sig: transmission.transmissionSig,
    transmission_time: transmission.transmissionTime,
    webhook_id: webhookId,
  });
  const body = `${head.slice(0, -1)},"webhook_event":${rawText}}`;
  const request = client.getRequestBuilderFactory()("POST", "/v1/notifications/verify-webhook-signature");
  request.header("Content-Type", "application/json");
  request.text(body);
  request.authenticate([{ oauth2: true }]);
  const response = await request.callAsText();
  let status: unknown;
  try {
    status = (JSON.parse(response.result) as { verification_status?: unknown }).verification_status;
  } catch {
    status = undefined;
  }
  if (status !== "SUCCESS") {
    throw new PaymentError("webhook_signature_invalid", "PayPal did not confirm the webhook signature", {
      details: { verificationStatus: typeof status === "string" ? status : null },
    });
  }
}
