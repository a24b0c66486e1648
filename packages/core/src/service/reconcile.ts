import { correctPayment } from "../domain/state-machine.js";
import type { Payment, PaymentFailure, PaymentStatus, Refund } from "../domain/payment.js";
import { PaymentError, isPaymentError } from "../errors/index.js";
import { formatMoney } from "../money/money.js";
import type { Clock } from "../ports/clock.js";
import type { IdGenerator } from "../ports/id-generator.js";
import type { GatewayPayment, GatewayRefund, PaymentGateway } from "../ports/payment-gateway.js";
import type { IdempotencyRecord, PaymentStore } from "../ports/payment-store.js";
import { persistTransition } from "./apply-gateway-result.js";

/**
 * Reconciliation: compare what we recorded with what the provider says happened, classify every difference, and —
 * only when asked — correct our records to the provider's truth as audited `correction` transitions. The provider
 * is the source of truth for money; our records are the source of truth for who and why, so nothing is invented
 * that we cannot attribute (a provider object that carries no payment of ours is reported, never created).
 */

export const DRIFT_KINDS = ["missing_locally", "missing_at_gateway", "status_mismatch", "amount_mismatch", "stuck"] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** One side of a comparison, in the core's vocabulary; amounts in minor units. */
export interface DriftSide {
  status: string;
  amount: number;
  currency: string;
  amountCaptured: number;
  amountRefunded: number;
  providerPaymentId: string | null;
}

export interface RefundCorrection {
  action: "settle" | "fail" | "record";
  /** Our refund id; for `record`, the id the new refund row gets. */
  refundId: string;
  providerRefundId: string | null;
  amount: number;
  /** For `fail`: the provider's reason, when it gave one. */
  failureReason?: string | undefined;
}

/** What `apply` does to the payment: move it to `to` (possibly its current status) with these amounts. */
export interface PaymentCorrection {
  from: PaymentStatus;
  to: PaymentStatus;
  amountCaptured: number;
  amountRefunded: number;
  refunds: RefundCorrection[];
}

export interface Drift {
  kind: DriftKind;
  provider: string;
  paymentId: string | null;
  providerPaymentId: string | null;
  local: DriftSide | null;
  gateway: DriftSide | null;
  /** For people: what differs and, for manual cases, what to look at. */
  message: string;
  /** The correction `apply` makes; null when no correction is safe and a person must decide. */
  correction: PaymentCorrection | null;
  /**
   * proposed: a dry run would correct it; corrected: applied now; manual: needs a person; changed: the payment moved
   * while we looked, so nothing was written (run again); failed: the correction was refused (see `error`).
   */
  outcome: "proposed" | "corrected" | "manual" | "changed" | "failed";
  error?: string | undefined;
}

export interface ReconcileRecoverySummary {
  examined: number;
  settled: number;
  stillPending: number;
  /** Operations whose attempts are spent, left to an operator (`payments-cli recover --flagged`). */
  flagged: number;
}

export interface ReconcileReport {
  provider: string;
  since: string;
  until: string;
  apply: boolean;
  /** Recovery run first (null when skipped). */
  recovery: ReconcileRecoverySummary | null;
  examined: { local: number; gateway: number };
  /** Operations at `gateway_pending` younger than `stuckAfterMs`: in flight, not drift. */
  inFlight: number;
  drifts: Drift[];
  counts: Record<DriftKind, number>;
  corrected: number;
  /** Drift that remains after this run (manual, changed, failed, or every drift of a dry run). */
  unresolved: number;
}

export interface ReconcileOptions {
  provider: string;
  since: Date;
  /** Exclusive; default just after now. */
  until?: Date | undefined;
  /** Correct what can be corrected (default false: report only). */
  apply?: boolean | undefined;
  /** Recorded on every correction (default `system:reconcile`). */
  actor?: string | undefined;
  /** A payment processing (or an operation pending) longer than this is stuck (default 1 h). */
  stuckAfterMs?: number | undefined;
  /** Run `recoverStale` first, so finished-but-unsettled operations are not reported as drift (default true). */
  recover?: boolean | undefined;
  /** Only records older than this are recovered first (default 0: everything not locked by a live holder). */
  recoverOlderThanMs?: number | undefined;
  /** Called as the run advances, for progress displays. */
  onProgress?: ((progress: ReconcileProgress) => void) | undefined;
}

export interface ReconcileProgress {
  phase: "recovery" | "local" | "gateway" | "compare" | "apply";
  done: number;
  total?: number | undefined;
}

