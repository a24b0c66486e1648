import type { Dispute } from "../../domain/dispute.js";
import { isPaymentError } from "../../errors/index.js";
import type { GatewayDispute, PaymentGateway } from "../../ports/payment-gateway.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";
import { retryOnConflict } from "../conflict-retry.js";
import { recordReportedDispute } from "../disputes/record-dispute.js";
import type { CorrectionDeps } from "./apply-correction.js";
import type { DisputeDrift, DisputeReconcileSummary } from "./report.js";

/*
 * The disputes half of reconciliation: every dispute the provider opened in the window, compared with what the
 * webhooks recorded. A dispute whose webhooks were lost is recorded, and one whose status moved without us is moved,
 * through the same writer the webhooks use (recordReportedDispute), so a run applied twice changes nothing the
 * second time. A dispute of a payment this database does not hold is reported, never invented.
 */

async function findPayment(tx: PaymentStoreTx, provider: string, reported: GatewayDispute) {
  const byId = reported.paymentId ? await tx.getPayment(reported.paymentId) : null;
  if (byId && byId.provider === provider) return byId;
  return reported.providerPaymentId ? tx.findPaymentByProviderId(provider, reported.providerPaymentId) : null;
}

function driftOf(reported: GatewayDispute, recorded: Dispute | null, paymentId: string | null): DisputeDrift | null {
  const base = {
    providerDisputeId: reported.providerDisputeId,
    paymentId,
    disputeId: recorded?.id ?? null,
    local: recorded ? { status: recorded.status, amount: recorded.amount, currency: recorded.currency } : null,
    gateway: { status: reported.status, amount: reported.amount, currency: reported.currency },
  };
  if (paymentId === null) {
    return { ...base, kind: "unmatched", message: `the provider has dispute ${reported.providerDisputeId} of a payment not in this database`, outcome: "manual" };
  }
  if (recorded === null) {
    return { ...base, kind: "missing_locally", message: `dispute ${reported.providerDisputeId} of ${paymentId} was never recorded (its webhooks were lost)`, outcome: "proposed" };
  }
  if (recorded.status !== reported.status || recorded.amount !== reported.amount) {
    return {
      ...base,
      kind: "status_mismatch",
      message: `dispute ${recorded.id} is ${recorded.status} here and ${reported.status} at the provider`,
      outcome: "proposed",
    };
  }
  return null;
}

type Deps = CorrectionDeps & { gateway: PaymentGateway };

/** Compares one listed dispute with ours and, with `apply`, records it; the drift, or null when they agree. */
async function compareOne(deps: Deps, reported: GatewayDispute, options: { apply: boolean; actor: string }): Promise<DisputeDrift | null> {
  const provider = deps.gateway.provider;
  const [payment, known] = await deps.store.transaction(
    async (tx) => [await findPayment(tx, provider, reported), await tx.findDisputeByProviderId(provider, reported.providerDisputeId)] as const,
  );
  const drift = driftOf(reported, known, known?.paymentId ?? payment?.id ?? null);
  if (!drift || !options.apply || drift.outcome === "manual") return drift;
  try {
    const at = deps.clock.now().toISOString();
    const ctx = { at, actor: options.actor, reason: "reconcile", newId: (prefix: string) => deps.ids.newId(prefix), authorizationValidityMs: deps.authorizationValidityMs };
    const result = await retryOnConflict(
      () =>
        deps.store.transaction(async (tx) => {
          const current = await findPayment(tx, provider, { ...reported, paymentId: drift.paymentId });
          return current ? recordReportedDispute(tx, current, reported, ctx, at) : null;
        }),
      3,
    );
    drift.outcome = result === null || result.change === "stale" || result.change === "unchanged" ? "changed" : "corrected";
  } catch (error) {
    drift.outcome = isPaymentError(error, "conflict") ? "changed" : "failed";
    drift.error = error instanceof Error ? error.message : String(error);
  }
  return drift;
}

/** Compares the provider's disputes opened in the window with ours and, with `apply`, records what differs. */
export async function reconcileDisputes(
  deps: Deps,
  window: { since: Date; until: Date },
  options: { apply: boolean; actor: string },
): Promise<DisputeReconcileSummary | null> {
  if (!deps.gateway.listDisputes) return null;
  const summary: DisputeReconcileSummary = { examined: 0, drifts: [], recorded: 0 };
  // A listed dispute without its own update time is stamped with when the list was asked for, in whole seconds
  // (as providers stamp their events): a webhook sent after the list was read is then never older than what the
  // list recorded, and one sent before it is (the list already saw what it says).
  const listedAt = new Date(Math.floor(deps.clock.now().getTime() / 1000) * 1000).toISOString();
  try {
    for await (const reported of deps.gateway.listDisputes(window)) {
      summary.examined++;
      const drift = await compareOne(deps, { ...reported, updatedAt: reported.updatedAt ?? listedAt }, options);
      if (!drift) continue;
      summary.drifts.push(drift);
      if (drift.outcome === "corrected") summary.recorded++;
    }
  } catch (error) {
    // A failed list must not sink the payments' report: what was compared stands, and the run says why it stopped.
    summary.error = error instanceof Error ? `${isPaymentError(error) ? `${error.code}: ` : ""}${error.message}` : String(error);
  }
  return summary;
}
