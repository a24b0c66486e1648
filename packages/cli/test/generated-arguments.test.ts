import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaymentStore, maskCardNumbers, textProblem } from "@org/payments-core";
import { EXIT } from "../src/errors/exit-codes.js";
import { createProgram } from "../src/program.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { runInProcess } from "./support/run-in-process.js";
import { createPayment, paidPayment } from "./support/seed.js";
import { snapshot } from "./support/snapshot.js";

/**
 * Generated hostile arguments against every command, on every store: whatever is typed, a command ends with a
 * documented exit code (never an internal error), changes nothing in the database or at the provider, and prints
 * no card number and no control character. Commands run through the CLI's programmatic entry, in this process, with
 * stdin closed: a money-moving command that accepted its arguments stops at its confirmation (exit 5), and one that
 * runs until stopped (`metrics serve`) is sent SIGTERM once it says it is running.
 */

const DOCUMENTED_EXIT_CODES = new Set<number>(Object.values(EXIT));

/** A Luhn-valid 16-digit number (what a card number looks like), optionally grouped as people type them. */
const cardNumber = fc
  .tuple(fc.constantFrom("4", "51", "55", "6011"), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }), fc.constantFrom("", " ", "-"))
  .map(([prefix, digits, separator]) => {
    const body = (prefix + digits.join("")).slice(0, 15);
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let d = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    const number = body + String((10 - (sum % 10)) % 10);
    return separator === "" ? number : (number.match(/.{4}/g) ?? []).join(separator);
  });

const text = fc.string({ maxLength: 12 });
const controls = fc.constantFrom("\u0000", "\u0001", "\u0007", "\u0008", "\u000b", "\u000c", "\u001b[31m", "\u001b]0;pwned\u0007", "\u001f", "\u007f");
const surrogates = fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff");

/** Values every slot must refuse with exit 2 (a control character, a lone surrogate, or far too long). */
const mustRefuseAnywhere = fc.oneof(
  fc.tuple(text, controls, text).map(([a, c, b]) => `x${a}${c}${b}`),
  fc.tuple(text, surrogates, text).map(([a, s, b]) => `x${a}${s}${b}`),
  fc.integer({ min: 5000, max: 6000 }).map((n) => "x".repeat(n)),
);
/** A card number inside otherwise ordinary text: refused wherever the text could reach a store or a terminal. */
const withCardNumber = fc.tuple(fc.constantFrom("", "card ", "pay_"), cardNumber, fc.constantFrom("", " exp 12/29", "x")).map(([a, n, b]) => a + n + b);
/** Plausible mistakes: anything may be answered, but with a documented code and no change. */
const plausible = fc.oneof(
  fc.constantFrom("", " ", "-", "--", "2026-02-30", "2026-13-01", "yesterday", "garbage", "pay_", "pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD", "../../etc/passwd", "'; drop table payments; --", "%00", "__proto__", "__proto__=x", "constructor=1", "cvc=123", "booking=", "=x", "\u202eevil", "😀", "1e3", "-1", "0", "NaN", "9007199254740993", "0x10", "10.005", "succeeded,", "null", "{}", "\n", "a\tb"),
  fc.string({ maxLength: 20, unit: "grapheme" }),
);

interface Slot {
  /** As a refusal names it: `--reason`, `<paymentId>`. */
  display: string;
  /** Option attribute or argument name: the key of FILLERS. */
  name: string;
  kind: "option" | "argument";
  required: boolean;
  /** Local paths: only values that must be refused are tried, so a run never creates a file somewhere. */
  path: boolean;
}

interface LeafCommand {
  path: string[];
  slots: Slot[];
}

const PATH_SLOTS = new Set(["db", "out", "tariff"]);
/** Slots whose rule does not look for card numbers (a store's opaque cursor, a file name): other outcomes are fine. */
const NO_CARD_RULE = new Set(["cursor", "db", "out", "tariff"]);

function valueSlots(command: Command): Slot[] {
  return command.options
    .filter((o) => o.required || o.optional)
    .map((o) => ({ display: o.long!, name: o.attributeName(), kind: "option" as const, required: o.mandatory, path: PATH_SLOTS.has(o.attributeName()) }));
}

/** Every command that runs something, read from the program itself: a new command is fuzzed without a word here. */
function leafCommands(program: Command): LeafCommand[] {
  const globals = valueSlots(program);
  const leaves: LeafCommand[] = [];
  const walk = (command: Command, path: string[]) => {
    if (command.commands.length > 0) {
      for (const sub of command.commands) walk(sub, [...path, sub.name()]);
      return;
    }
    const args = command.registeredArguments.map((a) => ({ display: `<${a.name()}>`, name: a.name(), kind: "argument" as const, required: a.required, path: false }));
    leaves.push({ path, slots: [...globals, ...valueSlots(command), ...args] });
  };
  for (const sub of program.commands) walk(sub, [sub.name()]);
  return leaves;
}

