import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CaptureMethod, PaymentFailure } from "../domain/payment.js";
import type { DisputeReason, DisputeStatus } from "../domain/dispute.js";
import type { GatewayPaymentStatus } from "../ports/payment-gateway.js";

export interface SimulatedRefund {
  id: string;
  refundId: string | null;
  amount: number;
  status: "succeeded" | "pending" | "failed";
  createdAt: string;
  /** Why the provider refused or failed it. */
  failureReason?: string | undefined;
  /** Accepted as pending, failing at the provider before anyone reads it again (a `fail_refund_later` fault). */
  failsLater?: boolean | undefined;
}

export interface SimulatedPaymentObject {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  status: GatewayPaymentStatus;
  paymentMethodId: string;
  amountCapturable: number;
  amountCaptured: number;
  amountRefunded: number;
  failure: PaymentFailure | null;
  /** requires_action: whether the customer completed (true), failed (false) or not yet done (null) the step. */
  actionResult: boolean | null;
  authorizationExpiresAt: string | null;
  refunds: SimulatedRefund[];
  createdAt: string;
  /** The saved method's token this payment saved (asked to save while paying), and its customer. */
  savedMethodId?: string | undefined;
  customerId?: string | undefined;
}

/** A dispute the simulated provider opened on a payment object (a cardholder's bank charging it back). */
export interface SimulatedDispute {
  id: string;
  providerPaymentId: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: DisputeStatus;
  reason: DisputeReason;
  evidenceDueBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A payment method the simulated provider saved for a customer: its token, and the test id it was saved from. */
export interface SimulatedSavedMethod {
  id: string;
  customerId: string;
  source: string;
  detached: boolean;
}

/** A setup (save without charging) at the simulated provider. */
export interface SimulatedSetup {
  id: string;
  savedPaymentMethodId: string;
  customerId: string;
  source: string;
  status: "succeeded" | "requires_action" | "failed";
  /** requires_action: whether the customer completed (true), failed (false) or not yet done (null) the step. */
  actionResult: boolean | null;
  methodId: string | null;
}

export interface SimulatedKeyRecord {
  fingerprint: string;
  response: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
  at: string;
}

export interface SimulatedState {
  payments: Record<string, SimulatedPaymentObject>;
  keys: Record<string, SimulatedKeyRecord>;
  /** How many provider objects each of our payment ids produced: tests assert "exactly one charge". */
  createdPerPayment: Record<string, number>;
  /** Absent in state files written before disputes existed. */
  disputes?: Record<string, SimulatedDispute> | undefined;
  /** Absent in state files written before saved methods existed. */
  savedMethods?: Record<string, SimulatedSavedMethod> | undefined;
  setups?: Record<string, SimulatedSetup> | undefined;
  sequence: number;
}

export function emptyState(): SimulatedState {
  return { payments: {}, keys: {}, createdPerPayment: {}, disputes: {}, savedMethods: {}, setups: {}, sequence: 0 };
}

const LOCK_WAIT = new Int32Array(new SharedArrayBuffer(4));

/**
 * Holds the simulated provider's state in memory or in a JSON file that several processes share (a demo across a
 * restart, the CLI and a host). File access is serialized by an exclusive lock file, and writes replace the file
 * atomically, so concurrent processes see one consistent provider.
 */
export class SimulatedStateStore {
  #memory: SimulatedState = emptyState();

  constructor(private readonly file: string | undefined) {}

  /** Runs `work` on the current state and persists what it changed. Synchronous, so in-process calls never interleave. */
  update<T>(work: (state: SimulatedState) => T): T {
    if (!this.file) return work(this.#memory);
    const release = this.#lock(this.file);
    try {
      const state = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as SimulatedState) : emptyState();
      const result = work(state);
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(state));
      renameSync(temporary, this.file);
      return result;
    } finally {
      release();
    }
  }

  read<T>(work: (state: SimulatedState) => T): T {
    if (!this.file) return work(this.#memory);
    return work(existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as SimulatedState) : emptyState());
  }

  reset(): void {
    this.#memory = emptyState();
    if (this.file) this.update((state) => Object.assign(state, emptyState()));
  }

  #lock(file: string): () => void {
    const lockFile = `${file}.lock`;
    mkdirSync(dirname(file), { recursive: true });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        closeSync(openSync(lockFile, "wx"));
        return () => rmSync(lockFile, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        // A lock older than 10 s belongs to a process that died holding it.
        try {
          if (Date.now() - statSync(lockFile).mtimeMs > 10_000) rmSync(lockFile, { force: true });
        } catch {
          // Removed by its owner meanwhile: try again.
        }
        if (Date.now() > deadline) throw new Error(`could not lock the simulated gateway state ${file}`);
        Atomics.wait(LOCK_WAIT, 0, 0, 2);
      }
    }
  }
}
