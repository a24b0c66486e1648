/**
 * When a store transaction's BEGIN reaches the database. Where every statement is a round trip (PostgreSQL), BEGIN
 * is sent only in front of the transaction's first statement, and not at all when the transaction turns out to be
 * one statement: the writes a phase held back (deferred-writes.ts) go as a single data-modifying statement, which the
 * database applies whole or not at all without BEGIN and COMMIT. A payment's create is such a transaction: its
 * idempotency record, payment, history row and event are one statement, one round trip instead of four.
 *
 * What keeps that safe: a statement sent without BEGIN must be the transaction's last and only one (the store
 * decides that at its final flush, when nothing else can follow), and it must not be a combined statement with a
 * compare-and-set whose loss has to undo the parts beside it (a guard is checked on the counts the statement
 * returns, after it committed). A lone guarded write that matches nothing changed nothing, so it may go alone.
 */
export interface TransactionStart {
  /** True once BEGIN went (or where the dialect always begins up front). */
  readonly begun: boolean;
  /** Sends BEGIN if it has not gone yet: before any statement of the transaction but an only one. */
  begin(): Promise<void>;
}

/** For dialects that begin before `work` runs (SQLite's BEGIN IMMEDIATE): every statement is inside. */
export const BEGUN_UP_FRONT: TransactionStart = { begun: true, begin: async () => undefined };

/** A start that sends `sendBegin` once, on the first statement that needs it. */
export function lazyTransactionStart(sendBegin: () => Promise<void>): TransactionStart {
  let begun = false;
  return {
    get begun() {
      return begun;
    },
    async begin() {
      if (begun) return;
      // Marked before sending: if BEGIN itself fails, the dialect's ROLLBACK after it is harmless.
      begun = true;
      await sendBegin();
    },
  };
}
