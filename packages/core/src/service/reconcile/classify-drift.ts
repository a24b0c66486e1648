import type { Payment, PaymentStatus, Refund } from "../../domain/payment.js";
import { capturedStatusAfter } from "../../domain/refunds.js";
import { OPEN_AT_PROVIDER, statusGroup } from "../../domain/transitions.js";
import { formatMoney } from "../../money/money.js";
import type { GatewayPayment, GatewayRefund } from "../../ports/payment-gateway.js";
import type { IdempotencyRecord } from "../../ports/payment-store.js";
import type { Drift, DriftKind, DriftSide, RefundCorrection } from "./report.js";
import { isOperationStuck, operationAge } from "./stuck-operation.js";

/*
 * Drift classification, pure: one local payment against the provider's object (or its absence) gives no drift or
 * exactly one, with the correction `apply` would make — or none, when a person must decide.
 */

const HOUR = 3_600_000;

/** Our side of a comparison. */
export function localSide(payment: Payment): DriftSide {
  return {
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amountCaptured: payment.amountCaptured,
    amountRefunded: payment.amountRefunded,
    providerPaymentId: payment.providerPaymentId,
  };
}

/** The provider's side of a comparison. */
export function gatewaySide(object: GatewayPayment): DriftSide {
  return {
    status: object.status,
    amount: object.amount,
    currency: object.currency,
    amountCaptured: object.amountCaptured,
    amountRefunded: object.amountRefunded,
    providerPaymentId: object.providerPaymentId,
  };
}

/** The local status the provider's object implies: a captured object's refunds say which captured status. */
function impliedStatus(object: GatewayPayment): PaymentStatus {
  return object.status === "succeeded" ? capturedStatusAfter(object.amountCaptured, object.amountRefunded) : object.status;
}

/** A duration for people: minutes, or hours past two. */
function minutes(ms: number): string {
  return ms >= 2 * HOUR ? `${Math.floor(ms / HOUR)} h` : `${Math.floor(ms / 60_000)} min`;
}

/** Pairs provider refunds with ours (by our id in the provider's metadata, else by the provider's id). */
export function refundCorrections(local: readonly Refund[], reported: readonly GatewayRefund[], newId: () => string): RefundCorrection[] {
  const out: RefundCorrection[] = [];
  const matched = new Set<string>();
  for (const gatewayRefund of reported) {
    const ours = local.find(
      (r) =>
        (gatewayRefund.refundId !== null && r.id === gatewayRefund.refundId) ||
        (gatewayRefund.providerRefundId !== "" && r.providerRefundId === gatewayRefund.providerRefundId),
    );
    if (ours) {
      matched.add(ours.id);
      if (gatewayRefund.status === "succeeded" && ours.status !== "succeeded") {
        out.push({ action: "settle", refundId: ours.id, providerRefundId: gatewayRefund.providerRefundId, amount: ours.amount });
      } else if ((gatewayRefund.status === "failed" || gatewayRefund.status === "canceled") && ours.status !== "failed") {
        // Failed there, pending or succeeded here: the money did not reach the customer, and a pending reservation
        // must not be held for ever waiting for a webhook that was missed.
        out.push({
          action: "fail",
          refundId: ours.id,
          providerRefundId: gatewayRefund.providerRefundId || ours.providerRefundId,
          amount: ours.amount,
          failureReason: gatewayRefund.failureReason ?? undefined,
        });
      }
    } else if (gatewayRefund.status === "succeeded") {
      // Made at the provider (its dashboard): recorded as a refund row, since the payment it belongs to is ours.
      out.push({ action: "record", refundId: newId(), providerRefundId: gatewayRefund.providerRefundId, amount: gatewayRefund.amount });
    }
  }
  for (const ours of local) {
    if (matched.has(ours.id) || ours.status === "failed") continue;
    // Succeeded here but unknown there (or pending with no operation left to finish it): the money never moved.
    out.push({ action: "fail", refundId: ours.id, providerRefundId: ours.providerRefundId, amount: ours.amount });
  }
  return out;
}

export interface Pair {
  payment: Payment;
  object: GatewayPayment | null;
}

