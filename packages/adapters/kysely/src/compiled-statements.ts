import { CompiledQuery } from "kysely";
import type { Compilable, Kysely } from "kysely";
import { TABLES, isJsonColumn } from "./database.js";
import type { Database } from "./database.js";
import {
  type HeldReceipt,
  RECEIPT_NUMBER_COLUMN,
  heldReceiptCtes,
  heldReceiptParameters,
  standInReplaced,
} from "./receipts-at-commit.js";

/** Marks where an argument lands among a compiled query's parameters; no real value starts with NUL. */
const SLOT = "\u0000slot:";

type Slot = { readonly arg: string } | { readonly value: unknown };
interface Template {
  /** The cache key, including which arguments were left out: it names the SQL's shape. */
  readonly key: string;
  readonly sql: string;
  readonly slots: readonly Slot[];
  readonly args: readonly (string | undefined)[];
  /** The store's tables the statement names: a statement that travels with others must not read what they write. */
  readonly tables: ReadonlySet<string>;
}

export type StatementArgs = Readonly<Record<string, unknown>>;

/** One compiled statement with its arguments filled in, and what the batching rules need to know about it. */
export interface BoundStatement {
  readonly key: string;
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** The argument each parameter comes from (a column name for a row's values), undefined for a constant. */
  readonly args: readonly (string | undefined)[];
  readonly tables: ReadonlySet<string>;
}

/**
 * Called with the SQL of every statement the cache holds (hot, fixed-shape statements, bounded in number), once
 * per statement: a driver that can prepare statements once per connection (PostgreSQL's named statements) learns
 * which texts are worth preparing.
 */
export type OnHotStatement = (sql: string) => void;

/** The text a statement fails with when a guard it carries matched no row (`raiseOnLostGuard`). */
const LOST_GUARD = "lost guard";

/** Which counted part's loss failed a `raiseOnLostGuard` statement, from the database's error; undefined if none. */
export function lostGuardIndex(error: unknown): number | undefined {
  const message = error !== null && typeof error === "object" ? (error as { message?: unknown }).message : undefined;
  if (typeof message !== "string") return undefined;
  const match = new RegExp(`${LOST_GUARD} w(\\d+)`).exec(message);
  return match === null ? undefined : Number(match[1]);
}

/** A template text may be renumbered and combined only if nothing in it but parameters carries a `$` or a literal. */
function isComposable(sql: string): boolean {
  return !sql.includes("'") && !sql.includes("--") && !sql.includes("/*");
}

function tablesNamedIn(sql: string): ReadonlySet<string> {
  return new Set(TABLES.filter((table) => sql.includes(`"${table}"`)));
}

/**
 * The store's hot statements, built with kysely's query builder once and then re-run with fresh parameters. Building
 * and compiling a query (node trees, freezing, visiting) costs several times what SQLite takes to run one of these
 * small statements, on every call of every charge. A statement is built once with a placeholder per argument; the
 * compiled SQL and where each argument lands among the parameters are kept under the caller's key. The key must
 * name everything that changes the SQL's shape other than the arguments' values (an `undefined` argument, which
 * kysely leaves out, is added to the key here).
 */
export class CompiledStatements {
  readonly #builder: Kysely<Database>;
  readonly #templates = new Map<string, Template>();
  /** Combined statements (`WITH … <main>`) by the keys of their parts. */
  readonly #combined = new Map<string, string>();
  readonly #onHotStatement: OnHotStatement | undefined;

  /** `builder` only compiles (never runs) queries: any instance of the store's dialect gives the same SQL. */
  constructor(builder: Kysely<Database>, onHotStatement?: OnHotStatement) {
    this.#builder = builder;
    this.#onHotStatement = onHotStatement;
  }

  /**
   * `args` is typed by the caller (a row of `database.ts`'s tables, or the WHERE values), so `build` writes the
   * same type-checked kysely query it would write without the cache, and the rows come back typed as it selects them.
   */
  query<A extends StatementArgs, O>(key: string, args: A, build: (db: Kysely<Database>, args: A) => Compilable<O>): CompiledQuery<O> {
    const bound = this.bind(key, args, build);
    return CompiledQuery.raw(bound.sql, [...bound.parameters]);
  }

