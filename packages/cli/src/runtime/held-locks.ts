import type { IdempotencyRecord, PaymentStore, PaymentStoreTx } from "@org/payments-core";

/** An idempotency record this process has locked: an operation between its claim and its settle. */
export interface HeldLock {
  scope: string;
  key: string;
  lockId: string;
  operation: string;
  paymentId: string | null;
}

const id = (scope: string, key: string) => `${scope}\u0000${key}`;

/**
 * The idempotency locks this process holds, as seen at the store port. The core's executor locks a record when it
 * claims (or takes over) an operation, keeps it through the provider call, and unlocks it when the operation settles
 * or its outcome turns out unknown. A process killed in between leaves the lock to expire (`lockTimeoutMs`), and
 * until then every retry of that operation is refused as `idempotency_key_in_use`. Knowing exactly which locks it
 * holds lets the CLI stop on a signal without that: let the operation in flight finish, or release its lock so that
 * a re-run resumes it at once (the record stays at `gateway_pending`, as after an unknown outcome).
 *
 * Only committed writes count: a transaction's lock changes are applied when it commits, and dropped with it.
 */
export class HeldLocks {
  readonly #held = new Map<string, HeldLock>();
  #openTransactions = 0;
  #refusal: (() => Error) | null = null;
  readonly #listeners = new Set<() => void>();

  get held(): HeldLock[] {
    return [...this.#held.values()];
  }

  /** Nothing locked and no transaction open (one might be committing a lock). */
  get idle(): boolean {
    return this.#held.size === 0 && this.#openTransactions === 0;
  }

  /** Resolves once no transaction of this process is open (one may be committing a lock this very moment). */
  transactionsClosed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#openTransactions === 0) return resolve();
      const unsubscribe = this.onChange(() => {
        if (this.#openTransactions !== 0) return;
        unsubscribe();
        resolve();
      });
    });
  }

  /** Calls `listener` after every change of `idle`-relevant state; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** From now on, taking a new lock (a new claim or a takeover) throws `error()` inside its transaction. */
  refuseNewLocks(error: () => Error): void {
    this.#refusal = error;
  }

  /** The store, observed: the service is built on this so that every lock it takes and releases is seen. */
  wrap(store: PaymentStore): PaymentStore {
    return new Proxy(store, {
      get: (target, property) => {
        if (property === "transaction") {
          return <T>(work: (tx: PaymentStoreTx) => Promise<T>) => this.#transaction(target, work);
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /**
   * Unlocks every record this process still holds, each by compare-and-set on its own lock id (a record that
   * settled or was taken over meanwhile is left alone). Uses the unobserved store. Returns what was released.
   */
  async releaseAll(store: PaymentStore, now: string): Promise<HeldLock[]> {
    const released: HeldLock[] = [];
    for (const lock of this.held) {
      const done = await store.transaction(async (tx) => {
        const record = await tx.getIdempotencyRecord(lock.scope, lock.key);
        if (!record || record.lockId !== lock.lockId) return false;
        return tx.updateIdempotencyRecord({ ...record, lockId: null, lockedAt: null, updatedAt: now }, lock.lockId);
      });
      this.#held.delete(id(lock.scope, lock.key));
      if (done) released.push(lock);
    }
    this.#changed();
    return released;
  }

  async #transaction<T>(store: PaymentStore, work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
    this.#openTransactions++;
    // Per attempt: an adapter may run `work` again after a serialization failure.
    let changes = new Map<string, HeldLock | null>();
    try {
      const result = await store.transaction((tx) => {
        changes = new Map();
        return work(this.#observe(tx, changes));
      });
      for (const [key, lock] of changes) {
        if (lock) this.#held.set(key, lock);
        else this.#held.delete(key);
      }
      return result;
    } finally {
      this.#openTransactions--;
      this.#changed();
    }
  }

  #observe(tx: PaymentStoreTx, changes: Map<string, HeldLock | null>): PaymentStoreTx {
    const holds = (record: IdempotencyRecord) => {
      const key = id(record.scope, record.key);
      return changes.has(key) ? changes.get(key) !== null : this.#held.has(key);
    };
    const note = (record: IdempotencyRecord) => {
      const { scope, key, lockId, operation, paymentId } = record;
      changes.set(id(scope, key), lockId === null ? null : { scope, key, lockId, operation, paymentId });
    };
    const refuseIfNew = (record: IdempotencyRecord) => {
      if (this.#refusal && record.lockId !== null && !holds(record)) throw this.#refusal();
    };
    return new Proxy(tx, {
      get: (target, property) => {
        if (property === "insertIdempotencyRecord") {
          return async (record: IdempotencyRecord) => {
            refuseIfNew(record);
            const inserted = await target.insertIdempotencyRecord(record);
            if (inserted) note(record);
            return inserted;
          };
        }
        if (property === "updateIdempotencyRecord") {
          return async (next: IdempotencyRecord, expectedLockId: string | null) => {
            refuseIfNew(next);
            const updated = await target.updateIdempotencyRecord(next, expectedLockId);
            if (updated) note(next);
            return updated;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
