import type { PaymentError } from "@org/payments-core";
import { CompiledQuery } from "kysely";
import type { Kysely, QueryResult } from "kysely";
import { type BoundStatement, type CompiledStatements, lostGuardIndex } from "./compiled-statements.js";
import type { Database } from "./database.js";
import {
  type HeldReceipt,
  RECEIPT_NUMBER_COLUMN,
  ReceiptClaimLost,
  heldReceiptParameters,
  receiptNumberNowStatement,
  replaceStandIns,
} from "./receipts-at-commit.js";
import type { StoreDialect } from "./store-dialect.js";
import type { TransactionStart } from "./transaction-start.js";

/** A write whose caller waits for no answer, and what its failure means in the domain's terms. */
export interface DeferredWrite {
  readonly statement: BoundStatement;
  /**
   * The error for a unique violation by this write (a duplicate id is a lost race: `conflict`; an idempotency key
   * claimed ahead of its answer is the store's own signal to claim it again, optimistic-claims.ts).
   */
  readonly onDuplicate?: ((cause: unknown) => PaymentError | Error) | undefined;
  /** The error for a foreign-key violation by this write (the row it belongs to is not in the store: `not_found`). */
  readonly onMissingParent?: ((cause: unknown) => PaymentError) | undefined;
  /**
   * A guarded write (compare-and-set) whose loss fails the transaction: the error when it matched no row. The
   * statement it travels with reports its row count, and a count of zero throws this, which rolls the
   * transaction back with everything written beside it.
   */
  readonly onNoMatch?: (() => PaymentError) | undefined;
  /** Told when a statement carrying this write succeeded (the write is in the transaction, its checks passed). */
  readonly onSent?: (() => void) | undefined;
}

/** The receipts' primary key (payment_id) as PostgreSQL names it: a duplicate there is a payment that has its receipt. */
const RECEIPTS_PRIMARY_KEY = "receipts_pkey";

function violatedConstraint(error: unknown): string | undefined {
  const constraint = error !== null && typeof error === "object" ? (error as { constraint?: unknown }).constraint : undefined;
  return typeof constraint === "string" ? constraint : undefined;
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const table of a) if (b.has(table)) return true;
  return false;
}

/**
 * A read that takes no lock and writes nothing. At READ COMMITTED every statement reads its own fresh snapshot, so
 * such a read before a transaction's first write answers the same inside the transaction or just before its BEGIN.
 */
function isPlainRead(sql: string): boolean {
  return /^\s*select\b/i.test(sql) && !/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i.test(sql);
}

/** A write statement whose own answer is only its row count (no RETURNING): it can run as a counted CTE. */
function isPlainWrite(sql: string): boolean {
  return /^\s*(insert|update|delete)\b/i.test(sql) && !/\breturning\b/i.test(sql);
}

/**
 * Writes nobody waits on travel with the next statement of the transaction. Where every statement is a round trip
 * (PostgreSQL), the history rows, outbox events, inserts and the payment's own guarded update of a phase are held
 * back and sent as data-modifying CTEs in front of the next statement (`WITH w0 AS (UPDATE payments … WHERE version
 * = $n RETURNING 1), w1 AS (INSERT …), m AS (UPDATE idempotency_records … WHERE lock_id = …) SELECT counts`), and
 * those still held at commit go in one statement before COMMIT: a phase's writes cost one round trip, not one each.
 *
 * What the guarantees need, and how it is kept:
 * - Every part of one statement sees one snapshot, so a statement travels with held writes only if it names none of
 *   their tables; otherwise the held writes go first on their own. Two held writes never share a table either (the
 *   second sends the first), which also keeps rows of one table in the order they were appended.
 * - A held write still commits or rolls back with its transaction: the store sends what is held before COMMIT, and
 *   a failure there rolls everything back as a failed write would have.
 * - A held insert that hits a duplicate fails the statement it travelled with; the error is its own (`conflict`),
 *   found from the table the database names.
 * - A held guarded write reports its row count in the statement it travels with; zero throws its error (`conflict`),
 *   before the caller sees the answer of the statement it travelled with, so the transaction ends there.
 * - Reads, and guarded writes whose answer the caller acts on, are never held.
 *
 * - BEGIN goes in front of the first write sent (transaction-start.ts). A plain read before it goes alone and
 *   without BEGIN: it answers the same either way, and the held writes then keep waiting for the last statement.
 *   The final flush of a transaction that wrote nothing before goes without BEGIN when it is one statement: a lone
 *   write, or a combined one whose guards fail the whole statement (`raiseOnLostGuard`) instead of reporting a
 *   count of zero after its neighbours were applied.
 *
 * - A receipt number to be taken at commit (receipts-at-commit.ts) is held too, and leads the next flush: the number
 *   is taken there and put where its stand-in stands, in that statement and in every statement sent after it.
 *
 * Where statements are calls into the same process (SQLite), nothing is held: `defer` runs the write at once.
 */
