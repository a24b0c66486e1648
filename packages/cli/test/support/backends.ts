import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPaymentService, type PaymentService, type PaymentStore } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { createPostgresStore } from "@org/payments-postgres";
import { createSqliteStore } from "@org/payments-sqlite";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import { type CliResult, runCli } from "./run-cli.js";

/** One database plus one simulated provider state file, shared by the test process and the CLI it spawns. */
export interface Backend {
  name: string;
  url: string;
  stateFile: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  cli(args: readonly string[], input?: string): Promise<CliResult>;
  /** A store and service of the test's own, as a host would have them. */
  open(): Promise<{ store: PaymentStore; gateway: SimulatedGateway; service: PaymentService }>;
  /** Edits the simulated provider's state as a provider-side event (or loss) would. */
  editProvider(edit: (state: { payments: Record<string, any> }) => void): void;
  dispose(): Promise<void>;
}

export const BACKENDS = ["sqlite", "postgres"] as const;

export async function backendAvailable(name: (typeof BACKENDS)[number]): Promise<boolean> {
  return name === "sqlite" ? true : postgresAvailable();
}

export async function createBackend(name: (typeof BACKENDS)[number]): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), `payments-cli-${name}-`));
  const stateFile = join(dir, "provider.sim.json");
  let url: string;
  let drop = async () => undefined as void;
  if (name === "sqlite") {
    url = join(dir, "payments.db");
  } else {
    const schema = await createTestSchema("payments_cli");
    url = schema.url;
    drop = schema.drop;
  }
  const env = { PAYMENTS_DATABASE_URL: url, PAYMENTS_SIMULATED_STATE: stateFile, PAYMENTS_OPERATOR: "ana", NO_COLOR: "1" };
  const opened: PaymentStore[] = [];
  return {
    name,
    url,
    stateFile,
    dir,
    env,
    cli: (args, input) => runCli(args, { env, input }),
    async open() {
      const store = name === "sqlite" ? await createSqliteStore({ filename: url }) : await createPostgresStore({ connectionString: url, max: 4 });
      opened.push(store);
      const gateway = new SimulatedGateway({ stateFile });
      return { store, gateway, service: createPaymentService({ store, gateways: [gateway] }) };
    },
    editProvider(edit) {
      const state = JSON.parse(readFileSync(stateFile, "utf8"));
      edit(state);
      writeFileSync(stateFile, JSON.stringify(state));
    },
    async dispose() {
      for (const store of opened) await store.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
