import { createHash } from "node:crypto";
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";

/** Hot statements are few (the store's fixed shapes and their combinations); past this, new texts run unnamed. */
const MAX_PREPARED = 500;

/**
 * The texts worth preparing once per connection, and their statement names. A name is derived from the text (plus a
 * generation), so two stores on one host pool never give one name two texts; a statement whose cached plan the
 * server refused after a schema change (see `isStalePlanError`) moves to a new generation and is prepared afresh.
 */
export class PreparedStatementNames {
  readonly #names = new Map<string, string>();
  readonly #generations = new Map<string, number>();

  /** Called by the store for each hot statement text (compiled-statements.ts). */
  register(sql: string): void {
    if (this.#names.has(sql) || this.#names.size >= MAX_PREPARED) return;
    this.#names.set(sql, this.#nameOf(sql, 0));
  }

  nameFor(sql: string): string | undefined {
    return this.#names.get(sql);
  }

  /** The server refused the cached plan of `sql` (its tables changed shape): later runs prepare it under a new name. */
  renew(sql: string): void {
    if (!this.#names.has(sql)) return;
    const generation = (this.#generations.get(sql) ?? 0) + 1;
    this.#generations.set(sql, generation);
    this.#names.set(sql, this.#nameOf(sql, generation));
  }

  #nameOf(sql: string, generation: number): string {
    // 63 bytes is the server's limit on a name; 24 hex digits of SHA-256 never collide among a few hundred texts.
    return `payments_${createHash("sha256").update(sql).digest("hex").slice(0, 24)}_${generation}`;
  }
}

/**
 * "cached plan must not change result type": a prepared statement's result columns changed under it (a migration
 * added a column that a `select *` returns); or the server lost a statement the client had prepared. The
 * transaction it ran in is aborted; re-running it with the statement prepared afresh succeeds.
 */
export function isStalePlanError(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // 26000: the server no longer has a statement the client prepared (DISCARD ALL, or a pooler that moved us).
  if (code === "26000") return true;
  return code === "0A000" && typeof message === "string" && message.includes("cached plan must not change result type");
}

interface NamedQueryClient {
  query<R>(config: { name: string; text: string; values: unknown[] }): Promise<PostgresQueryResult<R>>;
}

/**
 * A pool whose connections run the store's hot statements as named prepared statements: parsed and planned once per
 * connection instead of on every call (on a small machine, planning a charge's statements costs more than running
 * them). Other statements (lists, maintenance, the host's own) go through unchanged. Behind a pooler that cannot
 * keep prepared statements per client (PgBouncer before 1.21 in transaction mode), turn this off in the store.
 */
export function withPreparedStatements(pool: PostgresPool, names: PreparedStatementNames): PostgresPool {
  // One wrapper per connection: kysely knows a connection by its client object, so a new wrapper per checkout would
  // look like a new connection every time (and re-run its set-up, e.g. the search_path of a host's pool).
  const wrappers = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = wrapClient(client, names);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function wrapClient(client: PostgresPoolClient, names: PreparedStatementNames): PostgresPoolClient {
  const named = client as unknown as NamedQueryClient;
  async function runNamed<R>(sql: string, parameters: ReadonlyArray<unknown>, name: string): Promise<PostgresQueryResult<R>> {
    try {
      return await named.query<R>({ name, text: sql, values: [...parameters] });
    } catch (error) {
      if (isStalePlanError(error)) names.renew(sql);
      throw error;
    }
  }
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>) {
    if (typeof sqlOrCursor !== "string") return client.query(sqlOrCursor);
    const name = names.nameFor(sqlOrCursor);
    return name === undefined ? client.query<R>(sqlOrCursor, parameters ?? []) : runNamed<R>(sqlOrCursor, parameters ?? [], name);
  }
  return { query, release: (destroy?: boolean) => client.release(destroy) };
}
