import { eventFailureReason } from "./event-failure-reason.js";
import { snapshotRefund } from "./events.js";
import type { PaymentEventData } from "./events.js";
import type { Refund } from "./payment.js";

const UNRECORDED_REFUND_FAILURE = { code: "processing_error", message: "the refund failed" };

/**
 * What a `refund.failed` event carries beside the payment: the failed refund (its `reason` stays the reason it was
 * asked for, as before) and, in `error`, why it failed — the same shape as `payment.failed`'s.
 */
export function refundFailedData(failed: Refund): Omit<PaymentEventData, "payment"> {
  return { refund: snapshotRefund(failed), error: eventFailureReason(failed.failure ?? UNRECORDED_REFUND_FAILURE) };
}
