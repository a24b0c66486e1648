import { retryOnConflict } from "../conflict-retry.js";
import { PaymentError, type PaymentErrorBody, errorCodeRule, isPaymentError } from "../../errors/index.js";
import { toStorableMessage } from "../../validation/acceptable-text.js";
import { requestFingerprint } from "../../idempotency/fingerprint.js";
import { assertIdempotencyKey } from "../../idempotency/keys.js";
import type { Clock } from "../../ports/clock.js";
import type { IdGenerator } from "../../ports/id-generator.js";
import type { PaymentGateway } from "../../ports/payment-gateway.js";
import type { IdempotencyRecord, PaymentStore, PaymentStoreTx, StoredOutcome } from "../../ports/payment-store.js";
import type { ApplyContext } from "../apply-gateway-result.js";
import { type GatewayCall, type GatewayCallResult, sendGatewayCall } from "../gateway-call.js";
import { type GatewayRetryPolicy, classifyGatewayError, isDefiniteAnswer, isPolicySpent, sameKeyReplays } from "../gateway-answer.js";
import type { CallOf, ClaimStep, OperationContext, PhaseOneResult, Replayable, SettleSteps } from "./operation.js";

export interface ThreePhaseRunnerOptions {
  store: PaymentStore;
  clock: Clock;
  ids: IdGenerator;
  gatewayFor: (provider: string) => PaymentGateway;
  /** Phase 3 of each kind of gateway call, keyed by its `op` (settle-steps.ts). */
  settleSteps: SettleSteps;
  /** The context a settle step records its change under. */
  applyContext: (actor: string, reason: string) => ApplyContext;
  ttlMs: number;
  lockTimeoutMs: number;
  maxConflictRetries: number;
  retryPolicy: GatewayRetryPolicy;
}

/**
 * The settle step of `call`'s kind, applied. Indexing the table by the call's own `op` pairs each step with the one
 * kind of call it takes, which the compiler checks through the mapped type of `SettleSteps`.
 */
function settleWith<Op extends GatewayCall["op"]>(
  steps: SettleSteps,
  op: Op,
  call: CallOf<Op>,
  tx: PaymentStoreTx,
  result: GatewayCallResult,
  ctx: ApplyContext,
): Promise<StoredOutcome> {
  const step: SettleSteps[Op] = steps[op];
  return step(tx, call, result, ctx);
}

/**
 * A gateway error as we store it (on the record, as the outcome): the provider's message is outside text, made
 * storable so that recording the answer can never fail, and never carrying a card number.
 */
function storableErrorBody(error: PaymentError): PaymentErrorBody {
  const body = error.toJSON();
  body.message = toStorableMessage(body.message);
  if (body.declineCode !== undefined) body.declineCode = toStorableMessage(body.declineCode, 200).replace(/[\t\r\n]/g, " ");
  return body;
}

/**
 * A record at `gateway_pending` still locked by a holder whose lock went stale never released it: that holder crashed
 * or stalled, possibly after its request went out and before it recorded the answer. So it counts as an unknown
 * outcome, sent when the holder took the lock — later attempts look up first and can never settle it as refused.
 */
function abandonedHolderMayHaveSent(record: IdempotencyRecord): IdempotencyRecord {
  if (record.recoveryPoint !== "gateway_pending" || record.lockId === null || record.lockedAt === null) return record;
  const lastSent = record.gatewayLastSentAt !== null && record.gatewayLastSentAt > record.lockedAt ? record.gatewayLastSentAt : record.lockedAt;
  return { ...record, outcomeUnknownSince: record.outcomeUnknownSince ?? record.lockedAt, gatewayLastSentAt: lastSent };
}

/** The next key of a request whose old key only replays a saved answer: `<base>:retry<n+1>`, counted per rotation. */
function rotatedKey(key: string): string {
  const match = /^(.*):retry(\d+)$/.exec(key);
  return match ? `${match[1]}:retry${Number(match[2]) + 1}` : `${key}:retry1`;
}