export class DeferredWrites {
  readonly #db: Kysely<Database>;
  readonly #dialect: StoreDialect;
  readonly #statements: CompiledStatements;
  readonly #start: TransactionStart;
  #held: DeferredWrite[] = [];
  #heldReceipt: HeldReceipt | undefined;
  /** The numbers taken for stand-ins, by stand-in: put in place in every statement sent after. */
  readonly #numbers = new Map<string, string>();

  constructor(db: Kysely<Database>, dialect: StoreDialect, statements: CompiledStatements, start: TransactionStart) {
    this.#db = db;
    this.#dialect = dialect;
    this.#statements = statements;
    this.#start = start;
  }

  /**
   * Puts `replacement` where `write` is held, so the two go as one statement; false if `write` already went. An
   * insert held for the next statement and then updated by its own transaction becomes the insert of the update.
   */
  replaceHeld(write: DeferredWrite, replacement: DeferredWrite): boolean {
    const index = this.#held.indexOf(write);
    if (index < 0) return false;
    this.#held[index] = replacement;
    return true;
  }

  /** The numbers taken for the stand-ins of this transaction, by stand-in. */
  get receiptNumbers(): ReadonlyMap<string, string> {
    return this.#numbers;
  }

  /** Holds `receipt` for the next flush; false if holding buys nothing here or one is held already. */
  holdReceipt(receipt: HeldReceipt): boolean {
    if (!this.#dialect.batchWrites || this.#heldReceipt !== undefined) return false;
    this.#heldReceipt = receipt;
    return true;
  }

  /**
   * Takes a receipt number now, in a statement of its own (receipts-at-commit.ts): the number, or null when the
   * payment has its receipt already. The writes held stay held: they name neither the counter nor the receipts, and
   * sent first they would lock the payment row before the counter, where a settle's one statement locks the counter
   * first. A receipt held for commit goes first, with them (it takes the counter too).
   */
  async takeReceiptNumberNow(receipt: HeldReceipt): Promise<string | null> {
    if (this.#heldReceipt !== undefined) await this.flush();
    const { rows } = await this.#execute<Record<string, unknown>>(CompiledQuery.raw(receiptNumberNowStatement(), heldReceiptParameters(receipt)), []);
    const number = rows[0]?.[RECEIPT_NUMBER_COLUMN];
    return typeof number === "string" ? number : null;
  }

  /** Holds `write` for the next statement, or runs it now where holding buys nothing. */
  async defer(write: DeferredWrite): Promise<void> {
    if (!this.#dialect.batchWrites) return this.#runAlone(write);
    if (this.#held.some((held) => overlaps(held.statement.tables, write.statement.tables))) await this.flush();
    this.#held.push(write);
  }

  /** Runs `main`, carrying the held writes with it when it may. */
  async run<O>(main: BoundStatement): Promise<QueryResult<O>> {
    // A held receipt number goes with the held writes, ahead of `main` (whose own parameters may need the number).
    if (this.#heldReceipt !== undefined) await this.flush();
    if (!this.#start.begun && isPlainRead(main.sql) && !this.#held.some((held) => overlaps(held.statement.tables, main.tables))) {
      return this.#execute<O>(CompiledQuery.raw(main.sql, [...main.parameters]), [], true);
    }
    if (this.#held.length > 0 && !this.#held.some((held) => overlaps(held.statement.tables, main.tables))) {
      const guarded = this.#guardedIndexes(this.#held);
      if (guarded.length === 0) {
        const combined = this.#statements.combine(this.#held.map((held) => held.statement), main);
        if (combined !== null) return this.#execute<O>(combined, this.#take());
      } else if (isPlainWrite(main.sql)) {
        const combined = this.#statements.combine(this.#held.map((held) => held.statement), main, guarded);
        if (combined !== null) {
          const carried = this.#take();
          const counts = await this.#execute<Record<string, unknown>>(combined, carried);
          this.#checkGuards(carried, guarded, counts.rows[0]);
          return { rows: [], numAffectedRows: BigInt(Number(counts.rows[0]?.["m"] ?? 0)) };
        }
      }
    }
    await this.flush();
    return this.#execute<O>(CompiledQuery.raw(main.sql, [...main.parameters]), []);
  }

  /**
   * Sends what is held, in one statement. Before any statement that is not carried, and before COMMIT (`final`: the
   * transaction's last statement, which may then be its only one and go without BEGIN).
   */
  async flush(options: { final?: boolean } = {}): Promise<void> {
    const receipt = this.#heldReceipt;
    if (this.#held.length === 0 && receipt === undefined) return;
    this.#heldReceipt = undefined;
    const held = this.#take();
    const guarded = this.#guardedIndexes(held);
    const alone = options.final === true && !this.#start.begun;
    if (receipt !== undefined) {
      const combined = this.#statements.combine(held.map((write) => write.statement), null, guarded, { raiseOnLostGuard: alone, receipt });
      if (combined !== null) {
        const counts = await this.#execute<Record<string, unknown>>(combined, held, alone, receipt);
        this.#checkGuards(held, guarded, counts.rows[0]);
        this.#numberTaken(receipt, counts.rows[0]);
        return;
      }
      // A held write that cannot travel in a combined statement: the number goes first, on its own, and is put in
      // place in the held writes when they are sent (#execute).
      const taken = await this.#execute<Record<string, unknown>>(this.#statements.combine([], null, [], { receipt })!, [], alone && held.length === 0, receipt);
      this.#numberTaken(receipt, taken.rows[0]);
      if (held.length === 0) return;
      return this.#flushHeld(held, guarded, false);
    }
    return this.#flushHeld(held, guarded, alone);
  }

  async #flushHeld(held: DeferredWrite[], guarded: number[], alone: boolean): Promise<void> {
    if (held.length > 1 || guarded.length > 0) {
      const combined = this.#statements.combine(held.map((write) => write.statement), null, guarded, { raiseOnLostGuard: alone });
      if (combined !== null) {
        const counts = await this.#execute<Record<string, unknown>>(combined, held, alone);
        this.#checkGuards(held, guarded, counts.rows[0]);
        return;
      }
    }
    if (held.length === 1) return this.#runAlone(held[0]!, alone);
    for (const write of held) await this.#runAlone(write);
  }

  #numberTaken(receipt: HeldReceipt, row: Record<string, unknown> | undefined): void {
    const number = row?.[RECEIPT_NUMBER_COLUMN];
    if (typeof number !== "string" || number === "") throw new Error(`no receipt number was taken for payment ${receipt.paymentId}`);
    this.#numbers.set(receipt.standIn, number);
  }

  /** One write as its own statement, its guard (if any) checked on its row count. */
  async #runAlone(write: DeferredWrite, withoutBegin = false): Promise<void> {
    const result = await this.#execute(CompiledQuery.raw(write.statement.sql, [...write.statement.parameters]), [write], withoutBegin);
    if (write.onNoMatch !== undefined && result.numAffectedRows !== 1n) throw write.onNoMatch();
  }

  #take(): DeferredWrite[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  #guardedIndexes(writes: readonly DeferredWrite[]): number[] {
    return writes.flatMap((write, index) => (write.onNoMatch !== undefined ? [index] : []));
  }

  #checkGuards(writes: readonly DeferredWrite[], guarded: readonly number[], counts: Record<string, unknown> | undefined): void {
    for (const index of guarded) {
      if (Number(counts?.[`w${index}`] ?? 0) !== 1) throw writes[index]!.onNoMatch!();
    }
  }

  async #execute<O>(query: CompiledQuery, carried: readonly DeferredWrite[], withoutBegin = false, receipt?: HeldReceipt): Promise<QueryResult<O>> {
    if (!withoutBegin) await this.#start.begin();
    let result: QueryResult<O>;
    try {
      result = (await this.#db.executeQuery(this.#numbered(query))) as QueryResult<O>;
    } catch (cause) {
      const lost = lostGuardIndex(cause);
      const guard = lost === undefined ? undefined : carried[lost];
      if (guard?.onNoMatch !== undefined) throw guard.onNoMatch();
      if (receipt !== undefined && this.#dialect.isUniqueViolation(cause) && violatedConstraint(cause) === RECEIPTS_PRIMARY_KEY) {
        throw new ReceiptClaimLost(receipt.paymentId, { cause });
      }
      if (carried.length > 0 && this.#dialect.isUniqueViolation(cause)) {
        const table = this.#dialect.violatedTable(cause);
        const culprit = carried.find((write) => write.onDuplicate !== undefined && (table === undefined || write.statement.tables.has(table)));
        if (culprit?.onDuplicate !== undefined) throw culprit.onDuplicate(cause);
      }
      if (carried.length > 0 && this.#dialect.isForeignKeyViolation(cause)) {
        const table = this.#dialect.violatedTable(cause);
        const culprit = carried.find((write) => write.onMissingParent !== undefined && (table === undefined || write.statement.tables.has(table)));
        if (culprit?.onMissingParent !== undefined) throw culprit.onMissingParent(cause);
      }
      throw cause;
    }
    for (const write of carried) write.onSent?.();
    return result;
  }

  /** `query` with the numbers taken so far where their stand-ins stand among its parameters. */
  #numbered(query: CompiledQuery): CompiledQuery {
    if (this.#numbers.size === 0) return query;
    const parameters = query.parameters.map((value) => (typeof value === "string" ? replaceStandIns(value, this.#numbers) : value));
    return parameters.every((value, index) => value === query.parameters[index]) ? query : CompiledQuery.raw(query.sql, parameters);
  }
}
