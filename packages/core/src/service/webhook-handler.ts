import { retryOnConflict } from "./conflict-retry.js";
import { toStorableMessage } from "../validation/acceptable-text.js";
import type { Payment, Refund } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type { GatewayPayment, GatewayWebhookEvent, PaymentGateway } from "../ports/payment-gateway.js";
import type { InboxEvent, PaymentStore, PaymentStoreTx } from "../ports/payment-store.js";
import { type ApplyContext, advancePayment, isReportedReversal, settleRefund } from "./apply-gateway-result.js";
import { recordReportedDispute } from "./disputes/record-dispute.js";
import { pathTo } from "../domain/transitions.js";

/**
 * What handling a webhook did. applied: changed the payment; ignored: nothing to change (stale, already known, not
 * about a payment); duplicate: the event was already processed; held: its payment is not in the store yet (applied
 * when it appears); orphaned: held for too long; failed: stored, but applying threw (retried later).
 */
export type WebhookStatus = "applied" | "ignored" | "duplicate" | "held" | "orphaned" | "failed";

export interface WebhookResult {
  provider: string;
  eventId: string;
  type: string;
  status: WebhookStatus;
  paymentId: string | null;
  /** What applying did, for operators (also stored on the inbox event). */
  outcome?: string | null | undefined;
}

export interface WebhookDeps {
  store: PaymentStore;
  gatewayFor(provider: string): PaymentGateway;
  context(event: GatewayWebhookEvent): ApplyContext;
  now(): Date;
  /** A held event older than this is reported orphaned. */
  orphanAfterMs: number;
  maxConflictRetries: number;
}

/** The event as the inbox stores it: the parsed event, minus what a reader of the table must never see. */
export function toInboxEvent(event: GatewayWebhookEvent, receivedAt: string): InboxEvent {
  const stored = structuredClone(event);
  // A client secret lets its holder complete the payment in a browser; the inbox has no reason to keep one.
  if (stored.kind === "payment" && stored.payment.nextAction) delete stored.payment.nextAction.clientSecret;
  return {
    provider: event.provider,
    eventId: event.eventId,
    type: event.type,
    event: stored,
    paymentId: paymentIdOf(event),
    providerPaymentId: providerPaymentIdOf(event),
    status: "received",
    attempts: 0,
    receivedAt,
    processedAt: null,
    lastError: null,
    outcome: null,
  };
}

function paymentIdOf(event: GatewayWebhookEvent): string | null {
  switch (event.kind) {
    case "payment":
      return event.payment.paymentId;
    case "refund":
    case "dispute":
      return event.paymentId;
    case "ignored":
      return null;
  }
}

function providerPaymentIdOf(event: GatewayWebhookEvent): string | null {
  switch (event.kind) {
    case "payment":
      return event.payment.providerPaymentId;
    case "refund":
      return event.refund.providerPaymentId;
    case "dispute":
      return event.providerPaymentId;
    case "ignored":
      return null;
  }
}

async function findPayment(tx: PaymentStoreTx, provider: string, paymentId: string | null, providerPaymentId: string | null): Promise<Payment | null> {
  if (paymentId) {
    // An id another provider's payment holds is not this event's payment (metadata is the merchant's to edit).
    const byId = await tx.getPayment(paymentId);
    if (byId && byId.provider === provider) return byId;
  }
  return providerPaymentId ? tx.findPaymentByProviderId(provider, providerPaymentId) : null;
}

/** The payment (and our refund) an event is about, if the store knows them. */
async function subjectOf(tx: PaymentStoreTx, event: GatewayWebhookEvent): Promise<{ payment: Payment | null; refund: Refund | null }> {
  if (event.kind === "ignored") return { payment: null, refund: null };
  if (event.kind === "refund" && event.refund.refundId) {
    const refund = await tx.getRefund(event.refund.refundId);
    if (refund) return { payment: await tx.getPayment(refund.paymentId), refund };
  }
  return { payment: await findPayment(tx, event.provider, paymentIdOf(event), providerPaymentIdOf(event)), refund: null };
}

/** How an event for a known payment is to be applied. */
type Plan = { kind: "apply" } | { kind: "ignore"; why: string } | { kind: "fetch"; why: string };