/** Errors that are the answer to a request, stored for replay; the rest (conflicts, unknown outcomes) are not. */
function isStorableOutcome(error: unknown): error is PaymentError {
  return isPaymentError(error) && errorCodeRule(error.code).storedForReplay;
}

function outcomeToResult<T>(outcome: StoredOutcome, replayed: boolean): Replayable<T> {
  if (outcome.ok) return { value: outcome.value as T, replayed };
  throw PaymentError.fromJSON(outcome.error, { replayed });
}

type Claimed =
  | { kind: "outcome"; outcome: StoredOutcome; replayed: boolean }
  | { kind: "gateway"; record: IdempotencyRecord };

/**
 * Runs every state-changing operation in the three phases of DESIGN.md: its claim step and guarded change in one
 * transaction; the gateway call outside any transaction; its settle step in one transaction. Every outcome is
 * stored under (scope, key) and replayed verbatim; an unknown gateway outcome is left at `gateway_pending` for a
 * retry or recovery to finish with the same gateway key.
 */
export class ThreePhaseRunner {
  constructor(private readonly options: ThreePhaseRunnerOptions) {}

  async run<T>(operation: string, params: unknown, ctx: OperationContext, phaseOne: ClaimStep): Promise<Replayable<T>> {
    const key = assertIdempotencyKey(ctx.idempotencyKey);
    const actor = ctx.actor ?? ctx.scope;
    const fingerprint = requestFingerprint(operation, params);
    const claimed = await this.withConflictRetry(() =>
      this.options.store.transaction((tx) => this.claim(tx, { operation, fingerprint, scope: ctx.scope, key }, actor, phaseOne)),
    );
    if (claimed.kind === "outcome") return outcomeToResult<T>(claimed.outcome, claimed.replayed);
    return outcomeToResult<T>(await this.callAndSettle(claimed.record, actor), false);
  }

  /**
   * Finishes a record left at `gateway_pending` (recovery). Returns null if someone else holds it, or if it is
   * flagged for an operator and `includeFlagged` is not set (an operator's `recover --flagged` sets it: one more
   * attempt, looked up first, outside the spent policy).
   */
  async resume(scope: string, key: string, actor: string, options: { includeFlagged?: boolean } = {}): Promise<StoredOutcome | null> {
    const lockId = this.options.ids.newId("lock");
    const record = await this.withConflictRetry(() =>
      this.options.store.transaction(async (tx) => {
        const current = await tx.getIdempotencyRecord(scope, key);
        if (!current || current.recoveryPoint !== "gateway_pending" || this.lockIsFresh(current)) return null;
        if (current.flaggedAt !== null && !options.includeFlagged) return null;
        const now = this.now();
        const next = { ...abandonedHolderMayHaveSent(current), lockId, lockedAt: now, updatedAt: now };
        return (await tx.updateIdempotencyRecord(next, current.lockId)) ? next : null;
      }),
    );
    return record ? this.callAndSettle(record, actor, { operatorAttempt: record.flaggedAt !== null }) : null;
  }

  private now(): string {
    return this.options.clock.now().toISOString();
  }

  private lockIsFresh(record: IdempotencyRecord): boolean {
    return (
      record.lockId !== null &&
      record.lockedAt !== null &&
      Date.parse(record.lockedAt) + this.options.lockTimeoutMs > this.options.clock.now().getTime()
    );
  }

  private withConflictRetry<R>(work: () => Promise<R>): Promise<R> {
    return retryOnConflict(work, this.options.maxConflictRetries);
  }

