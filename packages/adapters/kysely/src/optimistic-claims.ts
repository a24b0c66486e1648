/**
 * Idempotency claims sent ahead of their answer. Where every statement is a round trip (PostgreSQL), the insert that
 * claims a new key is not sent on its own: it is held like any write (deferred-writes.ts) and travels with the
 * transaction's next statement, and `insertIdempotencyRecord` answers "claimed" before the database did. A new key
 * is the common case, and then nothing differs but the round trip saved.
 *
 * When the key was not new after all (a retry, a replay, a racer that got there first), the held insert — a plain
 * INSERT, no ON CONFLICT — fails its statement with a unique violation, and the transaction is aborted before
 * anything it did is visible: everything the caller computed on the claimed answer is rolled back with it. The
 * store then runs the whole transaction again, this time claiming that key at once (ON CONFLICT DO NOTHING, answered
 * before the work goes on), so the caller sees exactly what it would have seen had the key been claimed first: the
 * stored answer replayed, "in use", or a take-over. A key that lost once is claimed at once from then on (a client
 * replaying a key tends to replay it again), among a bounded number remembered.
 *
 * The same re-run follows any failure of an attempt whose held claim the database never confirmed (no statement
 * carrying it succeeded): the failure may rest on the unconfirmed answer — phase one of a replay, run on today's
 * state, refusing what the stored outcome would have answered; or a lost compare-and-set beside the claim failing
 * the statement before its unique violation could. A failure that does not rest on it simply fails again.
 */

/** The held claim of `scope`/`key` hit a record already there: run the transaction again, claiming it at once. */
export class IdempotencyClaimLost extends Error {
  constructor(
    readonly scope: string,
    readonly key: string,
    options: { cause: unknown },
  ) {
    super(`idempotency key ${key} was already claimed`, options);
    this.name = "IdempotencyClaimLost";
  }
}

/** Keys remembered as claimed by someone else; the oldest are forgotten first. */
const REMEMBERED_KEYS = 4_096;

/** The keys a store claims at once instead of ahead of their answer, because they were not new once. */
export class ContendedKeys {
  readonly #keys = new Set<string>();

  has(scope: string, key: string): boolean {
    return this.#keys.has(ContendedKeys.#id(scope, key));
  }

  add(scope: string, key: string): void {
    const id = ContendedKeys.#id(scope, key);
    this.#keys.delete(id);
    this.#keys.add(id);
    if (this.#keys.size > REMEMBERED_KEYS) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  static #id(scope: string, key: string): string {
    // A NUL never occurs in stored text (storable-text rule), so the pair cannot collide with another.
    return `${scope}\u0000${key}`;
  }
}
