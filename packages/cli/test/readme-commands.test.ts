import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMemoryStore, createPaymentService, quoteFare } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { createSqliteStore, migrate } from "@org/payments-sqlite";
import { rabbitMqAvailable } from "@org/payments-test-support/rabbitmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./support/run-cli.js";

/**
 * The README's commands, run as written: every `$ payments-cli …` line of its console blocks against a SQLite
 * database seeded with payments of the kinds the README shows (its ids mapped to the seeded ones), exiting with the
 * `[exit N]` printed under it; the quick-start block at the top run as a shell script. Output that depends on no id
 * or clock (migrations, fares, a missing payment, dispute or customer) must match the README exactly.
 */
const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const REPOSITORY_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

interface DocumentedCommand {
  line: number;
  command: string;
  output: string[];
  exit: number;
}

/** Each `$ ` line of a console block, the lines printed under it and its `[exit N]` (0 when a block shows none). */
function documentedCommands(): DocumentedCommand[] {
  const lines = README.split("\n");
  const commands: DocumentedCommand[] = [];
  let inConsole = false;
  let current: DocumentedCommand | undefined;
  lines.forEach((text, index) => {
    if (/^```console\s*$/.test(text)) inConsole = true;
    else if (inConsole && /^```\s*$/.test(text)) {
      inConsole = false;
      current = undefined;
    } else if (inConsole && text.startsWith("$ ")) {
      current = { line: index + 1, command: text.slice(2), output: [], exit: 0 };
      commands.push(current);
    } else if (inConsole && current) {
      const exit = /^\[exit (\d+)\]$/.exec(text);
      if (exit) current.exit = Number(exit[1]);
      else current.output.push(text);
    }
  });
  return commands;
}

/** The first ```sh block: how to get `payments-cli` in a clone, then a first session. */
function quickStart(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(README);
  if (!block) throw new Error("the README has no ```sh block");
  return block[1]!.split("\n").filter((line) => line.trim() !== "");
}

