import { CompiledQuery } from "kysely";
import type { Compilable, Kysely } from "kysely";
import type { Database } from "./database.js";

/** Marks where an argument lands among a compiled query's parameters; no real value starts with NUL. */
const SLOT = "\u0000slot:";

type Slot = { readonly arg: string } | { readonly value: unknown };
interface Template {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

export type StatementArgs = Readonly<Record<string, unknown>>;

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

  /** `builder` only compiles (never runs) queries: any instance of the store's dialect gives the same SQL. */
  constructor(builder: Kysely<Database>) {
    this.#builder = builder;
  }

  /**
   * `args` is typed by the caller (a row of `database.ts`'s tables, or the WHERE values), so `build` writes the
   * same type-checked kysely query it would write without the cache, and the rows come back typed as it selects them.
   */
  query<A extends StatementArgs, O>(key: string, args: A, build: (db: Kysely<Database>, args: A) => Compilable<O>): CompiledQuery<O> {
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
      template = {
        sql: compiled.sql,
        slots: compiled.parameters.map((value) =>
          typeof value === "string" && value.startsWith(SLOT) ? { arg: value.slice(SLOT.length) } : { value },
        ),
      };
      this.#templates.set(fullKey, template);
    }
    const parameters = template.slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
    return CompiledQuery.raw(template.sql, parameters);
  }
}
