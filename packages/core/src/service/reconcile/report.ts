import type { PaymentStatus } from "../../domain/payment.js";

/*
 * What a reconcile run reports, and the options that shape it: every difference found (a drift), how it is
 * classified, and the correction `apply` makes for it.
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

/** A dispute that differs between the provider and this database. */
export interface DisputeDrift {
  /** unmatched: its payment is not here; missing_locally: never recorded; status_mismatch: recorded, since moved. */
  kind: "unmatched" | "missing_locally" | "status_mismatch";
  providerDisputeId: string;
  paymentId: string | null;
  disputeId: string | null;
  local: { status: string; amount: number; currency: string } | null;
  gateway: { status: string; amount: number; currency: string };
  message: string;
  /** As for payment drift: proposed, corrected (recorded now), manual, changed (moved while we looked), failed. */
  outcome: Drift["outcome"];
  error?: string | undefined;
}

export interface DisputeReconcileSummary {
  /** Disputes the provider listed for the window. */
  examined: number;
  drifts: DisputeDrift[];
  /** Disputes recorded or moved by this run. */
  recorded: number;
  /**
   * Why the dispute list stopped early (the provider failed, or listed a dispute its adapter cannot read), when it
   * did: the disputes examined before it are reported, and the payments half of the report stands.
   */
  error?: string | undefined;
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
  /** Drift that remains after this run (manual, changed, failed, or every drift of a dry run), disputes included. */
  unresolved: number;
  /** Disputes opened in the window, compared; null when the provider has no dispute list. */
  disputes: DisputeReconcileSummary | null;
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
