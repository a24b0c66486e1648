import type { Payment, Refund } from "../../domain/payment.js";
import type { PaymentGateway } from "../../ports/payment-gateway.js";
import type { PaymentStoreTx, StoredOutcome } from "../../ports/payment-store.js";
import type { ApplyContext } from "../apply-gateway-result.js";
import type { GatewayCall, GatewayCallResult } from "../gateway-call.js";

/*
 * What every operation is made of, as the three-phase runner (three-phase-runner.ts) drives it: a claim step (phase
 * 1: load, check the status, make the guarded change, name the gateway call and its key) and, for each gateway call
 * it makes, a settle step (phase 3: apply the provider's definite answer). Phase 2, the call itself, is the same for
 * all (gateway-call.ts).
 */

/** Who is calling and under which key. The scope keeps one principal's keys apart from another's. */
export interface OperationContext {
  /** The principal: a JWT `sub`, or `operator:<name>` for the CLI. */
  scope: string;
  idempotencyKey: string;
  /** Recorded in history; defaults to the scope. */
  actor?: string | undefined;
}

export interface Replayable<T> {
  value: T;
  /** True when this is the stored outcome of an earlier request with the same key. */
  replayed: boolean;
}

export interface PaymentResult {
  payment: Payment;
  replayed: boolean;
}

export interface RefundResult {
  refund: Refund;
  payment: Payment;
  replayed: boolean;
}

/** Phase 1's verdict: finished without the gateway, or a call to make with its derived gateway key. */
export type PhaseOneResult =
  | { kind: "done"; paymentId: string | null; value: unknown }
  | { kind: "gateway"; paymentId: string; gatewayKey: string; call: GatewayCall };

/** Phase 1 of one operation, run inside the transaction that claims its idempotency key. */
export type ClaimStep = (tx: PaymentStoreTx, actor: string) => Promise<PhaseOneResult>;

/** The gateway call of one kind (`op`). */
export type CallOf<Op extends GatewayCall["op"]> = Extract<GatewayCall, { op: Op }>;

/** Phase 3 of one kind of gateway call: applies the provider's definite answer and returns the operation's outcome. */
export type SettleStep<Call extends GatewayCall> = (
  tx: PaymentStoreTx,
  call: Call,
  result: GatewayCallResult,
  ctx: ApplyContext,
) => Promise<StoredOutcome>;

/**
 * The settle step of every kind of gateway call, keyed by `op`: recovery resumes a stored record that holds only the
 * call, so the call alone must say who settles it.
 */
export type SettleSteps = { readonly [Op in GatewayCall["op"]]: SettleStep<CallOf<Op>> };

/** Runs one operation through the three phases under its idempotency key (ThreePhaseRunner.run). */
export type RunOperation = <T>(operation: string, params: unknown, ctx: OperationContext, claim: ClaimStep) => Promise<Replayable<T>>;

/** What the operations need from the service that hosts them. */
export interface OperationDeps {
  run: RunOperation;
  gatewayFor(provider: string): PaymentGateway;
  /** The context a change is recorded under: when, by whom, why. */
  applyContext(actor: string, reason: string): ApplyContext;
  newId(prefix: string): string;
  now(): Date;
  /** Provider for new payments that name none. */
  defaultProvider: string;
}
