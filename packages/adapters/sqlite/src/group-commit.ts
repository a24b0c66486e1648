import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import type BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import type { Kysely } from "kysely";

/**
 * How much one batch may carry. Both bound the time the batch holds SQLite's write lock, which other processes'
 * writers wait for (busy_timeout) and this process's reads wait for (they queue on kysely's one connection).
 */
export interface GroupCommitLimits {
  /** Most members one COMMIT carries. */
  maxMembers: number;
  /** No member joins a batch that has held the write lock this long (a member already running finishes). */
  maxHoldMs: number;
}

/**
 * A store transaction's work is ~0.1–0.3 ms of statements here against ~0.8 ms for a synced COMMIT, so 16 members
 * (what 16 charges in flight queue at most) make about 4 ms of lock: the commit's cost shared 16 ways.
 */
export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = { maxMembers: 16, maxHoldMs: 4 };

/**
 * The code a member gets when SQLite rolled back the whole transaction it shared (SQLITE_FULL, a RAISE(ROLLBACK),
 * …) after its own work had succeeded: SQLite's own name for "aborted because the transaction was rolled back".
 * Never the other member's error itself: that might be a constraint violation the caller would misread as its own.
 */
export const BATCH_ROLLED_BACK = "SQLITE_ABORT_ROLLBACK";

/** Handles on which a transaction's work is running right now: every statement it sends must be inside it. */
const workRunning = new WeakSet<BetterSqlite3.Database>();

/**
 * Refuses a statement sent by a transaction's work after SQLite itself ended the transaction (a RAISE(ROLLBACK),
 * SQLITE_FULL, caught by the work): outside a transaction it would commit on its own, while its caller is told
 * that none of its work was saved. Called by the statement cache in front of every statement (statement-cache.ts).
 */
export function refuseStatementOutsideTransaction(database: BetterSqlite3.Database): void {
  if (workRunning.has(database) && !database.inTransaction) {
    throw Object.assign(new Error("SQLite rolled back this transaction: no statement of its work may run after that"), { code: BATCH_ROLLED_BACK });
  }
}