  /** The statement compiled once under `key`, with `args` in place. */
  bind<A extends StatementArgs, O>(key: string, args: A, build: (db: Kysely<Database>, args: A) => Compilable<O>): BoundStatement {
    let fullKey = key;
    for (const name in args) if (args[name] === undefined) fullKey += `|-${name}`;
    let template = this.#templates.get(fullKey);
    if (template === undefined) {
      const placeholders: Record<string, unknown> = {};
      for (const name in args) if (args[name] !== undefined) placeholders[name] = `${SLOT}${name}`;
      // The one place the types are bent, on purpose: `build` sees a marker string where `A` has a number or a
      // timestamp. kysely only carries the value into the parameters (it never inspects it), and the marker is
      // replaced by the real argument below before anything runs.
      const compiled = build(this.#builder, placeholders as unknown as A).compile();
      const slots: Slot[] = compiled.parameters.map((value) =>
        typeof value === "string" && value.startsWith(SLOT) ? { arg: value.slice(SLOT.length) } : { value },
      );
      template = {
        key: fullKey,
        sql: compiled.sql,
        slots,
        args: slots.map((slot) => ("arg" in slot ? slot.arg : undefined)),
        tables: tablesNamedIn(compiled.sql),
      };
      this.#templates.set(fullKey, template);
      this.#onHotStatement?.(template.sql);
    }
    const parameters = template.slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
    return { key: template.key, sql: template.sql, parameters, args: template.args, tables: template.tables };
  }

  /**
   * One statement that runs `leading` as data-modifying CTEs and then `main`, for PostgreSQL (`$n` parameters):
   * `WITH w0 AS (<leading 0>), … <main>`, each part's parameters renumbered after the previous parts'. All parts
   * see one snapshot, so the caller combines only parts that touch disjoint tables. Null when a part's text cannot
   * be renumbered safely (it holds a literal or a comment).
   *
   * With `counted` (the indexes of leading parts whose row counts the caller must check), the statement instead
   * ends in `SELECT` of those counts, `main` (a write without RETURNING, or none) becoming a CTE whose count is
   * selected last as `m`.
   *
   * `raiseOnLostGuard` (only without `main`): a counted part whose count is not 1 fails the whole statement instead
   * of reporting 0, with an error naming it (`lostGuardIndex`). A statement that is its own transaction (sent
   * without BEGIN) can then carry a compare-and-set beside other writes: losing it undoes them, as a ROLLBACK would.
   *
   * `receipt` (only without `main`): the statement also takes that receipt number (receipts-at-commit.ts), selects
   * it as `receipt_number`, and every parameter of `leading` holding the stand-in gets the number in its place.
   */
  combine(
    leading: readonly BoundStatement[],
    main: BoundStatement | null,
    counted: readonly number[] = [],
    options: { raiseOnLostGuard?: boolean; receipt?: HeldReceipt | undefined } = {},
  ): CompiledQuery | null {
    const receipt = main === null ? options.receipt : undefined;
    const receiptParameters = receipt === undefined ? [] : heldReceiptParameters(receipt);
    const countsRows = counted.length > 0 || main === null;
    const raising = options.raiseOnLostGuard === true && main === null && counted.length > 0;
    // Which parameters of each part hold the stand-in: they change the text, so they are part of its key.
    const standIns = leading.map((part) => (receipt === undefined ? [] : parametersHolding(part, receipt.standIn)));
    const standInKey = receipt === undefined ? "" : `\u0002receipt:${standIns.map((indexes) => indexes.join(",")).join(";")}`;
    const comboKey = `${leading.map((part) => part.key).join("\u0001")}\u0002${main?.key ?? ""}\u0002${countsRows ? counted.join(",") : "-"}${raising ? "\u0002raise" : ""}${standInKey}`;
    let sql = this.#combined.get(comboKey);
    if (sql === undefined) {
      const parts = main === null ? leading : [...leading, main];
      if (!parts.every((part) => isComposable(part.sql)) || (main !== null && /^\s*with\b/i.test(main.sql))) return null;
      let offset = receiptParameters.length;
      const renumber = (part: BoundStatement, replaced: readonly number[] = []): string => {
        const base = offset;
        offset += part.parameters.length;
        if (base === 0) return part.sql;
        return part.sql.replace(/\$(\d+)/g, (_, n: string) => {
          const index = Number(n) - 1;
          if (!replaced.includes(index)) return `$${index + 1 + base}`;
          return standInReplaced(index + 1 + base, isJsonColumn(part.tables, part.args[index] ?? ""));
        });
      };
      const ctes = receipt === undefined ? [] : heldReceiptCtes();
      leading.forEach((part, index) =>
        ctes.push(`"w${index}" as (${renumber(part, standIns[index])}${counted.includes(index) ? " returning 1" : ""})`),
      );
      if (!countsRows) {
        sql = `with ${ctes.join(", ")} ${renumber(main!)}`;
      } else {
        if (main !== null) ctes.push(`"m" as (${renumber(main)} returning 1)`);
        // The cast of a non-constant text is evaluated only when the statement runs (a constant one would fail while
        // planning): a count of 1 reads '1'; anything else fails the statement naming the part.
        const counts = counted.map((index) =>
          raising
            ? `(case when (select count(*) from "w${index}") = 1 then '1' else '${LOST_GUARD} w${index}' end)::int as "w${index}"`
            : `(select count(*) from "w${index}") as "w${index}"`,
        );
        if (main !== null) counts.push(`(select count(*) from "m") as "m"`);
        if (receipt !== undefined) counts.push(`(select "number" from "rn") as "${RECEIPT_NUMBER_COLUMN}"`);
        sql = `with ${ctes.join(", ")} select ${counts.length > 0 ? counts.join(", ") : "1 as \"none\""}`;
      }
      this.#combined.set(comboKey, sql);
      this.#onHotStatement?.(sql);
    }
    const parameters: unknown[] = receiptParameters;
    for (const part of leading) parameters.push(...part.parameters);
    if (main !== null) parameters.push(...main.parameters);
    return CompiledQuery.raw(sql, parameters);
  }
}

/** The indexes of `part`'s parameters whose text holds `standIn`. */
function parametersHolding(part: BoundStatement, standIn: string): number[] {
  const indexes: number[] = [];
  part.parameters.forEach((value, index) => {
    if (typeof value === "string" && value.includes(standIn)) indexes.push(index);
  });
  return indexes;
}
