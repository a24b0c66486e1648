import type { Payment } from "../../domain/payment.js";
import { PaymentError, isPaymentError } from "../../errors/index.js";
import type { GatewayPayment, PaymentGateway } from "../../ports/payment-gateway.js";
import type { IdempotencyRecord } from "../../ports/payment-store.js";
import { type CorrectionDeps, applyCorrection } from "./apply-correction.js";
import { type Pair, classifyDrift, gatewaySide, localSide } from "./classify-drift.js";
import type { Drift, DriftKind, ReconcileOptions, ReconcileRecoverySummary, ReconcileReport } from "./report.js";
import { DRIFT_KINDS } from "./report.js";
import { isOperationStuck } from "./stuck-operation.js";
import { reconcileDisputes } from "./reconcile-disputes.js";

/*
 * Reconciliation: compare what we recorded with what the provider says happened, classify every difference, and —
 * only when asked — correct our records to the provider's truth as audited `correction` transitions. The provider
 * is the source of truth for money; our records are the source of truth for who and why, so nothing is invented
 * that we cannot attribute (a provider object that carries no payment of ours is reported, never created).
 *
 * This file is the I/O driver: it reads both sides and hands each pair to the pure classification
 * (classify-drift.ts), then each correctable drift to the correction writer (apply-correction.ts). The report's
 * shape is in report.ts.
 */

export interface ReconcileDeps extends CorrectionDeps {
  gateway: PaymentGateway;
  recover: (options: { olderThanMs: number; actor: string }) => Promise<{ examined: number; settled: unknown[]; stillPending: unknown[]; flagged: unknown[] }>;
}

const HOUR = 3_600_000;
const PAGE = 500;

async function retrieveOrNull(gateway: PaymentGateway, providerPaymentId: string): Promise<GatewayPayment | null> {
  try {
    return await gateway.retrieve(providerPaymentId);
  } catch (error) {
    if (isPaymentError(error, "not_found")) return null;
    throw error;
  }
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

  const disputes = await reconcileDisputes(deps, { since, until }, { apply, actor });
  // A dispute list that stopped early leaves something unexamined: that counts as unresolved too.
  const disputesUnresolved = disputes ? disputes.drifts.length - disputes.recorded + (disputes.error === undefined ? 0 : 1) : 0;

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
    unresolved: drifts.length - corrected + disputesUnresolved,
    disputes,
  };
}