  private async claim(
    tx: PaymentStoreTx,
    request: { operation: string; fingerprint: string; scope: string; key: string },
    actor: string,
    phaseOne: ClaimStep,
  ): Promise<Claimed> {
    const now = this.now();
    const lockId = this.options.ids.newId("lock");
    const fresh: IdempotencyRecord = {
      scope: request.scope,
      key: request.key,
      operation: request.operation,
      fingerprint: request.fingerprint,
      paymentId: null,
      recoveryPoint: "started",
      lockId,
      lockedAt: now,
      gatewayKey: null,
      gatewayRequest: null,
      gatewaySentAt: null,
      gatewayAttempts: 0,
      lastGatewayError: null,
      flaggedAt: null,
      outcomeUnknownSince: null,
      gatewayLastSentAt: null,
      outcome: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(Date.parse(now) + this.options.ttlMs).toISOString(),
    };
    // Insert first: a new key (the common case) costs one statement; only a key seen before is read back.
    if (await tx.insertIdempotencyRecord(fresh)) return this.runPhaseOne(tx, fresh, actor, phaseOne);
    const record = await tx.getIdempotencyRecord(request.scope, request.key);
    if (!record) throw new PaymentError("conflict", "idempotency record vanished during claim");
    if (record.operation !== request.operation || record.fingerprint !== request.fingerprint) {
      throw new PaymentError(
        "idempotency_key_reused",
        "this idempotency key was used with different parameters; use a new key for a new request",
        { details: { operation: record.operation } },
      );
    }
    if (record.recoveryPoint === "finished" && record.outcome) {
      return { kind: "outcome", outcome: record.outcome, replayed: true };
    }
    if (this.lockIsFresh(record)) {
      throw new PaymentError("idempotency_key_in_use", "a request with this idempotency key is in progress; retry shortly", {
        retryAfterSeconds: 1,
      });
    }
    if (record.recoveryPoint === "gateway_pending" && record.flaggedAt !== null) {
      // Its attempts are spent: only an operator's `recover --flagged` asks the provider again.
      throw new PaymentError("gateway_outcome_unknown", "the provider's answer to this request is still unknown and an operator is settling it; retry later", {
        retryAfterSeconds: 60,
        details: { flagged: true },
      });
    }
    // The holder died or released the record after an unknown outcome: take over and resume.
    const takenOver: IdempotencyRecord = { ...abandonedHolderMayHaveSent(record), lockId, lockedAt: now, updatedAt: now };
    if (!(await tx.updateIdempotencyRecord(takenOver, record.lockId))) {
      throw new PaymentError("idempotency_key_in_use", "a request with this idempotency key is in progress; retry shortly", {
        retryAfterSeconds: 1,
      });
    }
    if (takenOver.recoveryPoint === "gateway_pending") return { kind: "gateway", record: takenOver };
    return this.runPhaseOne(tx, takenOver, actor, phaseOne);
  }

  private async runPhaseOne(
    tx: PaymentStoreTx,
    record: IdempotencyRecord,
    actor: string,
    phaseOne: ClaimStep,
  ): Promise<Claimed> {
    const now = this.now();
    let result: PhaseOneResult;
    try {
      result = await phaseOne(tx, actor);
    } catch (error) {
      if (!isStorableOutcome(error)) throw error;
      const outcome: StoredOutcome = { ok: false, error: error.toJSON() };
      await this.finish(tx, record, outcome, now);
      return { kind: "outcome", outcome, replayed: false };
    }
    if (result.kind === "done") {
      const outcome: StoredOutcome = { ok: true, value: result.value };
      await this.finish(tx, { ...record, paymentId: result.paymentId }, outcome, now);
      return { kind: "outcome", outcome, replayed: false };
    }
    const pending: IdempotencyRecord = {
      ...record,
      paymentId: result.paymentId,
      recoveryPoint: "gateway_pending",
      gatewayKey: result.gatewayKey,
      gatewayRequest: result.call,
      gatewaySentAt: now,
      updatedAt: now,
    };
    if (!(await tx.updateIdempotencyRecord(pending, record.lockId))) {
      throw new PaymentError("conflict", "idempotency record changed during claim");
    }
    return { kind: "gateway", record: pending };
  }

