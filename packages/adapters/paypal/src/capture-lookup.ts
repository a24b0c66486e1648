import { PaymentError } from "@org/payments-core";
import type { PaymentsController } from "@paypal/paypal-server-sdk";

/**
 * A capture's order id and our payment id, looked up at PayPal (a refund resource carries neither, and a dispute
 * names only the capture). Null when PayPal does not know the capture (another integration's, or deleted).
 */
export type CaptureLookup = (captureId: string) => Promise<{ orderId: string | null; paymentId: string | null } | null>;

type Call = <T>(operation: string, run: () => Promise<{ result: T }>) => Promise<T>;

/** The lookup on Payments v2 (GET /v2/payments/captures/{id}): the order from related_ids, ours from custom_id. */
export function captureLookupOn(payments: PaymentsController, call: Call): CaptureLookup {
  return async (captureId) => {
    try {
      const capture = await call("get capture", () => payments.getCapturedPayment({ captureId }));
      return { orderId: capture.supplementaryData?.relatedIds?.orderId ?? null, paymentId: capture.customId ?? null };
    } catch (error) {
      // Not ours (another integration's capture): the dispute or refund is still mapped, with what it carries.
      if (error instanceof PaymentError && error.code === "not_found") return null;
      throw error;
    }
  };
}
