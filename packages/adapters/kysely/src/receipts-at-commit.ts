import { randomBytes } from "node:crypto";

/**
 * Receipt numbers taken at commit (`ReceiptsTx.allocateReceiptNumberAtCommit`). Every settling payment queues for
 * its year's counter row, which stays locked from the moment the number is taken until the transaction ends. Taken
 * in the middle of a settle, that lock is held across the rest of its round trips. Taken in the settle's last
 * statement, it is held for that one statement alone. The number is then unknown while the settle builds its
 * writes, so the caller gets a stand-in, and the statement that takes the number also puts it in place:
 *
 * `WITH rc AS (the counter + 1), rn AS (the number, formatted as formatReceiptNumber does), rr AS (the receipt row),
 * w0 AS (… replace($k, stand-in, number) …) …`.
 *
 * - Gap-free: the counter moves only inside the statement that writes the receipt. A failed statement (a lost
 *   compare-and-set, a duplicate) moves nothing.
 * - One per payment: a payment that has a receipt already fails the statement with a duplicate receipt, found
 *   through the receipts' primary key (a lookup planned from statistics taken while the table was tiny would scan
 *   it, and the plan is kept per connection). Then the store runs the transaction again, taking the number at once
 *   (`ReceiptClaimLost`), and that finds the number the payment has. The core never asks for a payment that has
 *   its number, so this is the path of a concurrent settle of the same payment, not of a charge.
 * - The stand-in never reaches the database, whatever writes carry it: every parameter that holds it is rewritten in
 *   the statement. A statement sent after the number is known gets the number in the stand-in's place before it
 *   is sent, and the transaction's result gets it in every string that holds the stand-in (`resolveStandIns`).
 *
 * Where every statement is a call into the same process (SQLite), nothing is held and the number is taken at once.
 */

/** A receipt number to be taken by the transaction's next statement, and the stand-in it replaces. */
export interface HeldReceipt {
  /** Empty for a number taken at once, which nothing stands in for. */
  readonly standIn: string;
  readonly paymentId: string;
  readonly year: number;
  /** The canonical timestamp of issue (conversions.ts `writeTimestamp`). */
  readonly issuedAt: string;
}

/** A stand-in no stored value contains: a random 96-bit tail, and plain ASCII that survives JSON unchanged. */
export function newStandIn(): string {
  return `unnumbered-receipt-${randomBytes(12).toString("hex")}`;
}

/**
 * The parameters the allocation's CTEs use, in front of every other part's: `$1` … `$4` (the stand-in is named in
 * `rn` too, so that a statement whose parts hold none still uses, and so types, every parameter it is sent).
 */
export function heldReceiptParameters(receipt: HeldReceipt): unknown[] {
  return [receipt.paymentId, receipt.year, receipt.issuedAt, receipt.standIn];
}

/** The column the statement selects the number into. */
export const RECEIPT_NUMBER_COLUMN = "receipt_number";

/**
 * The allocation's CTEs (PostgreSQL): the counter, then the number, then the receipt row. The number is formatted as
 * core's `formatReceiptNumber`: `R-`, the year padded to four digits, `-`, the counter padded to six (more digits
 * past a million; `lpad` would cut them, hence `greatest`). A test pins the two together.
 *
 * `keepExisting` (a number taken at once): the receipt row is inserted only if the payment has none (`ON CONFLICT
 * (payment_id) DO NOTHING`, which finds it through the primary key and waits for a concurrent insert to end), and
 * `rr` returns the number it inserted. At commit a payment with a receipt fails the statement instead.
 */
export function heldReceiptCtes(options: { keepExisting?: boolean } = {}): string[] {
  const sequence = `"rc"."last_number"::text`;
  const year = `$2::bigint::text`;
  const keep = options.keepExisting === true ? ` on conflict ("payment_id") do nothing returning "number"` : "";
  return [
    `"rc" as (insert into "receipt_counters" ("year", "last_number") values ($2::bigint, 1) on conflict ("year") do update set "last_number" = "receipt_counters"."last_number" + 1 returning "last_number")`,
    `"rn" as (select 'R-' || lpad(${year}, greatest(4, length(${year})), '0') || '-' || lpad(${sequence}, greatest(6, length(${sequence})), '0') as "number", $4::text as "stand_in" from "rc")`,
    `"rr" as (insert into "receipts" ("payment_id", "number", "year", "issued_at") select $1::text, "rn"."number", $2::bigint, $3::timestamptz from "rn"${keep})`,
  ];
}

/**
 * A receipt number taken at once on PostgreSQL, in the lock order of one taken at commit (the counter, then the
 * receipt row), so that a webhook's allocation and a settle's for the same payment never wait on each other in a
 * cycle. `receipt_number` is null when the payment has its receipt: the counter then moved for nothing, and is the
 * caller's to move back before commit (it is still theirs alone).
 */
export function receiptNumberNowStatement(): string {
  return `with ${heldReceiptCtes({ keepExisting: true }).join(", ")} select (select "number" from "rr") as "${RECEIPT_NUMBER_COLUMN}"`;
}

/** Parameter `$n` with the number where the stand-in stands; JSON columns (jsonb) are cast back from text. */
export function standInReplaced(parameter: number, json: boolean): string {
  return `${json ? "(" : ""}replace($${parameter}::text, $4::text, (select "number" from "rn"))${json ? ")::jsonb" : ""}`;
}

/** `value` with every stand-in of `numbers` replaced by its number, in every string it holds (plain objects and arrays). */
export function resolveStandIns<T>(value: T, numbers: ReadonlyMap<string, string>): T {
  if (numbers.size === 0) return value;
  return resolve(value, numbers) as T;
}

function resolve(value: unknown, numbers: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") return replaceStandIns(value, numbers);
  if (Array.isArray(value)) {
    const items = value.map((item) => resolve(item, numbers));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, numbers);
    if (resolved !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = resolved;
    }
  }
  return copy ?? value;
}

/** `text` with the stand-ins of `numbers` replaced by their numbers. */
export function replaceStandIns(text: string, numbers: ReadonlyMap<string, string>): string {
  let result = text;
  for (const [standIn, number] of numbers) if (result.includes(standIn)) result = result.replaceAll(standIn, number);
  return result;
}

/** The payment had its receipt (a concurrent settle wrote it first): run the transaction again, numbering at once. */
export class ReceiptClaimLost extends Error {
  constructor(
    readonly paymentId: string,
    options: { cause: unknown },
  ) {
    super(`the receipt of payment ${paymentId} was taken concurrently`, options);
    this.name = "ReceiptClaimLost";
  }
}