  private async finish(tx: PaymentStoreTx, record: IdempotencyRecord, outcome: StoredOutcome, now: string): Promise<void> {
    const finished: IdempotencyRecord = {
      ...record,
      recoveryPoint: "finished",
      outcome,
      lockId: null,
      lockedAt: null,
      updatedAt: now,
      expiresAt: new Date(Date.parse(now) + this.options.ttlMs).toISOString(),
    };
    const takenOver = () =>
      new PaymentError("idempotency_key_in_use", "another request took over this idempotency key; retry shortly", { retryAfterSeconds: 1 });
    // Nothing follows in the transaction, so a store may report the loss at commit, with the phase's other writes.
    if (tx.updateIdempotencyRecordOrFail !== undefined) return tx.updateIdempotencyRecordOrFail(finished, record.lockId, takenOver);
    if (!(await tx.updateIdempotencyRecord(finished, record.lockId))) throw takenOver();
  }

  /**
   * Phases 2 and 3 for a record we hold at `gateway_pending`. The provider's answer is classified (gateway-answer.ts):
   * a definite one settles; an indefinite one is counted against the attempt policy and the record is released for
   * the next attempt. Once any attempt left the outcome unknown (`outcomeUnknownSince`, sticky), every later attempt
   * looks the object up first, and a fresh key is used only when that lookup, in the same attempt, shows the provider
   * did not act and the provider would only replay a saved answer under the old key. When the policy is spent, an
   * operation the provider certainly never acted on settles as refused; any other is flagged for an operator.
   */
  private async callAndSettle(record: IdempotencyRecord, actor: string, options: { operatorAttempt?: boolean } = {}): Promise<StoredOutcome> {
    const call = record.gatewayRequest as GatewayCall;
    const gateway = this.options.gatewayFor(call.provider);
    const now = this.options.clock.now().getTime();
    const sentAt = record.gatewaySentAt ? Date.parse(record.gatewaySentAt) : Date.parse(record.createdAt);
    const pastRetention = now - sentAt > gateway.capabilities.idempotencyKeyRetentionMs;
    const mayHaveActed = record.outcomeUnknownSince !== null;
    const baseKey = record.gatewayKey ?? "";
    const rotate = mayHaveActed && sameKeyReplays(record.lastGatewayError);
    if (rotate || pastRetention) {
      // A send the provider will take as new (a fresh key, or a key it has forgotten) follows a lookup that must
      // not miss what the last send made: a lookup that lags behind the provider's writes is waited out first.
      const lag = gateway.capabilities.lookupLagMs ?? 0;
      const sinceLastSend = now - Date.parse(record.gatewayLastSentAt ?? record.gatewaySentAt ?? record.createdAt);
      if (sinceLastSend < lag) {
        await this.release(record);
        throw new PaymentError("gateway_outcome_unknown", "the provider's answer is not known yet; retry with the same key shortly", {
          retryAfterSeconds: Math.ceil((lag - sinceLastSend) / 1000),
        });
      }
    }
    const keyAfterEmptyLookup = rotate ? rotatedKey(baseKey) : undefined;
    let sentKey = baseKey;
    let sentAtNow = record.gatewayLastSentAt;
    let result: GatewayCallResult;
    const heartbeat = this.keepLock(record);
    try {
      result = await sendGatewayCall(gateway, call, {
        key: baseKey,
        lookupFirst: pastRetention || mayHaveActed || options.operatorAttempt === true,
        keyAfterEmptyLookup,
        onSend: (key) => {
          sentKey = key;
          sentAtNow = this.now();
        },
      });
    } catch (error) {
      const failure = isPaymentError(error)
        ? error
        : new PaymentError("gateway_outcome_unknown", "the gateway call failed unexpectedly; retry with the same key", {
            retryAfterSeconds: 5,
            cause: error,
          });
      heartbeat.stop();
      const kind = classifyGatewayError(failure);
      const body = storableErrorBody(failure);
      // A failed lookup says nothing about the request: the answer that decided how to retry is kept.
      const fromLookup = failure.details?.["lookupFailed"] === true;
      const attempt: IdempotencyRecord = { ...record, gatewayKey: sentKey, gatewayLastSentAt: sentAtNow };
      if (isDefiniteAnswer(kind)) {
        result = { kind: "rejected", error: body, answer: kind === "declined" ? "declined" : "invalid_request" };
        return this.settleAndFinish(attempt, call, result, actor);
      }
      const attempts = record.gatewayAttempts + 1;
      const outcomeUnknownSince = kind === "unknown_outcome" ? (record.outcomeUnknownSince ?? this.now()) : record.outcomeUnknownSince;
      const spent = !options.operatorAttempt && isPolicySpent(this.options.retryPolicy, attempts, record.gatewaySentAt, this.options.clock.now());
      if (spent && outcomeUnknownSince === null) {
        // Every attempt was refused before the provider acted: nothing moved, so the operation resolves as refused.
        return this.settleAndFinish(attempt, call, { kind: "rejected", error: body, answer: "invalid_request" }, actor);
      }
      await this.release({
        ...attempt,
        gatewayAttempts: attempts,
        // The unknown answer is kept over later retryable ones: it says whether the old key only replays.
        lastGatewayError:
          !fromLookup && (kind === "unknown_outcome" || record.outcomeUnknownSince === null) ? body : record.lastGatewayError,
        outcomeUnknownSince,
        flaggedAt: spent ? (record.flaggedAt ?? this.now()) : record.flaggedAt,
      });
      throw failure;
    }
    heartbeat.stop();
    return this.settleAndFinish({ ...record, gatewayKey: sentKey, gatewayLastSentAt: sentAtNow }, call, result, actor);
  }

