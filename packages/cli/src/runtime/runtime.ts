import { createPaymentService, type PaymentService, type PaymentStore } from "@org/payments-core";
import { type Connection, resolveConnection, simulatedStateFile } from "../config/connection.js";
import { createGateways } from "../config/gateways.js";
import { type Operator, resolveOperator } from "../config/operator.js";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { type OpenedStore, openStore } from "./open-store.js";

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
  store: PaymentStore;
  service: PaymentService;
  close(): Promise<void>;
}

export function migrateHint(connection: Connection): string {
  const db = connection.kind === "sqlite" && connection.filename === "./payments.db" ? "" : ` --db '${connection.display}'`;
  return `run \`payments-cli migrate${db}\` first`;
}

/** Opens the connection for `migrate`, which alone may create a database and change its schema. */
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
    (await openStore(connection, { create: !options.statusOnly })) ??
    (await openStore({ kind: "sqlite", filename: ":memory:", display: connection.display }, { create: true }));
  if (!opened) throw new Error("unreachable: an in-memory database always opens");
  return { connection, opened };
}

/**
 * Opens the store, refuses a schema this CLI does not match (never migrating implicitly), and builds the service
 * with every configured provider and the operator's identity.
 */
export async function openRuntime(globals: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Runtime> {
  const operator = resolveOperator(globals.actor, env);
  const connection = resolveConnection(globals.db, env);
  const opened = await openStore(connection, { create: false });
  if (!opened) {
    throw new CliError("schema_out_of_date", `no database at ${connection.display}`, EXIT.schemaOutOfDate, migrateHint(connection));
  }
  try {
    const status = await opened.status();
    if (status.pending.length > 0) {
      throw new CliError(
        "schema_out_of_date",
        `the database schema is out of date (at ${status.current ?? "nothing"}; pending: ${status.pending.join(", ")})`,
        EXIT.schemaOutOfDate,
        migrateHint(connection),
      );
    }
    const { gateways, defaultProvider } = await createGateways(env, simulatedStateFile(connection, env));
    const service = createPaymentService({ store: opened.store, gateways, defaultProvider });
    return { connection, operator, store: opened.store, service, close: () => opened.close() };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