function planFor(event: GatewayWebhookEvent, payment: Payment, refund: Refund | null): Plan {
  switch (event.kind) {
    case "ignored":
      return { kind: "ignore", why: "not about a payment" };
    case "dispute":
      return { kind: "apply" };
    case "payment": {
      const reported = event.payment.status;
      // The one backward edge of the table: a late "processing" from before the 3-D Secure step looks exactly like
      // the customer finishing it. Only the provider's current state can tell them apart.
      if (payment.status === "requires_action" && reported === "processing") {
        return { kind: "fetch", why: "processing is reported for a payment waiting for customer action" };
      }
      if (pathTo(payment.status, reported) !== null) return { kind: "apply" };
      // The payment got past what the event reports: a late delivery, never a reason to go back.
      if (pathTo(reported, payment.status) !== null) return { kind: "ignore", why: `stale: the payment is already ${payment.status}` };
      return { kind: "fetch", why: `the provider reports ${reported}, which ${payment.status} cannot reach` };
    }
    case "refund":
      if (!refund) return { kind: "fetch", why: "a refund this service did not make" };
      // A provider may fail a refund it reported succeeded (the money never reached the customer): that applies.
      if (isReportedReversal(refund, event.refund)) return { kind: "apply" };
      if (refund.status !== "pending") return { kind: "ignore", why: `the refund is already ${refund.status}` };
      return { kind: "apply" };
  }
}

type Attempt = { done: WebhookResult } | { fetch: { providerPaymentId: string; why: string } };

/**
 * Applies one stored event exactly once. Every attempt claims the inbox row with a compare-and-set on (status,
 * attempts) inside the transaction that also changes the payment, so of any number of racing appliers (redeliveries,
 * the held-event sweep, an operator's replay) exactly one commits; the others find the row moved and answer
 * `duplicate` with nothing written. An ambiguous event makes the attempt return without writing, the gateway's
 * current state is fetched outside any transaction, and a second transaction applies that instead.
 */
export async function applyInboxEvent(
  deps: WebhookDeps,
  provider: string,
  eventId: string,
  live?: GatewayWebhookEvent | undefined,
): Promise<WebhookResult> {
  try {
    const first = await retryOnConflict(() => deps.store.transaction((tx) => attempt(deps, tx, provider, eventId, live, undefined)), deps.maxConflictRetries);
    if ("done" in first) return first.done;
    let fetched: GatewayPayment;
    try {
      fetched = await deps.gatewayFor(provider).retrieve(first.fetch.providerPaymentId);
    } catch (error) {
      return await markFailed(deps, provider, eventId, `could not fetch ${first.fetch.providerPaymentId} (${first.fetch.why}): ${describe(error)}`);
    }
    const second = await retryOnConflict(() =>
      deps.store.transaction((tx) => attempt(deps, tx, provider, eventId, live, { payment: fetched, why: first.fetch.why })),
      deps.maxConflictRetries,
    );
    if ("done" in second) return second.done;
    throw new PaymentError("internal", "the gateway's state did not settle the event");
  } catch (error) {
    if (error instanceof PaymentError && error.code === "not_found") throw error;
    return markFailed(deps, provider, eventId, describe(error));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error instanceof PaymentError ? `${error.code}: ` : ""}${error.message}` : String(error);
}

function result(row: InboxEvent, status: WebhookStatus, paymentId: string | null, outcome: string | null): WebhookResult {
  return { provider: row.provider, eventId: row.eventId, type: row.type, status, paymentId, outcome };
}

/** Records a failed attempt; the event stays stored and the held-event sweep tries it again. */
async function markFailed(deps: WebhookDeps, provider: string, eventId: string, error: string): Promise<WebhookResult> {
  try {
    return await deps.store.transaction(async (tx) => {
      const row = await tx.getInboxEvent(provider, eventId);
      if (!row) throw new PaymentError("not_found", `no webhook event ${provider} ${eventId}`);
      if (row.status === "processed") return result(row, "duplicate", row.paymentId, row.outcome);
      const next: InboxEvent = { ...row, status: "failed", attempts: row.attempts + 1, lastError: toStorableMessage(error) };
      const won = await tx.updateInboxEvent(next, { status: row.status, attempts: row.attempts });
      return result(row, won ? "failed" : "duplicate", row.paymentId, null);
    });
  } catch {
    // Even this failed (the store is down): the event is still stored as it was, and the sweep picks it up.
    return { provider, eventId, type: "unknown", status: "failed", paymentId: null, outcome: null };
  }
}

/**
 * Writes the row's new state last, guarded by (status, attempts). Losing that compare-and-set means another applier
 * committed first: throwing `conflict` rolls back whatever this attempt wrote to the payment, and the retry finds
 * the row processed.
 */
async function finish(tx: PaymentStoreTx, row: InboxEvent, next: Partial<InboxEvent>, status: WebhookStatus): Promise<Attempt> {
  const stored: InboxEvent = { ...row, ...next, attempts: row.attempts + 1 };
  if (!(await tx.updateInboxEvent(stored, { status: row.status, attempts: row.attempts }))) {
    throw new PaymentError("conflict", `webhook event ${row.provider} ${row.eventId} was applied concurrently`);
  }
  return { done: result(stored, status, stored.paymentId, stored.outcome) };
}

async function attempt(
  deps: WebhookDeps,
  tx: PaymentStoreTx,
  provider: string,
  eventId: string,
  live: GatewayWebhookEvent | undefined,
  fetched: { payment: GatewayPayment; why: string } | undefined,
): Promise<Attempt> {
  const row = await tx.getInboxEvent(provider, eventId);
  if (!row) throw new PaymentError("not_found", `no webhook event ${provider} ${eventId}`, { details: { provider, eventId } });
  if (row.status === "processed") return { done: result(row, "duplicate", row.paymentId, row.outcome) };
  // The live delivery carries what the stored copy leaves out (a client secret); otherwise the two are the same.
  const event = live ?? row.event;
  const ctx = deps.context(event);
  const { payment, refund } = await subjectOf(tx, event);
  const processed = (paymentId: string | null, outcome: string) => ({ status: "processed" as const, paymentId, processedAt: ctx.at, lastError: null, outcome });

  if (event.kind === "ignored") return finish(tx, row, processed(null, "ignored: not about a payment"), "ignored");
  if (!payment) {
    const orphaned = deps.now().getTime() - Date.parse(row.receivedAt) >= deps.orphanAfterMs;
    const status = orphaned ? "orphaned" : "held";
    return finish(tx, row, { status, lastError: "the payment is not in the store yet" }, status);
  }
  if (fetched) {
    const moved = await applyGatewayState(tx, payment, fetched.payment, ctx);
    const outcome = moved
      ? `fetched (${fetched.why}): applied the gateway's ${fetched.payment.status}, payment now ${moved.status}`
      : `fetched (${fetched.why}): the gateway's ${fetched.payment.status} changes nothing; payment stays ${payment.status}`;
    return finish(tx, row, processed(payment.id, outcome), moved ? "applied" : "ignored");
  }
  const plan = planFor(event, payment, refund);
  if (plan.kind === "ignore") return finish(tx, row, processed(payment.id, `ignored: ${plan.why}`), "ignored");
  if (plan.kind === "fetch") {
    const providerPaymentId = payment.providerPaymentId ?? providerPaymentIdOf(event);
    if (providerPaymentId) return { fetch: { providerPaymentId, why: plan.why } };
    return finish(tx, row, processed(payment.id, `ignored: ${plan.why}, and there is no provider payment to fetch`), "ignored");
  }
  if (event.kind === "dispute") {
    const recorded = await recordReportedDispute(tx, payment, event.dispute, ctx, event.occurredAt);
    const what = `dispute ${recorded.dispute.id} (${recorded.dispute.providerDisputeId})`;
    if (recorded.change === "stale") return finish(tx, row, processed(payment.id, `ignored: stale: ${what} is already ${recorded.dispute.status}`), "ignored");
    if (recorded.change === "unchanged") return finish(tx, row, processed(payment.id, `ignored: ${what} is already ${recorded.dispute.status}`), "ignored");
    return finish(tx, row, processed(payment.id, `applied: ${what} ${recorded.change}, now ${recorded.dispute.status}`), "applied");
  }
  const moved = await applyEvent(tx, event, payment, refund, ctx);
  return moved
    ? finish(tx, row, processed(payment.id, `applied: payment now ${moved.status}`), "applied")
    : finish(tx, row, processed(payment.id, "ignored: nothing to change"), "ignored");
}

