import { PaymentError } from "@org/payments-core";
import type Stripe from "stripe";
import { STRIPE_API_VERSION } from "./api-version.js";

/** Stripe's version names (`2026-10-28.endive`, `2024-06-20`); anything else is not repeated in a message. */
const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

/**
 * A webhook endpoint renders its events in the API version it was created with (or the account's default), not
 * the version our requests pin; an event of another version has other shapes (a charge that embeds its refunds, or
 * not; renamed fields), which this adapter would misread without noticing. So it is refused, loudly, rather than
 * converted: Stripe gives no conversion of an event to another version, only re-rendering by an endpoint of the
 * right version. The fix is on the Stripe side (an endpoint on STRIPE_API_VERSION), and Stripe redelivers the
 * refused events meanwhile.
 */
export function assertPinnedApiVersion(event: Stripe.Event): void {
  const version: unknown = event.api_version;
  if (version === STRIPE_API_VERSION) return;
  const shown = typeof version === "string" && VERSION_SHAPE.test(version) ? version : "none";
  throw new PaymentError(
    "validation_error",
    `Stripe webhook event is rendered in API version ${shown}, but this adapter reads ${STRIPE_API_VERSION}: ` +
      `create the webhook endpoint with api_version ${STRIPE_API_VERSION} (Dashboard or POST /v1/webhook_endpoints)`,
    { details: { provider: "stripe", field: "api_version", eventVersion: shown, pinnedVersion: STRIPE_API_VERSION } },
  );
}
