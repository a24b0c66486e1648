import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { CliResult } from "./support/run-cli.js";

/**
 * Stores, providers and publishers are optional peers of the CLI. These tests install the built binary the way a
 * consumer's node_modules holds it — beside commander and core only, plus whichever optional packages a case adds —
 * and check that a missing one is named with the command that adds it, exit 1, and that nothing was touched.
 */
const cliPackage = fileURLToPath(new URL("..", import.meta.url));
const workspacePackage = (name: string) => realpathSync(join(cliPackage, "node_modules", name));

const installs: string[] = [];
afterEach(() => {
  for (const dir of installs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Install {
  dir: string;
  run(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/** A node_modules with payments-cli, its one dependency, core (its required peer) and the `extra` packages given. */
function installCli(extra: readonly string[] = [], fakes: Record<string, string> = {}): Install {
  const dir = mkdtempSync(join(tmpdir(), "payments-cli-optional-"));
  installs.push(dir);
  const modules = join(dir, "node_modules");
  const cliDir = join(modules, "@org", "payments-cli");
  mkdirSync(join(cliDir, "dist"), { recursive: true });
  cpSync(join(cliPackage, "package.json"), join(cliDir, "package.json"));
  cpSync(join(cliPackage, "dist", "cli.js"), join(cliDir, "dist", "cli.js"));
  for (const name of ["commander", "@org/payments-core", ...extra]) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(workspacePackage(name), join(modules, name), "dir");
  }
  // A package that is installed but whose own dependency is not: a broken install, not a missing package.
  for (const [name, source] of Object.entries(fakes)) {
    const fakeDir = join(modules, name);
    mkdirSync(fakeDir, { recursive: true });
    writeFileSync(join(fakeDir, "package.json"), JSON.stringify({ name, version: "0.1.0", type: "module", exports: "./index.js" }));
    writeFileSync(join(fakeDir, "index.js"), source);
  }
  const binary = join(cliDir, "dist", "cli.js");
  return {
    dir,
    run: (args, env = {}) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [binary, ...args],
          { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", PAYMENTS_OPERATOR: "ana", ...env } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
        );
      }),
  };
}

function expectNamed(result: CliResult, packageName: string): void {
  expect(result.stderr).toContain("error[package_not_installed]");
  expect(result.stderr).toContain(`needs ${packageName}, which is not installed`);
  expect(result.stderr).toContain(`npm install ${packageName}`);
  // Node's own stack is not what an operator reads.
  expect(result.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
  expect(result.code).toBe(1);
}

describe("optional stores, providers and publishers", () => {
  it("--help needs none of them", async () => {
    const cli = installCli();
    const result = await cli.run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("payments-cli");
  });

  it("a SQLite database without @org/payments-sqlite is refused by name, and no file is created", async () => {
    const cli = installCli();
    const db = join(cli.dir, "payments.db");
    const result = await cli.run(["migrate", "--db", db]);
    expectNamed(result, "@org/payments-sqlite");
    expect(existsSync(db)).toBe(false);
  });

  it("a PostgreSQL URL without @org/payments-postgres is refused by name, with the password kept out", async () => {
    const cli = installCli(["@org/payments-sqlite"]);
    const result = await cli.run(["migrate"], { PAYMENTS_DATABASE_URL: "postgres://ops:s3cret-pw@127.0.0.1:5432/test" });
    expectNamed(result, "@org/payments-postgres");
    expect(result.stderr + result.stdout).not.toContain("s3cret-pw");
  });

  it("a configured provider whose adapter is missing is named, and its key is never printed", async () => {
    const cli = installCli(["@org/payments-sqlite"]);
    const db = join(cli.dir, "payments.db");
    expect((await cli.run(["migrate", "--db", db])).code).toBe(0);

    const stripe = await cli.run(["payments", "list", "--db", db], { STRIPE_SECRET_KEY: "sk_test_optional_peer_key" });
    expectNamed(stripe, "@org/payments-stripe");
    expect(stripe.stderr + stripe.stdout).not.toContain("sk_test_optional_peer_key");

    const paypal = await cli.run(["payments", "list", "--db", db], { PAYPAL_CLIENT_ID: "client", PAYPAL_CLIENT_SECRET: "paypal-secret-value" });
    expectNamed(paypal, "@org/payments-paypal");
    expect(paypal.stderr + paypal.stdout).not.toContain("paypal-secret-value");

    // Without credentials no provider adapter is needed: the simulated one is built in.
    expect((await cli.run(["payments", "list", "--db", db])).code).toBe(0);
  });

  it("an event publisher whose package is missing is named, in --json too", async () => {
    const cli = installCli(["@org/payments-sqlite"]);
    const rabbit = await cli.run(["events", "dispatch", "--once"], { PAYMENTS_RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:5672" });
    expectNamed(rabbit, "@org/payments-rabbitmq");

    const http = await cli.run(["--json", "events", "dispatch", "--once"], {
      PAYMENTS_EVENTS_WEBHOOK_URL: "http://127.0.0.1:9/events",
      PAYMENTS_EVENTS_WEBHOOK_SECRET: "whsec_optional_peer_secret",
    });
    expect(http.code).toBe(1);
    expect(JSON.parse(http.stdout)).toMatchObject({ error: { code: "package_not_installed", exitCode: 1 } });
    expect(http.stdout).toContain("@org/payments-http-publisher");
    expect(http.stderr + http.stdout).not.toContain("whsec_optional_peer_secret");
  });

  it("an installed package missing a dependency of its own is not reported as missing itself", async () => {
    const cli = installCli(["@org/payments-sqlite"], {
      "@org/payments-stripe": 'export * from "stripe-sdk-that-is-not-installed";\n',
    });
    const db = join(cli.dir, "payments.db");
    expect((await cli.run(["migrate", "--db", db])).code).toBe(0);
    const result = await cli.run(["payments", "list", "--db", db], { STRIPE_SECRET_KEY: "sk_test_optional_peer_key" });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("package_not_installed");
    expect(result.stderr).toContain("stripe-sdk-that-is-not-installed");
  });
});