/** Classifies one local payment against the provider's object (or its absence); null when they agree. */
export function classifyDrift(
  pair: Pair,
  localRefunds: readonly Refund[],
  context: { now: number; stuckAfterMs: number; inFlight: IdempotencyRecord | undefined; newRefundId: () => string },
): Drift | null {
  const { payment, object } = pair;
  const base = {
    provider: payment.provider,
    paymentId: payment.id,
    providerPaymentId: object?.providerPaymentId ?? payment.providerPaymentId,
    local: localSide(payment),
    gateway: object ? gatewaySide(object) : null,
  };
  const manual = (kind: DriftKind, message: string): Drift => ({ ...base, kind, message, correction: null, outcome: "manual" });
  const age = context.now - Date.parse(payment.updatedAt);

  if (context.inFlight) {
    // An operation between its phases belongs to recovery, never to a correction that could race it. Its age runs
    // from its first send, not its last touch: every retry touches the record, and a retry loop must still show.
    const record = context.inFlight;
    if (!isOperationStuck(record, context.now, context.stuckAfterMs)) return null;
    const tries = record.gatewayAttempts === 1 ? "1 attempt" : `${record.gatewayAttempts} attempts`;
    const last = record.lastGatewayError ? `, last answer ${record.lastGatewayError.code}` : "";
    const next = record.flaggedAt
      ? "its attempts are spent: settle it with `payments-cli recover --flagged` once the provider answers"
      : "run `payments-cli recover` once the provider answers";
    return manual("stuck", `${record.operation} has been waiting on the provider for ${minutes(operationAge(record, context.now))} (${tries}${last}); ${next}`);
  }

  if (!object) {
    if (payment.status === "pending") return null;
    // Ended without money on our side and nothing there: agreement (also after a correction to failed).
    if ((payment.status === "canceled" || payment.status === "failed") && payment.amountCaptured === 0) return null;
    if (payment.providerPaymentId === null && (payment.status === "processing" || payment.status === "requires_action")) {
      if (age < context.stuckAfterMs) return null;
      return {
        ...base,
        kind: "stuck",
        message: `${payment.status} for ${minutes(age)} and the provider has no object for it: no money moved`,
        correction: { from: payment.status, to: "failed", amountCaptured: 0, amountRefunded: 0, refunds: [] },
        outcome: "proposed",
      };
    }
    if (payment.amountCaptured === 0 && ["processing", "requires_action", "authorized"].includes(payment.status)) {
      return {
        ...base,
        kind: "missing_at_gateway",
        message: `the provider has no object ${payment.providerPaymentId ?? `for ${payment.id}`}; nothing was captured, so it is failed`,
        correction: { from: payment.status, to: "failed", amountCaptured: 0, amountRefunded: 0, refunds: [] },
        outcome: "proposed",
      };
    }
    // We recorded money (or a terminal outcome) the provider does not know: more often a wrong account or key than
    // a real loss, so a person decides.
    return manual(
      "missing_at_gateway",
      `the provider has no object ${payment.providerPaymentId ?? `for ${payment.id}`} but we recorded it ${payment.status}; check the provider account and keys`,
    );
  }

  if (object.amount !== payment.amount || object.currency !== payment.currency) {
    return manual(
      "amount_mismatch",
      `the provider object is for ${formatMoney(object.amount, object.currency)}, the payment for ${formatMoney(payment.amount, payment.currency)}`,
    );
  }

  // A declined payment whose provider object is still open (PayPal keeps an order APPROVED after INSTRUMENT_DECLINED,
  // Stripe a PaymentIntent requiring a new method): no money moved and the customer pays with a new payment, so an
  // open object is agreement, never a reason to revive the payment.
  if (
    (payment.status === "failed" || payment.status === "canceled") &&
    payment.amountCaptured === 0 &&
    OPEN_AT_PROVIDER.includes(object.status) &&
    object.amountCaptured === 0
  ) {
    return null;
  }

  const target = impliedStatus(object);
  const refunds = object.refunds === undefined ? [] : refundCorrections(localRefunds, object.refunds, context.newRefundId);
  const captured = statusGroup(target) === "captured" ? object.amountCaptured : 0;
  const statusDiffers = payment.status !== target;
  const amountsDiffer =
    payment.amountCaptured !== captured || payment.amountRefunded !== object.amountRefunded || refunds.length > 0;
  if (!statusDiffers && !amountsDiffer) {
    if (payment.status === "processing" && age >= context.stuckAfterMs) {
      return manual("stuck", `the provider still reports processing after ${minutes(age)}`);
    }
    return null;
  }
  const kind: DriftKind = statusGroup(payment.status) === statusGroup(target) ? "amount_mismatch" : "status_mismatch";
  const parts: string[] = [];
  const m = (amount: number) => formatMoney(amount, payment.currency);
  if (statusDiffers) parts.push(`status ${payment.status} here, ${target} at the provider`);
  if (payment.amountCaptured !== captured) parts.push(`captured ${m(payment.amountCaptured)} here, ${m(captured)} there`);
  if (payment.amountRefunded !== object.amountRefunded) parts.push(`refunded ${m(payment.amountRefunded)} here, ${m(object.amountRefunded)} there`);
  for (const r of refunds) parts.push(`refund ${r.action === "record" ? r.providerRefundId : r.refundId}: ${r.action}`);
  return {
    ...base,
    kind,
    message: parts.join("; "),
    correction: { from: payment.status, to: target, amountCaptured: captured, amountRefunded: object.amountRefunded, refunds },
    outcome: "proposed",
  };
}