function argv(leaf: LeafCommand, slot: Slot, value: string, fillers: Record<string, string>): string[] {
  const options: string[] = [];
  const positional: string[] = [];
  for (const s of leaf.slots) {
    const v = s === slot ? value : s.required ? fillers[s.name] : undefined;
    if (v === undefined) continue;
    // `--flag=value` and positionals after `--`: a value that starts with a dash stays a value.
    if (s.kind === "option") options.push(`${s.display}=${v}`);
    else positional.push(v);
  }
  return [...leaf.path, ...options, "--", ...positional];
}

const UNSAFE_OUTPUT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`generated hostile arguments on ${name}`, () => {
    let backend: Backend;
    let store: PaymentStore;
    let fillers: Record<string, string>;
    const cwd = process.cwd();

    beforeAll(async () => {
      backend = await createBackend(name);
      // Relative paths land in the backend's temp directory, should a broken build accept a bad file name.
      process.chdir(backend.dir);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      const opened = await backend.open();
      store = opened.store;
      const paid = await paidPayment(opened.service, 5000, { references: { booking: "BK-1" } });
      await paidPayment(opened.service, 2500, { captureMethod: "manual" });
      await createPayment(opened.service, 700);
      await opened.service.refundPayment(paid.id, { amount: 100, reason: "seed" }, { scope: "host", idempotencyKey: "seed-refund" });
      // A customer with a saved card: show, list and detach reach them (a detach stops at its confirmation).
      const { value: customer } = await opened.service.createCustomer({ owner: "user_1", email: "fuzz@example.com" }, { scope: "host", idempotencyKey: "seed-customer" });
      const { paymentMethod } = await opened.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, { scope: "host", idempotencyKey: "seed-method" });
      const dir = mkdtempSync(join(tmpdir(), "fuzz-tariff-"));
      const tariff = join(dir, "tariff.json");
      writeFileSync(tariff, JSON.stringify({ name: "city", currency: "EUR", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 100, cancellationFee: 500, taxRate: "0.10", maxSurge: "2.5" }));
      fillers = { paymentId: paid.id, customerId: customer.id, customer: customer.id, methodId: paymentMethod.id, disputeId: "dp_none", eventId: "evt_none", sequence: "999999", reason: "fuzz", provider: "simulated", since: "2020-01-01", tariff, distanceM: "1000", seconds: "60" };
    });
    afterAll(async () => {
      process.chdir(cwd);
      await backend?.dispose();
    });

    const leaves = leafCommands(createProgram({ env: {}, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, exitCode: 0 }));

    it("has a valid filler for every required argument and option of every command", () => {
      const missing = leaves.flatMap((leaf) => leaf.slots.filter((s) => s.required && fillers[s.name] === undefined).map((s) => `${leaf.path.join(" ")} ${s.display}`));
      expect(missing).toEqual([]);
      expect(leaves.length).toBeGreaterThanOrEqual(20);
    });

    for (const leaf of leaves) {
      it(`${leaf.path.join(" ")}: bad input gives a documented exit code, changes nothing and echoes no card number`, async () => {
        const slot = fc.constantFrom(...leaf.slots);
        const hostile = slot.chain((s) =>
          fc.tuple(fc.constant(s), s.path ? mustRefuseAnywhere.map((v) => ({ v, refuse: true })) : fc.oneof(
            mustRefuseAnywhere.map((v) => ({ v, refuse: true })),
            withCardNumber.map((v) => ({ v, refuse: !NO_CARD_RULE.has(s.name) })),
            plausible.map((v) => ({ v, refuse: false })),
          )),
        );
        await fc.assert(
          fc.asyncProperty(hostile, async ([s, { v, refuse }]) => {
            const before = await snapshot(store, backend.stateFile);
            const result = await runInProcess(argv(leaf, s, v, fillers), { env: backend.env, stopWhen: (stderr) => stderr.includes("Ctrl-C to stop") });
            const after = await snapshot(store, backend.stateFile);
            const output = result.stdout + result.stderr;
            const context = `${leaf.path.join(" ")} ${s.display}=${JSON.stringify(v).slice(0, 80)} → ${result.code}\n${result.stderr.slice(0, 400)}`;
            expect(DOCUMENTED_EXIT_CODES.has(result.code), context).toBe(true);
            expect(result.stderr, context).not.toMatch(/error\[internal\]|report it/);
            if (refuse) {
              expect(result.code, context).toBe(EXIT.usage);
              expect(result.stderr, context).toContain(s.display);
            }
            expect(after, context).toBe(before);
            expect(maskCardNumbers(output), context).toBe(output);
            expect(UNSAFE_OUTPUT.test(output), context).toBe(false);
            expect(textProblem(output, { max: Number.MAX_SAFE_INTEGER, multiline: true }), context).not.toBe("lone_surrogate");
          }),
          { numRuns: 6, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
        );
      });
    }
  });
}