  /**
   * Keeps our lock fresh while a slow gateway call runs (a provider timeout plus the SDK's own retry can outlast the
   * lock timeout), so no other process takes the record over and sends beside us. Refreshes at a third of the
   * timeout; a refresh that finds the lock gone stops (the taker treats us as a possible send).
   */
  private keepLock(record: IdempotencyRecord): { stop: () => void } {
    let current = record;
    let stopped = false;
    const timer = setInterval(() => {
      const refreshed: IdempotencyRecord = { ...current, lockedAt: this.now() };
      void this.options.store
        .transaction((tx) => tx.updateIdempotencyRecord(refreshed, current.lockId))
        .then((kept) => {
          if (kept && !stopped) current = refreshed;
          else clearInterval(timer);
        })
        .catch(() => clearInterval(timer));
    }, Math.max(1_000, Math.floor(this.options.lockTimeoutMs / 3)));
    timer.unref?.();
    return {
      stop: () => {
        stopped = true;
        clearInterval(timer);
      },
    };
  }

  /** Phase 3: the call's settle step applies a definite answer, and the record is finished, in one transaction. */
  private settleAndFinish(record: IdempotencyRecord, call: GatewayCall, result: GatewayCallResult, actor: string): Promise<StoredOutcome> {
    return this.withConflictRetry(() =>
      this.options.store.transaction(async (tx) => {
        // What the settle makes of the payment leaves this transaction only as its writes and the outcome it
        // returns, so its receipt number may be taken at commit.
        const ctx = { ...this.options.applyContext(actor, `gateway ${call.op}`), receiptNumberAtCommit: true };
        const outcome = await settleWith(this.options.settleSteps, call.op, call, tx, result, ctx);
        await this.finish(tx, record, outcome, this.now());
        return outcome;
      }),
    );
  }

  /**
   * Leaves the record at `gateway_pending` but unlocked, with its attempt count and last answer, so the client's
   * retry (or recovery) can resume it.
   */
  private async release(record: IdempotencyRecord): Promise<void> {
    const now = this.now();
    await this.options.store.transaction((tx) =>
      tx.updateIdempotencyRecord({ ...record, lockId: null, lockedAt: null, updatedAt: now }, record.lockId),
    );
  }
}