/** Splits a command line as a POSIX shell would for the plain words, single and double quotes the README uses. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

/** The tariff file the README shows before the fare commands. */
function readmeTariff(): string {
  const block = /```json\n([\s\S]*?)```/.exec(README);
  if (!block) throw new Error("the README shows no tariff file");
  return block[1]!;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<Ran> {
  const child = spawn(file, args, { cwd: options.cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...options.env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a README command line: leading `NAME=value` words are its environment, `payments-cli` the built binary. */
function runDocumented(command: string, cwd: string, ids: ReadonlyMap<string, string>, input: string): Promise<Ran> {
  const words = shellWords(command).map((word) => ids.get(word) ?? word);
  const env: NodeJS.ProcessEnv = { PAYMENTS_OPERATOR: "ana" };
  while (words[0] && /^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split("=");
    env[name!] = value.join("=");
  }
  expect(words.shift(), command).toBe("payments-cli");
  return run(process.execPath, [CLI, ...words], { cwd, env, input });
}

/** The answer the README shows typed at a confirmation prompt ("… [y/N] y"), as the command's stdin. */
function typedAnswer(output: string[]): string {
  const prompt = output.map((text) => /\[y\/N\] (\S+)$/.exec(text)?.[1]).find(Boolean);
  return prompt ? `${prompt}\n` : "";
}

interface Seeded {
  /** README id → the seeded payment or event of the same kind. */
  ids: Map<string, string>;
}

/**
 * Payments of every kind the README's commands name, in `dir/payments.db` with the simulated provider's state
 * beside it (where the CLI looks by default), plus a dead outbox event, a held webhook and a charge the provider
 * has that the database does not (reconcile's drift).
 */
async function seed(dir: string): Promise<Seeded> {
  const store = await createSqliteStore({ filename: join(dir, "payments.db") });
  await migrate(store);
  const stateFile = join(dir, "payments.sim.json");
  const service = createPaymentService({ store, gateways: [new SimulatedGateway({ stateFile })] });
  let n = 0;
  const ctx = () => ({ scope: "host", idempotencyKey: `readme-seed-${++n}`, actor: "host" });
  // The ride of the README's receipt, priced by the tariff file it shows.
  const ride = quoteFare(JSON.parse(readmeTariff()), { distanceMeters: 12_500, durationSeconds: 1260 });
  async function paid(amount: number, extra: Record<string, unknown> = {}) {
    const { payment } = await service.createPayment({ owner: "rider_42", amount, currency: "EUR", ...extra }, ctx());
    return (await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx())).payment;
  }
  try {
    const withReceipt = await paid(ride.total, { lineItems: ride.lines, references: { booking: "BK-1001" }, description: "Ride BK-1001" });
    await service.refundPayment(withReceipt.id, { amount: 500, reason: "late pickup" }, ctx());
    const untouched = await paid(ride.total);
    const partlyRefunded = await paid(2500, { references: { booking: "BK-1002" } });
    await service.refundPayment(partlyRefunded.id, { amount: 500, reason: "late pickup" }, ctx());
    await paid(1500);

    // Disputes the bank opened, delivered as the provider's signed webhooks: one decided (won), one awaiting evidence.
    const bank = new SimulatedGateway({ stateFile });
    const deliver = async (providerDisputeId: string, type?: string) => {
      const delivery = bank.disputeWebhookFor(providerDisputeId, type);
      await service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
    };
    const contested = await paid(4200);
    const wonAtBank = bank.openDispute(contested.providerPaymentId!, { reason: "product_not_received" });
    await deliver(wonAtBank, "dispute.created");
    bank.moveDispute(wonAtBank, "under_review");
    await deliver(wonAtBank);
    bank.moveDispute(wonAtBank, "won");
    await deliver(wonAtBank);
    const fraud = await paid(1800);
    const awaiting = bank.openDispute(fraud.providerPaymentId!, { reason: "fraudulent" });
    await deliver(awaiting, "dispute.created");
    const [awaitingDispute, wonDispute] = (await service.listDisputes({}, { limit: 2 })).items;

    // Customers: one deleted (its card detached with it), one with a default card, a second card and one whose saving
    // waits for the bank's authentication; an off-session charge of its default card.
    const { value: formerRider } = await service.createCustomer({ owner: "rider_7", email: "old@example.com" }, ctx());
    await service.savePaymentMethod(formerRider.id, { paymentMethodId: "pm_card_visa" }, ctx());
    await service.deleteCustomer(formerRider.id, ctx());
    const { value: rider } = await service.createCustomer({ owner: "rider_42", email: "rider@example.com", name: "A. Rider" }, ctx());
    await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_visa" }, ctx());
    const { paymentMethod: secondCard } = await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_authenticationRequiredOffSession" }, ctx());
    await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx());
    const offSession = await service.createPayment({ owner: "rider_42", amount: 2340, currency: "EUR", customerId: rider.id, offSession: true }, ctx());
    await service.confirmPayment(offSession.payment.id, {}, ctx());

    // The outbox's first event dead-lettered, as after a consumer kept answering 500.
    const now = new Date();
    const [head] = await store.claimOutbox({ claimant: "readme", now: now.toISOString(), leaseUntil: new Date(now.getTime() + 60_000).toISOString(), limit: 1 });
    await store.markOutboxFailed(head!.sequence, "readme", { error: "HTTP 500 from consumer", nextAttemptAt: now.toISOString(), dead: true });

    // A charge made through another system on the same provider account: the provider has it, this database does not.
    const elsewhere = createPaymentService({ store: createMemoryStore(), gateways: [new SimulatedGateway({ stateFile })] });
    const other = await elsewhere.createPayment({ owner: "rider_7", amount: 990, currency: "EUR" }, ctx());
    const charged = await elsewhere.confirmPayment(other.payment.id, { paymentMethodId: "pm_card_visa" }, ctx());
    // Its webhook, delivered here before (and without) its payment: held.
    const gateway = new SimulatedGateway({ stateFile });
    const delivery = gateway.webhookFor(charged.payment.providerPaymentId!);
    const held = await service.handleWebhook("simulated", delivery.rawBody, delivery.headers);

    return {
      ids: new Map([
        ["pay_01M8CQFQQ77D0AGK1R95SA4HZ2", withReceipt.id],
        ["pay_01M8CQHMB8BFXS1FZES90SHTEG", untouched.id],
        ["pay_01M8CQHMBRMFX8NE5Y9VCNZX3A", partlyRefunded.id],
        ["pay_01M8CQFQQKX77XM9JYTMD33ND7", partlyRefunded.id],
        ["evt_sim_f835fe148e180b5b", held.eventId],
        ["dp_01M8CQHMF3Z5W6Q0S9XPN3D7KB", wonDispute!.id],
        ["dp_01M8CQHMFJ0T2A4V7YB8E6R1MC", awaitingDispute!.id],
        ["sim_dp_00000008", wonAtBank],
        ["cus_01M8XZ7RXK3852VZ2HKN21AT7C", rider.id],
        ["spm_01M8XZ7RY46RJB3K41RKPCGKSW", secondCard.id],
        ["pay_01M8XZ7RZMXQ9EK3TQRBV718BH", offSession.payment.id],
      ]),
    };
  } finally {
    await store.close();
  }
}

const rabbit = await rabbitMqAvailable();

describe("the CLI README's commands, run as written", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "payments-cli-readme-"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("quick start: after the documented build, the block's lines run in a shell and every one succeeds", async () => {
    const [build, ...session] = quickStart();
    // The build itself is what CI (and `pnpm build`) already did before the tests.
    expect(build).toMatch(/^pnpm --filter @org\/payments-cli\.\.\. build\b/);
    const own = join(scratch, "quick-start");
    mkdirSync(own);
    // From the repository's root, as the block says; `mktemp -d` lands in this test's own directory.
    const result = await run("bash", ["-e", "-O", "expand_aliases", "-c", session.join("\n")], {
      cwd: REPOSITORY_ROOT,
      env: { TMPDIR: own, PAYMENTS_OPERATOR: "ana" },
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("migrate and migrate --status on a new database print what the README prints", async () => {
    const fresh = join(scratch, "fresh");
    mkdirSync(fresh);
    const migrateCommands = documentedCommands().filter((c) => /^payments-cli migrate\b/.test(c.command));
    expect(migrateCommands.map((c) => c.command)).toEqual(["payments-cli migrate", "payments-cli migrate --status"]);
    for (const documented of migrateCommands) {
      const result = await runDocumented(documented.command, fresh, new Map(), "");
      expect(result.code, `README line ${documented.line}: ${result.stderr}`).toBe(documented.exit);
      expect(`${result.stdout}${result.stderr}`.trimEnd().split("\n"), `README line ${documented.line}`).toEqual(documented.output);
    }
  });

  it("every other command exits as documented, in the README's order, on a database of the kinds it shows", async () => {
    const dir = join(scratch, "seeded");
    mkdirSync(dir);
    const { ids } = await seed(dir);
    // The fare commands read the tariff file the README shows just before them.
    writeFileSync(join(dir, "tariff.json"), readmeTariff());

    const exact = /^payments-cli (fare |payments show pay_nope|disputes show dp_nope|customers show cus_nope)/;
    for (const documented of documentedCommands()) {
      if (/^payments-cli migrate\b/.test(documented.command)) continue;
      if (documented.command.includes("PAYMENTS_RABBITMQ_URL") && !rabbit && process.env.CI !== "true") continue;
      const unknownId = shellWords(documented.command).find((word) => /^(pay|evt|dp|sim_dp|cus|spm)_/.test(word) && !/^[a-z]+_nope$/.test(word) && !ids.has(word));
      expect(unknownId, `README line ${documented.line} names an id this test does not seed: map it in seed()`).toBeUndefined();
      const result = await runDocumented(documented.command, dir, ids, typedAnswer(documented.output));
      expect(result.code, `README line ${documented.line}: ${documented.command}\n${result.stdout}\n${result.stderr}`).toBe(documented.exit);
      if (exact.test(documented.command)) {
        // Prompts and errors go to stderr, results to stdout; the README shows both, in that order for these.
        expect(`${result.stderr}${result.stdout}`.trimEnd().split("\n"), `README line ${documented.line}`).toEqual(documented.output);
      }
    }
  });
});
