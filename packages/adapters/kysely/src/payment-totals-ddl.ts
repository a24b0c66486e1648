/**
 * The SQL that keeps `payment_totals` (migration 0007) in step with `payments`, per engine. Triggers, because the
 * totals must follow every write of a payment in the statement that makes it: a counter kept by the store's code
 * would miss writes made elsewhere and could drift for good.
 *
 * A row's contribution: count 1 and each amount in 32-bit halves. An update takes the old row's contribution out
 * and puts the new one in; it fires only when a summed or grouping column is written.
 */

const SPLIT = (row: string) =>
  [
    `${row}.amount >> 32`,
    `${row}.amount & 4294967295`,
    `${row}.amount_captured >> 32`,
    `${row}.amount_captured & 4294967295`,
    `${row}.amount_refunded >> 32`,
    `${row}.amount_refunded & 4294967295`,
  ] as const;

const KEY = "status, provider, currency, shard";
const COUNTERS = "count, amount_high, amount_low, captured_high, captured_low, refunded_high, refunded_low";
const WATCHED = "status, provider, currency, amount, amount_captured, amount_refunded";

function addTo(counters: string): string {
  return counters
    .split(", ")
    .map((column) => `${column} = payment_totals.${column} + excluded.${column}`)
    .join(", ");
}

/** One row's contribution, added (`sign` 1) or taken out (-1), as an upsert of its group's counter row. */
function upsert(row: "new" | "old", sign: 1 | -1, shard: string): string {
  const values = [`${sign}`, ...SPLIT(row).map((part) => (sign === 1 ? `(${part})` : `-(${part})`))];
  return (
    `insert into payment_totals (${KEY}, ${COUNTERS}) values (${row}.status, ${row}.provider, ${row}.currency, ${shard}, ${values.join(", ")}) ` +
    `on conflict (${KEY}) do update set ${addTo(COUNTERS)}`
  );
}

/** The fill from existing payments, grouped as the triggers group them (a constant shard is not a group term). */
function fill(shard: string, groupedByShard: boolean): string {
  const sums = SPLIT("p").map((part) => `sum(${part})`);
  return (
    `insert into payment_totals (${KEY}, ${COUNTERS}) ` +
    `select p.status, p.provider, p.currency, ${shard}, count(*), ${sums.join(", ")} from payments p ` +
    `group by p.status, p.provider, p.currency${groupedByShard ? `, ${shard}` : ""}`
  );
}

/** SQLite: one writer at a time, so one counter row per group (shard 0). Upserts in trigger bodies need 3.24+. */
export const SQLITE_PAYMENT_TOTALS_DDL: readonly string[] = [
  `create trigger payment_totals_on_insert after insert on payments begin ${upsert("new", 1, "0")}; end`,
  `create trigger payment_totals_on_update after update of ${WATCHED} on payments begin ${upsert("old", -1, "0")}; ${upsert("new", 1, "0")}; end`,
  `create trigger payment_totals_on_delete after delete on payments begin ${upsert("old", -1, "0")}; end`,
  fill("0", false),
];

/** The shard of a payment on PostgreSQL: 64 counter rows per group, chosen by the payment id. */
const PG_SHARD = (row: string) => `(hashtext(${row}.id) & 63)`;

/**
 * PostgreSQL: a row trigger calling one function. Writers are kept out while the table is filled (SHARE ROW
 * EXCLUSIVE blocks writes, not reads, until the migration's transaction commits), so no write falls between the
 * fill and the trigger. The function keeps the search_path it was created with (the store's schema): a write to
 * payments from a session on another path (an operator's psql with `schema.payments`) still counts in this schema's
 * totals, never in another store's table of the same name.
 */
export const POSTGRES_PAYMENT_TOTALS_DDL: readonly string[] = [
  "lock table payments in share row exclusive mode",
  `create or replace function payment_totals_follow() returns trigger language plpgsql set search_path from current as $body$
begin
  if tg_op <> 'INSERT' then
    ${upsert("old", -1, PG_SHARD("old"))};
  end if;
  if tg_op <> 'DELETE' then
    ${upsert("new", 1, PG_SHARD("new"))};
  end if;
  return null;
end
$body$`,
  `create trigger payment_totals_follow after insert or delete or update of ${WATCHED} on payments for each row execute function payment_totals_follow()`,
  fill(PG_SHARD("p"), true),
];