export interface ReconcileDeps {
  store: PaymentStore;
  gateway: PaymentGateway;
  clock: Clock;
  ids: IdGenerator;
  /** Validity assumed for an authorization the provider reports without an expiry. */
  authorizationValidityMs: number;
  recover: (options: { olderThanMs: number; actor: string }) => Promise<{ examined: number; settled: unknown[]; stillPending: unknown[]; flagged: unknown[] }>;
}

const HOUR = 3_600_000;
const PAGE = 500;

/** Statuses that mean the same thing on both sides: a captured payment stays `succeeded` at the provider after refunds. */
function statusGroup(status: string): string {
  return status === "succeeded" || status === "partially_refunded" || status === "refunded" ? "captured" : status;
}

function localSide(payment: Payment): DriftSide {
  return {
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amountCaptured: payment.amountCaptured,
    amountRefunded: payment.amountRefunded,
    providerPaymentId: payment.providerPaymentId,
  };
}

function gatewaySide(object: GatewayPayment): DriftSide {
  return {
    status: object.status,
    amount: object.amount,
    currency: object.currency,
    amountCaptured: object.amountCaptured,
    amountRefunded: object.amountRefunded,
    providerPaymentId: object.providerPaymentId,
  };
}

/** The local status the provider's object implies. */
function impliedStatus(object: GatewayPayment): PaymentStatus {
  if (object.status !== "succeeded") return object.status;
  if (object.amountRefunded <= 0) return "succeeded";
  return object.amountRefunded >= object.amountCaptured ? "refunded" : "partially_refunded";
}

/** Provider statuses of an object that moved no money yet and waits for the customer or the provider. */
const OPEN_AT_PROVIDER: readonly string[] = ["requires_action", "processing"];

/** How long an operation has waited on the provider: from its first send (or its creation), whatever retried it. */
export function operationAge(record: IdempotencyRecord, now: number): number {
  return now - Date.parse(record.gatewaySentAt ?? record.createdAt);
}

/** Stuck: older than `stuckAfterMs` since its first send, or flagged because its attempts are spent. */
export function isOperationStuck(record: IdempotencyRecord, now: number, stuckAfterMs: number): boolean {
  return record.flaggedAt !== null || operationAge(record, now) >= stuckAfterMs;
}

function minutes(ms: number): string {
  return ms >= 2 * HOUR ? `${Math.floor(ms / HOUR)} h` : `${Math.floor(ms / 60_000)} min`;
}