interface Member {
  /** The caller's work, run in the caller's async context. */
  run: (conn: Kysely<any>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { member: Member; ok: true; result: unknown } | { member: Member; ok: false; error: unknown };

/**
 * Group commit on kysely's one SQLite connection. A synced COMMIT costs ~0.8 ms, and better-sqlite3 blocks the
 * event loop for all of it; transactions that wait for the connection while another runs therefore join it: each
 * runs in its own SAVEPOINT inside one `BEGIN IMMEDIATE … COMMIT`, and every member's promise settles only after
 * that COMMIT returned. A caller never sees an answer that is not durable, exactly as with a COMMIT of its own.
 *
 * - A member whose work throws is rolled back to its savepoint alone; the others commit; its error is its own,
 *   delivered once the COMMIT succeeded (it may have failed on what earlier members wrote).
 * - A failed BEGIN (SQLITE_BUSY after busy_timeout) or COMMIT rejects every member of the batch with that error,
 *   and leaves none of their rows (ROLLBACK).
 * - If SQLite ended the transaction itself (it rolls the whole transaction back on some errors), the member whose
 *   statement it was gets its own error, and every other member already run is rejected with
 *   `SQLITE_ABORT_ROLLBACK`: its work (or what its failure was decided on) is gone.
 * - A lone caller runs exactly as before: BEGIN IMMEDIATE, its work, COMMIT, with no savepoint and no waiting for
 *   company (members join only while a batch is already running: nothing waits on a timer).
 *
 * `database` is the handle under the kysely instance: its `inTransaction` is the only way to see that SQLite ended
 * the transaction (a SAVEPOINT after that would silently begin a new one).
 */
export class GroupCommit {
  readonly #db: Kysely<any>;
  readonly #database: BetterSqlite3.Database;
  readonly #limits: GroupCommitLimits;
  /** The context the batches' own statements run in. */
  readonly #inOwnContext: <R>(fn: () => R) => R;
  readonly #queue: Member[] = [];
  #draining = false;

  /**
   * `ownContext`: the async context the batches' own statements (BEGIN, SAVEPOINT, COMMIT) run in, from
   * `AsyncLocalStorage.snapshot()`; by default the one this is constructed in. Never a caller's: a batch outlives
   * the caller that started it, and is no one caller's.
   */
  constructor(
    db: Kysely<any>,
    database: BetterSqlite3.Database,
    limits: GroupCommitLimits = DEFAULT_GROUP_COMMIT_LIMITS,
    ownContext: <R>(fn: () => R) => R = AsyncLocalStorage.snapshot(),
  ) {
    if (!Number.isSafeInteger(limits.maxMembers) || limits.maxMembers < 1 || !(limits.maxHoldMs >= 0)) {
      throw new RangeError("group commit: maxMembers must be a positive integer and maxHoldMs a non-negative number");
    }
    this.#db = db;
    this.#database = database;
    this.#limits = limits;
    this.#inOwnContext = ownContext;
  }

  /** Runs `work` in a write transaction (alone or with others queued); settles once its COMMIT returned. */
  run<T>(work: (conn: Kysely<any>) => Promise<T>): Promise<T> {
    // The caller's AsyncLocalStorage values (the store's nested-call guard, a host's request logger) follow its
    // work into whichever batch runs it.
    // An AsyncResource of its own, not AsyncLocalStorage.snapshot(): the same context, without the deprecation
    // wrapper snapshot() builds on every call (a few per cent of a charge's CPU).
    const inCallerContext = new AsyncResource("PaymentsSqliteTransaction");
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: (conn) => inCallerContext.runInAsyncScope(() => work(conn)), resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) this.#inOwnContext(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        let ran = false;
        try {
          // One batch per turn of the connection: reads queued behind it get the connection before the next batch.
          await this.#db.connection().execute(async (conn) => {
            ran = true;
            await this.#batch(conn);
          });
        } catch (error) {
          // The connection could not be had (the store was closed): the members it would have taken are told.
          if (!ran) for (const member of this.#take(this.#limits.maxMembers)) member.reject(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #take(count: number): Member[] {
    return this.#queue.splice(0, count);
  }

  /** One BEGIN IMMEDIATE … COMMIT. Never throws: every member it took is settled before it returns. */
  async #batch(conn: Kysely<any>): Promise<void> {
    try {
      await sql`begin immediate`.execute(conn);
    } catch (error) {
      // Those waiting now waited for the same lock: each would wait busy_timeout again in turn. All are told.
      for (const member of this.#take(this.#limits.maxMembers)) member.reject(error);
      return;
    }
    const openedAt = performance.now();
    // Every member taken, with how its work ended. Nothing is settled before the batch's fate is known: a member
    // whose work failed may have failed on what earlier members wrote (a key they claimed, an amount they reserved),
    // and if those are never committed its answer would not be true either.
    const batch: Outcome[] = [];
    // The first member needs no savepoint: if its work fails, the whole transaction is its alone to roll back.
    const first = this.#take(1)[0]!;
    try {
      batch.push({ member: first, ok: true, result: await this.#runWork(first, conn) });
    } catch (error) {
      await rollbackQuietly(conn, this.#database);
      first.reject(error);
      return;
    }
    if (!this.#database.inTransaction) return this.#lost(conn, batch, undefined);
    while (batch.length < this.#limits.maxMembers && performance.now() - openedAt < this.#limits.maxHoldMs) {
      const next = this.#take(1)[0];
      if (next === undefined) break;
      try {
        await sql`savepoint member`.execute(conn);
      } catch (error) {
        next.reject(error);
        return this.#lost(conn, batch, error);
      }
      let result: unknown;
      try {
        result = await this.#runWork(next, conn);
      } catch (error) {
        if (!(await this.#undoMember(conn))) {
          // Its own failure ended the transaction: its error is its own, the others' work is gone.
          next.reject(error);
          return this.#lost(conn, batch, error);
        }
        batch.push({ member: next, ok: false, error });
        continue;
      }
      batch.push({ member: next, ok: true, result });
      // Its work "succeeded" but SQLite ended the transaction under it (the work caught the error): it is lost too.
      if (!this.#database.inTransaction) return this.#lost(conn, batch, undefined);
      try {
        await sql`release member`.execute(conn);
      } catch (error) {
        return this.#lost(conn, batch, error);
      }
    }
    try {
      await sql`commit`.execute(conn);
    } catch (error) {
      await rollbackQuietly(conn, this.#database);
      for (const { member } of batch) member.reject(error);
      return;
    }
    for (const outcome of batch) {
      if (outcome.ok) outcome.member.resolve(outcome.result);
      else outcome.member.reject(outcome.error);
    }
  }

  /** A member's work, with its statements refused once the transaction is gone (refuseStatementOutsideTransaction). */
  async #runWork(member: Member, conn: Kysely<any>): Promise<unknown> {
    workRunning.add(this.#database);
    try {
      return await member.run(conn);
    } finally {
      workRunning.delete(this.#database);
    }
  }

  /** Undoes a failed member's work alone. False when the outer transaction is gone (SQLite rolled it back). */
  async #undoMember(conn: Kysely<any>): Promise<boolean> {
    if (!this.#database.inTransaction) return false;
    try {
      await sql`rollback to member`.execute(conn);
      await sql`release member`.execute(conn);
    } catch {
      return false;
    }
    return this.#database.inTransaction;
  }

  /** The outer transaction is gone or cannot be trusted: nothing any member of `batch` did holds. */
  async #lost(conn: Kysely<any>, batch: Outcome[], cause: unknown): Promise<void> {
    await rollbackQuietly(conn, this.#database);
    const error = Object.assign(
      new Error("SQLite rolled back the transaction this work was committed in (shared with other transactions): none of it was saved", {
        cause,
      }),
      { code: BATCH_ROLLED_BACK },
    );
    for (const { member } of batch) member.reject(error);
  }
}

async function rollbackQuietly(conn: Kysely<any>, database: BetterSqlite3.Database): Promise<void> {
  // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error is the one worth seeing.
  if (!database.inTransaction) return;
  try {
    await sql`rollback`.execute(conn);
  } catch {
    // As above: nothing left to roll back.
  }
}
