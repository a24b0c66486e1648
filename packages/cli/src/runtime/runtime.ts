import { createPaymentService, type PaymentService, type PaymentStore } from "@org/payments-core";
import { type Connection, resolveConnection, simulatedStateFile } from "../config/connection.js";
import { createGateways } from "../config/gateways.js";
import { type Operator, resolveOperator } from "../config/operator.js";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { HeldLocks } from "./held-locks.js";
import { type MigrationStatus, type OpenedStore, openStore } from "./open-store.js";

export interface GlobalOptions {
  db?: string | undefined;
  actor?: string | undefined;
  json?: boolean | undefined;
  debug?: boolean | undefined;
  color?: boolean | undefined;
}

export interface Runtime {
  connection: Connection;
  operator: Operator;
  /** The store as the service sees it: every idempotency lock taken or released through it is in `locks`. */
  store: PaymentStore;
  /** The same store, unobserved: for releasing locks when stopping. */
  rawStore: PaymentStore;
  locks: HeldLocks;
  service: PaymentService;
  lockTimeoutMs: number;
  close(): Promise<void>;
}

export function migrateHint(connection: Connection): string {
  const db = connection.kind === "sqlite" && connection.filename === "./payments.db" ? "" : ` --db '${connection.display}'`;
  return `run \`payments-cli migrate${db}\` first`;
}

/**
 * Opens the database for `migrate`. Applying migrations may create a SQLite file; `--status` only reads, so for a
 * file that does not exist yet it reports against an empty in-memory database (everything pending) instead of
 * leaving an empty file behind at a possibly mistyped path.
 */
export async function openForMigration(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv,
  options: { statusOnly: boolean },
): Promise<{ connection: Connection; opened: OpenedStore }> {
  const connection = resolveConnection(globals.db, env);
  const opened =
    (await openStore(connection, { create: !options.statusOnly, readOnly: options.statusOnly })) ??
    (await openStore({ kind: "sqlite", filename: ":memory:", display: connection.display }, { create: true }));
  if (!opened) throw new Error("unreachable: an in-memory database always opens");
  return { connection, opened };
}

function assertCurrentSchema(status: MigrationStatus, connection: Connection): void {
  if (status.pending.length === 0) return;
  throw new CliError(
    "schema_out_of_date",
    `the database schema is out of date (at ${status.current ?? "nothing"}; pending: ${status.pending.join(", ")})`,
    EXIT.schemaOutOfDate,
    migrateHint(connection),
  );
}

function noDatabase(connection: Connection): CliError {
  return new CliError("schema_out_of_date", `no database at ${connection.display}`, EXIT.schemaOutOfDate, migrateHint(connection));
}

/**
 * A SQLite file is looked at read-only first: one that is not a database, or whose schema is behind this CLI, is
 * refused without a byte written to it (opening it for writing would switch it to WAL). PostgreSQL's check reads.
 */
async function inspectSqliteFile(connection: Connection): Promise<void> {
  if (connection.kind !== "sqlite" || connection.filename === ":memory:") return;
  const look = await openStore(connection, { create: false, readOnly: true });
  if (!look) throw noDatabase(connection);
  try {
    assertCurrentSchema(await look.status(), connection);
  } finally {
    await look.close();
  }
}

/**
 * Opens the store, refuses a schema this CLI does not match (never migrating implicitly), and builds the service
 * with every configured provider and the operator's identity, on the store observed for the locks it takes.
 */
export async function openRuntime(globals: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Runtime> {
  const operator = resolveOperator(globals.actor, env);
  const connection = resolveConnection(globals.db, env);
  await inspectSqliteFile(connection);
  const opened = await openStore(connection, { create: false });
  if (!opened) throw noDatabase(connection);
  try {
    assertCurrentSchema(await opened.status(), connection);
    const { gateways, defaultProvider } = await createGateways(env, simulatedStateFile(connection, env));
    const locks = new HeldLocks();
    const store = locks.wrap(opened.store);
    const service = createPaymentService({ store, gateways, defaultProvider });
    return {
      connection,
      operator,
      store,
      rawStore: opened.store,
      locks,
      service,
      // The service's own lock timeout, so the CLI's waiting always agrees with the executor's takeover.
      lockTimeoutMs: service.lockTimeoutMs,
      close: () => opened.close(),
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