/** Pairs provider refunds with ours (by our id in the provider's metadata, else by the provider's id). */
function refundCorrections(local: readonly Refund[], reported: readonly GatewayRefund[], newId: () => string): RefundCorrection[] {
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

interface Pair {
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

async function retrieveOrNull(gateway: PaymentGateway, providerPaymentId: string): Promise<GatewayPayment | null> {
  try {
    return await gateway.retrieve(providerPaymentId);
  } catch (error) {
    if (isPaymentError(error, "not_found")) return null;
    throw error;
  }
}

/** Writes one correction: compare-and-set on the version we judged, history row and outbox events, one transaction. */
async function applyCorrection(
  deps: ReconcileDeps,
  drift: Drift,
  judged: Payment,
  object: GatewayPayment | null,
  actor: string,
): Promise<Drift["outcome"]> {
  const correction = drift.correction;
  if (!correction) return "manual";
  return deps.store.transaction(async (tx) => {
    const current = await tx.getPayment(judged.id);
    if (!current || current.version !== judged.version) return "changed";
    const at = deps.clock.now().toISOString();
    const newId = (prefix: string) => deps.ids.newId(prefix);
    let reserved = current.amountRefundReserved;
    for (const change of correction.refunds) {
      if (change.action === "record") {
        const reportedAt = object?.refunds?.find((r) => r.providerRefundId === change.providerRefundId)?.createdAt;
        await tx.insertRefund({
          id: change.refundId,
          paymentId: current.id,
          amount: change.amount,
          currency: current.currency,
          status: "succeeded",
          reason: "made at the provider; recorded by reconcile",
          actor,
          providerRefundId: change.providerRefundId,
          failure: null,
          createdAt: reportedAt ?? at,
          updatedAt: at,
        });
        continue;
      }
      const refund = await tx.getRefund(change.refundId);
      if (!refund) throw new PaymentError("conflict", `refund ${change.refundId} vanished`);
      if (refund.status === "pending") reserved -= refund.amount;
      await tx.updateRefund(
        change.action === "settle"
          ? { ...refund, status: "succeeded", providerRefundId: change.providerRefundId, failure: null, updatedAt: at }
          : {
              ...refund,
              status: "failed",
              providerRefundId: change.providerRefundId ?? refund.providerRefundId,
              failure: {
                code: "processing_error",
                message: change.failureReason ?? "the provider has no completed refund for it (reconcile)",
              },
              updatedAt: at,
            },
      );
    }
    const changes: Partial<Payment> = {
      amountCaptured: correction.amountCaptured,
      amountRefunded: correction.amountRefunded,
      amountRefundReserved: Math.max(0, reserved),
    };
    if (object) {
      changes.providerPaymentId = object.providerPaymentId;
      changes.paymentMethodType = object.paymentMethodType ?? current.paymentMethodType;
    }
    const to = correction.to;
    if (to === "failed") {
      const failure: PaymentFailure = object?.failure ?? {
        code: "processing_error",
        message: object ? "the provider reports the payment failed" : "the provider has no record of this payment",
      };
      changes.lastError = failure;
      changes.nextAction = null;
    }
    if (to === "requires_action") changes.nextAction = object?.nextAction ?? null;
    if (to === "authorized") {
      changes.nextAction = null;
      changes.authorizationExpiresAt =
        object?.authorizationExpiresAt ?? new Date(Date.parse(at) + deps.authorizationValidityMs).toISOString();
    }
    if (to === "canceled") changes.nextAction = null;
    if (statusGroup(to) === "captured") {
      changes.nextAction = null;
      changes.lastError = null;
      changes.receiptNumber = current.receiptNumber ?? (await tx.allocateReceiptNumber(current.id, at));
    }
    const evidence: Record<string, unknown> = {
      drift: drift.kind,
      message: drift.message,
      local: localSide(current),
      gateway: object ? gatewaySide(object) : null,
      refunds: correction.refunds,
    };
    const result = correctPayment(current, to, { at, actor, reason: "reconcile", newId }, changes, evidence);
    await persistTransition(tx, current, result);
    return "corrected";
  });
}

function emptyCounts(): Record<DriftKind, number> {
  return { missing_locally: 0, missing_at_gateway: 0, status_mismatch: 0, amount_mismatch: 0, stuck: 0 };
}

/**
 * Runs recovery, then compares the provider's objects created in [since, until) and our payments with activity in
 * it (created in it, or changed since it began; plus any payment a provider object names), classifying drift. With `apply`, each correctable drift is written
 * through `correctPayment` under a compare-and-set on the version it was judged on; a second run finds nothing to
 * correct.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const provider = deps.gateway.provider;
  // Default: up to and including this millisecond, so a payment made just now is compared too.
  const until = options.until ?? new Date(deps.clock.now().getTime() + 1);
  const since = options.since;
  if (!(since.getTime() < until.getTime())) {
    throw new PaymentError("validation_error", "since must be before until", {
      details: { since: since.toISOString(), until: until.toISOString() },
    });
  }
  const apply = options.apply ?? false;
  const actor = options.actor ?? "system:reconcile";
  const stuckAfterMs = options.stuckAfterMs ?? HOUR;
  const progress = options.onProgress ?? (() => undefined);

  let recovery: ReconcileRecoverySummary | null = null;
  if (options.recover ?? true) {
    progress({ phase: "recovery", done: 0 });
    const report = await deps.recover({ olderThanMs: options.recoverOlderThanMs ?? 0, actor });
    recovery = { examined: report.examined, settled: report.settled.length, stillPending: report.stillPending.length, flagged: report.flagged.length };
  }

  const now = deps.clock.now().getTime();
  // Everything still between phases after recovery: its payment is left to recovery, not corrected.
  const pending = await deps.store.listPendingIdempotencyRecords(new Date(now + 1).toISOString(), 100_000);
  const inFlightByPayment = new Map<string, IdempotencyRecord>();
  for (const record of pending) {
    if (record.paymentId !== null && !inFlightByPayment.has(record.paymentId)) inFlightByPayment.set(record.paymentId, record);
  }

  // Ours: every payment with activity in the window — created in it, or changed since it began (captured, refunded,
  // corrected) having been created before its end. A change after the window is compared too: harmless, and a
  // daily run then never misses the refund of an older payment.
  const locals = new Map<string, Payment>();
  for (const filter of [
    { provider, createdFrom: since.toISOString(), createdTo: until.toISOString() },
    { provider, updatedFrom: since.toISOString(), createdTo: until.toISOString() },
  ]) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listPayments(filter, { limit: PAGE, cursor });
      for (const payment of page.items) locals.set(payment.id, payment);
      cursor = page.nextCursor ?? undefined;
      progress({ phase: "local", done: locals.size });
    } while (cursor);
  }
  const examinedLocal = locals.size;

  const pairs = new Map<string, Pair>();
  const drifts: Drift[] = [];
  let examinedGateway = 0;
  const unmatched: GatewayPayment[] = [];
  for await (const object of deps.gateway.listTransactions({ since, until })) {
    examinedGateway++;
    if (examinedGateway % 50 === 0) progress({ phase: "gateway", done: examinedGateway });
    let payment = object.paymentId ? (locals.get(object.paymentId) ?? (await deps.store.getPayment(object.paymentId))) : null;
    payment ??= await deps.store.transaction((tx) => tx.findPaymentByProviderId(provider, object.providerPaymentId));
    if (!payment || payment.provider !== provider) {
      unmatched.push(object);
      continue;
    }
    locals.set(payment.id, payment);
    // An object our record does not name (or a second one for the same payment) is a second charge attempt: it is
    // reported, and the payment is compared with the object it does name.
    if ((payment.providerPaymentId !== null && payment.providerPaymentId !== object.providerPaymentId) || pairs.has(payment.id)) {
      unmatched.push(object);
      continue;
    }
    pairs.set(payment.id, { payment, object });
  }
  progress({ phase: "gateway", done: examinedGateway });

  for (const object of unmatched) {
    const known = object.paymentId ? locals.get(object.paymentId) : undefined;
    drifts.push({
      kind: "missing_locally",
      provider,
      paymentId: object.paymentId,
      providerPaymentId: object.providerPaymentId,
      local: known ? localSide(known) : null,
      gateway: gatewaySide(object),
      message: known
        ? `a second provider object for ${known.id} (ours is ${known.providerPaymentId ?? "none"}): a duplicate charge attempt`
        : object.paymentId
          ? `the provider has ${object.providerPaymentId} for ${object.paymentId}, which is not in this database`
          : `the provider has ${object.providerPaymentId}, made outside this library`,
      correction: null,
      outcome: "manual",
    });
  }

  let compared = 0;
  for (const payment of locals.values()) {
    let pair = pairs.get(payment.id);
    if (!pair) {
      let object: GatewayPayment | null = null;
      if (payment.providerPaymentId) object = await retrieveOrNull(deps.gateway, payment.providerPaymentId);
      else if (payment.status !== "pending" && payment.status !== "canceled") object = await deps.gateway.findByPaymentId(payment.id);
      pair = { payment, object };
      pairs.set(payment.id, pair);
    }
    const refunds = pair.object?.refunds !== undefined ? await deps.store.listRefunds(payment.id) : [];
    const drift = classifyDrift(pair, refunds, {
      now,
      stuckAfterMs,
      inFlight: inFlightByPayment.get(payment.id),
      newRefundId: () => deps.ids.newId("rf"),
    });
    if (drift) drifts.push(drift);
    compared++;
    if (compared % 50 === 0) progress({ phase: "compare", done: compared, total: locals.size });
  }

  let corrected = 0;
  if (apply) {
    const correctable = drifts.filter((d) => d.correction !== null);
    let done = 0;
    for (const drift of correctable) {
      const pair = drift.paymentId ? pairs.get(drift.paymentId) : undefined;
      if (!pair) continue;
      try {
        drift.outcome = await applyCorrection(deps, drift, pair.payment, pair.object, actor);
      } catch (error) {
        drift.outcome = isPaymentError(error, "conflict") ? "changed" : "failed";
        drift.error = error instanceof Error ? error.message : String(error);
      }
      if (drift.outcome === "corrected") corrected++;
      progress({ phase: "apply", done: ++done, total: correctable.length });
    }
  }

  const counts = emptyCounts();
  for (const drift of drifts) counts[drift.kind]++;
  const order = (d: Drift) => DRIFT_KINDS.indexOf(d.kind);
  drifts.sort((a, b) => order(a) - order(b) || (a.paymentId ?? "").localeCompare(b.paymentId ?? ""));
  return {
    provider,
    since: since.toISOString(),
    until: until.toISOString(),
    apply,
    recovery,
    examined: { local: examinedLocal, gateway: examinedGateway },
    inFlight: [...inFlightByPayment.values()].filter(
      (r) => r.paymentId !== null && locals.has(r.paymentId) && !isOperationStuck(r, now, stuckAfterMs),
    ).length,
    drifts,
    counts,
    corrected,
    unresolved: drifts.length - corrected,
  };
}
