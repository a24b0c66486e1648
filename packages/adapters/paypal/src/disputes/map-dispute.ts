import { isClosedDisputeStatus, type GatewayDispute } from "@org/payments-core";
import type { CaptureLookup } from "../capture-lookup.js";
import { fromPayPalValue } from "../paypal-currencies.js";
import { disputeReasonOf } from "./dispute-reason.js";
import { disputeStatusOf } from "./dispute-status.js";

/**
 * A PayPal dispute resource (Disputes API v1, as a CUSTOMER.DISPUTE.* webhook's `resource` or
 * GET /v1/customer/disputes/{id}), in snake_case as PayPal sends it: the SDK has no model for it.
 */
export interface PayPalDisputeResource {
  dispute_id?: unknown;
  create_time?: unknown;
  update_time?: unknown;
  reason?: unknown;
  status?: unknown;
  dispute_amount?: unknown;
  dispute_outcome?: unknown;
  dispute_life_cycle_stage?: unknown;
  seller_response_due_date?: unknown;
  disputed_transactions?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

function money(value: unknown): { value: string; currency: string } | undefined {
  const m = value as { value?: unknown; currency_code?: unknown } | null | undefined;
  const amount = text(m?.value);
  const currency = text(m?.currency_code);
  return amount && currency ? { value: amount, currency: currency.toUpperCase() } : undefined;
}

function transactions(resource: PayPalDisputeResource): Array<Record<string, unknown>> {
  return Array.isArray(resource.disputed_transactions) ? (resource.disputed_transactions as Array<Record<string, unknown>>) : [];
}

/** True when the resource lacks what the mapping needs: the transaction (whose payment?) or a resolved one's outcome. */
export function needsDisputeDetails(resource: PayPalDisputeResource): boolean {
  if (transactions(resource).length === 0) return true;
  return resource.status === "RESOLVED" && text((resource.dispute_outcome as { outcome_code?: unknown } | undefined)?.outcome_code) === undefined;
}

/**
 * The resource as the core's GatewayDispute. The disputed transaction's `seller_transaction_id` is a capture id,
 * while our payments know their order: the capture is read to find the order (providerPaymentId) and our payment
 * id (its custom_id), so a dispute matches even when PayPal leaves out `custom`. Amounts go through the adapter's
 * decimal → minor-units conversion (by the currency's ISO exponent). `updatedAt` is PayPal's update_time: PayPal
 * retries webhooks out of order, and the core ignores a report older than what it recorded.
 * `fallbackAt` stands in for a time PayPal left out (the event's time).
 */
export async function mapDispute(resource: PayPalDisputeResource, lookupCapture: CaptureLookup, fallbackAt: string): Promise<GatewayDispute> {
  const first = transactions(resource)[0] ?? {};
  const captureId = text(first["seller_transaction_id"]) ?? null;
  const owner = captureId ? await lookupCapture(captureId) : null;
  const providerStatus = text(resource.status) ?? "OTHER";
  const providerReason = text(resource.reason) ?? "OTHER";
  const status = disputeStatusOf({
    status: providerStatus,
    stage: text(resource.dispute_life_cycle_stage),
    outcome: text((resource.dispute_outcome as { outcome_code?: unknown } | undefined)?.outcome_code),
  });
  // dispute_amount is what is disputed (possibly part of the payment); without it, the transaction's gross amount.
  // Neither present leaves 0, which the core refuses as a report it cannot record.
  const amount = money(resource.dispute_amount) ?? money(first["gross_amount"]);
  const updatedAt = text(resource.update_time);
  return {
    providerDisputeId: text(resource.dispute_id) ?? "",
    providerPaymentId: owner?.orderId ?? captureId,
    paymentId: text(first["custom"]) ?? owner?.paymentId ?? null,
    status,
    providerStatus,
    reason: disputeReasonOf(providerReason),
    providerReason,
    amount: amount ? fromPayPalValue(amount.value, amount.currency) : 0,
    currency: amount?.currency ?? "",
    // PayPal keeps the old due date on a decided dispute; once it is over no evidence is taken.
    evidenceDueBy: isClosedDisputeStatus(status) ? null : (text(resource.seller_response_due_date) ?? null),
    openedAt: text(resource.create_time) ?? updatedAt ?? fallbackAt,
    ...(updatedAt ? { updatedAt } : {}),
  };
}
