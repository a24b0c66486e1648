import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaymentService, containsCardNumber } from "@org/payments-core";
import { openSqliteDatabase } from "@org/payments-sqlite";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { runInProcess } from "./support/run-in-process.js";
import { paidPayment } from "./support/seed.js";

/** The refusal HTTP gives for the same input: `validation_error`, here exit 2, naming the flag. */
function expectRefused(result: { code: number; stderr: string }, flag: string, code = "validation_error"): void {
  expect(result.code, result.stderr).toBe(EXIT.usage);
  expect(result.stderr, result.stderr).toMatch(new RegExp(`^error\\[${code}\\]: .*${flag.replace(/[-<>]/g, "\\$&")}`));
}

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli edges on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;
    /** Through the CLI's programmatic entry, in this process: the same checks as the binary, without a process start. */
    const cli = (args: string[]) => runInProcess(args, { env: backend.env });

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ service } = await backend.open());
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it("a cursor the store did not issue is a usage error (invalid_cursor, exit 2), not an empty page", async () => {
      await paidPayment(service, 1000);
      await paidPayment(service, 2000);
      const garbage = await cli(["payments", "list", "--cursor", "garbage", "--json"]);
      expect(garbage.code, garbage.stderr).toBe(EXIT.usage);
      expect(parseJson(garbage)).toMatchObject({ error: { code: "invalid_cursor", exitCode: EXIT.usage } });
      const first = parseJson(await cli(["payments", "list", "--limit", "1", "--json"]));
      const next = await cli(["payments", "list", "--limit", "1", "--cursor", first.nextCursor, "--json"]);
      expect(next.code, next.stderr).toBe(0);
      expect(parseJson(next).items).toHaveLength(1);
    });

    it("windows and dates are refused as HTTP refuses them: start after end, impossible calendar dates; both date forms accepted", async () => {
      expectRefused(await cli(["payments", "list", "--since", "24h", "--until", "48h"]), "--since must be before --until");
      expectRefused(await cli(["payments", "list", "--since", "2026-02-30"]), "--since");
      expectRefused(await cli(["payments", "list", "--until", "2026-03-01T24:00:00Z"]), "--until");
      expectRefused(await cli(["stats", "--since", "2026-02-30"]), "--since");
      expectRefused(await cli(["stats", "--since", "24h", "--until", "48h"]), "--since must be before --until");
      expectRefused(await cli(["reconcile", "--provider", "simulated", "--since", "2026-02-30"]), "--since");
      expectRefused(await cli(["reconcile", "--provider", "simulated", "--since", "24h", "--until", "48h"]), "--since must be before --until");
      // Date-only (UTC midnight) and full ISO 8601 with a zone, as HTTP takes them; durations are the CLI's own.
      for (const since of ["2020-01-01", "2020-01-01T00:00:00+02:00", "2020-01-01T00:00:00.123Z", "3650d"]) {
        const listed = await cli(["payments", "list", "--since", since, "--until", "2099-12-31", "--json"]);
        expect(listed.code, `${since}: ${listed.stderr}`).toBe(0);
        expect(parseJson(listed).items.length).toBeGreaterThan(0);
      }
    });

    it("arguments that reach the service or store pass the acceptable-text rules, and a refusal never repeats the value", async () => {
      const payment = await paidPayment(service, 5000);
      const card = "4242 4242 4242 4242";
      const cases: Array<[string[], string]> = [
        [["payments", "show", "pay_\u0001\u001b[2J"], "<paymentId>"],
        [["payments", "list", "--owner", "user\u001b]0;pwned\u0007"], "--owner"],
        [["payments", "list", "--provider", `card ${card}`], "--provider"],
        [["payments", "list", "--reference", "cvc=737"], "--reference"],
        [["payments", "list", "--reference", "__proto__=x"], "--reference"],
        [["refund", payment.id, "--reason", `customer sent ${card}`, "--yes"], "--reason"],
        [["refund", payment.id, "--reason", "ok", "--idempotency-key", `k-${card}`, "--yes"], "--idempotency-key"],
        [["refund", payment.id, "--reason", "ok", "--amount", "4242424242424242", "--yes"], "--amount"],
        [["receipt", `pay_${card.replaceAll(" ", "")}`], "<paymentId>"],
        [["events", "skip", "1", "--reason", "\u0007bell"], "--reason"],
        [["webhooks", "show", "evt_\u0008"], "<eventId>"],
        [["--actor", "4242424242424242", "payments", "list"], "--actor"],
      ];
      for (const [args, flag] of cases) {
        const result = await cli([...args, "--json"]);
        expectRefused(result, flag);
        expect(containsCardNumber(result.stdout + result.stderr), args.join(" ")).toBe(false);
        expect(result.stdout + result.stderr, args.join(" ")).not.toMatch(/[\u0001-\u0008\u001b]/);
        expect(parseJson(result).error.details, args.join(" ")).not.toHaveProperty("value");
      }
      const fromEnvironment = await runInProcess(["payments", "list"], { env: { ...backend.env, PAYMENTS_OPERATOR: "4242424242424242" } });
      expect(fromEnvironment.code).toBe(EXIT.usage);
      expect(fromEnvironment.stderr).toMatch(/^error\[invalid_operator\]: the operator name must be/);
      expect(containsCardNumber(fromEnvironment.stderr)).toBe(false);
      expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 0, amountRefundReserved: 0, version: payment.version });
    });

    it("a reused --idempotency-key with a different request says so first: no 'already made… replaying' before the refusal", async () => {
      const payment = await paidPayment(service, 5000);
      const key = `reused-${name}`;
      const first = await cli(["refund", payment.id, "--amount", "10.00", "--reason", "first", "--idempotency-key", key, "--yes"]);
      expect(first.code, first.stderr).toBe(0);
      const other = await cli(["refund", payment.id, "--amount", "20.00", "--reason", "first", "--idempotency-key", key, "--yes"]);
      expect(other.code).toBe(EXIT.refused);
      expect(other.stderr).toMatch(/^error\[idempotency_key_reused\]: key reused-\w+ was already used for a different request/);
      expect(other.stderr).not.toMatch(/already made|replaying|resuming/);
      const same = await cli(["refund", payment.id, "--amount", "10.00", "--reason", "first", "--idempotency-key", key, "--yes"]);
      expect(same.code).toBe(0);
      expect(same.stderr).toContain("already made under key");
      expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 1000 });
    });

    it.skipIf(name !== "sqlite")("--db naming a file that is not a database is a clear error (exit 1) and the file is left byte for byte", async () => {
      const file = join(backend.dir, "notes.txt");
      writeFileSync(file, "meeting notes, definitely not SQLite\n".repeat(300));
      const digest = () => createHash("sha256").update(readFileSync(file)).digest("hex");
      const before = digest();
      for (const args of [["payments", "list"], ["refund", "pay_x", "--reason", "r", "--yes"], ["migrate", "--status"]]) {
        const result = await cli([...args, "--db", file]);
        expect(result.code, result.stderr).toBe(EXIT.error);
        expect(result.stderr).toMatch(/^error\[not_a_database\]: the file is not a SQLite database/);
        expect(result.stderr).not.toContain("report it");
      }
      expect(digest()).toBe(before);
      expect(readdirSync(backend.dir).filter((f) => f.startsWith("notes.txt"))).toEqual(["notes.txt"]);
    });

    it.skipIf(name !== "sqlite")("a command refused for the schema never writes to the file: an empty file stays empty, another app's database keeps its journal mode", async () => {
      const empty = join(backend.dir, "new.db");
      writeFileSync(empty, "");
      for (const args of [["payments", "list"], ["stats"], ["migrate", "--status"]]) {
        const result = await cli([...args, "--db", empty]);
        expect(result.code, result.stderr).toBe(EXIT.schemaOutOfDate);
      }
      expect(readFileSync(empty).length).toBe(0);
      expect(readdirSync(backend.dir).filter((f) => f.startsWith("new.db"))).toEqual(["new.db"]);

      // Another application's database, in rollback-journal mode: refused, and not switched to WAL.
      const other = join(backend.dir, "other-app.db");
      const raw = openSqliteDatabase({ filename: other });
      raw.pragma("journal_mode = DELETE");
      raw.exec("create table notes (body text); insert into notes values ('hello');");
      raw.close();
      const before = readFileSync(other);
      expect(before[18]).toBe(1); // file format bytes 18–19: 1 = rollback journal, 2 = WAL
      const refused = await cli(["refund", "pay_x", "--reason", "r", "--yes", "--db", other]);
      expect(refused.code, refused.stderr).toBe(EXIT.schemaOutOfDate);
      expect(readFileSync(other).equals(before)).toBe(true);
    });
  });
}
