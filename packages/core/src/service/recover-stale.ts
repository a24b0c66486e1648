import type { Payment } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type { Clock } from "../ports/clock.js";
import type { PaymentStore } from "../ports/payment-store.js";
import type { ThreePhaseRunner } from "./operations/three-phase-runner.js";

/*
 * Recovery: operations left between their phases (a crash, a timeout, an unknown answer) are finished by the
 * three-phase runner, one record at a time; those whose attempts are spent are listed for an operator.
 */

export interface RecoveryReport {
  examined: number;
  settled: Array<{ scope: string; key: string; paymentId: string | null; ok: boolean; code?: string | undefined }>;
  stillPending: Array<{ scope: string; key: string; paymentId: string | null; code: string }>;
  skipped: number;
  /**
   * Operations whose attempt policy is spent with the outcome still unknown: left to an operator, who settles them
   * with `recoverStale({ includeFlagged: true })` (`payments-cli recover --flagged`) once the provider can answer.
   */
  flagged: FlaggedOperation[];
}

/** An operation the attempt policy gave up on, as operators see it. */
export interface FlaggedOperation {
  scope: string;
  key: string;
  operation: string;
  paymentId: string | null;
  attempts: number;
  lastError: string | null;
  firstSentAt: string | null;
  flaggedAt: string;
}

export interface RecoverStaleOptions {
  /** Only records older than this are resumed. */
  olderThanMs: number;
  limit?: number;
  actor?: string;
  /** An operator's `recover --flagged`: flagged records get one more attempt, looked up first. */
  includeFlagged?: boolean;
}

export interface RecoveryDeps {
  store: PaymentStore;
  clock: Clock;
  runner: Pick<ThreePhaseRunner, "resume">;
  /** Applies webhooks held for a payment whose operation settled now (best effort, never throws). */
  afterSettle: (result: { payment: Payment; replayed: boolean }) => Promise<unknown>;
}

/**
 * Finishes operations left at `gateway_pending` (a crash, a timeout) by re-sending the identical request with
 * the same gateway key — or, past the provider's key retention, by finding what the first attempt created.
 * Safe to run repeatedly and beside client retries: a record is resumed by one holder at a time.
 */
export async function recoverStale(deps: RecoveryDeps, options: RecoverStaleOptions): Promise<RecoveryReport> {
  const before = new Date(deps.clock.now().getTime() - options.olderThanMs).toISOString();
  const records = await deps.store.listPendingIdempotencyRecords(before, options.limit ?? 500);
  const report: RecoveryReport = { examined: records.length, settled: [], stillPending: [], skipped: 0, flagged: [] };
  for (const record of records) {
    if (record.flaggedAt !== null && !options.includeFlagged) {
      report.flagged.push({
        scope: record.scope,
        key: record.key,
        operation: record.operation,
        paymentId: record.paymentId,
        attempts: record.gatewayAttempts,
        lastError: record.lastGatewayError?.code ?? null,
        firstSentAt: record.gatewaySentAt,
        flaggedAt: record.flaggedAt,
      });
      continue;
    }
    try {
      const outcome = await deps.runner.resume(record.scope, record.key, options.actor ?? "system:recovery", {
        includeFlagged: options.includeFlagged === true,
      });
      if (outcome === null) report.skipped++;
      else {
        report.settled.push({ scope: record.scope, key: record.key, paymentId: record.paymentId, ok: outcome.ok, code: outcome.ok ? undefined : outcome.error.code });
        const payment = record.paymentId ? await deps.store.getPayment(record.paymentId) : null;
        if (payment) await deps.afterSettle({ payment, replayed: false });
      }
    } catch (error) {
      const code = error instanceof PaymentError ? error.code : "internal";
      report.stillPending.push({ scope: record.scope, key: record.key, paymentId: record.paymentId, code });
    }
  }
  return report;
}