/** Applies a payment or refund event itself (disputes are recorded by `attempt`); the stored payment if it changed, else null. */
async function applyEvent(tx: PaymentStoreTx, event: GatewayWebhookEvent, payment: Payment, refund: Refund | null, ctx: ApplyContext): Promise<Payment | null> {
  switch (event.kind) {
    case "payment": {
      const next = await advancePayment(tx, payment, event.payment, ctx);
      return next.version === payment.version ? null : next;
    }
    case "refund": {
      if (!refund) return null;
      const settled = await settleRefund(tx, refund, payment, event.refund, ctx);
      return settled.refund.status === refund.status && settled.refund.providerRefundId === refund.providerRefundId ? null : settled.payment;
    }
    case "dispute":
    case "ignored":
      return null;
  }
}

/**
 * Applies what the gateway reports now: the payment moves forward along the table only (advancePayment), and our
 * own pending refunds that the gateway has settled are settled. A refund made elsewhere (the provider's dashboard)
 * is left to reconciliation, which records it as an audited correction.
 */
async function applyGatewayState(tx: PaymentStoreTx, payment: Payment, reported: GatewayPayment, ctx: ApplyContext): Promise<Payment | null> {
  let current = await advancePayment(tx, payment, reported, ctx);
  for (const gatewayRefund of reported.refunds ?? []) {
    if (!gatewayRefund.refundId || gatewayRefund.status === "pending") continue;
    const refund = await tx.getRefund(gatewayRefund.refundId);
    if (!refund || refund.paymentId !== payment.id) continue;
    const reversed = isReportedReversal(refund, gatewayRefund);
    if (refund.status !== "pending" && !reversed) continue;
    current = (await settleRefund(tx, refund, current, gatewayRefund, ctx)).payment;
  }
  return current.version === payment.version ? null : current;
}
