import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPaymentService, isPaymentError } from "@org/payments-core";
import type { Payment, PaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import type { SimulatedGateway } from "@org/payments-core/simulated";
import { runServiceRacer, sumGatewayCalls } from "@org/payments-test-support/service-race";
import type { RacerConfig } from "@org/payments-test-support/service-race";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

// The racing processes load the BUILT adapter, as a second host (or the CLI) would.
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

type Settled<T> = { ok: true; value: T } | { ok: false; code: string };

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, code: isPaymentError(error) ? error.code : String(error) };
  }
}

describe("sqlite: the service raced on a real file", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  let dir: string;
  let stateFile: string;
  let gateway: SimulatedGateway;
  let service: PaymentService;

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 });
    await migrate(store);
    dir = mkdtempSync(join(tmpdir(), "payments-sqlite-race-"));
    stateFile = join(dir, "simulated.json");
    gateway = createSimulatedGateway({ stateFile });
    service = createPaymentService({ store, gateways: [gateway] });
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function capturedPayment(owner: string, amount: number): Promise<Payment> {
    const { payment } = await service.createPayment({ owner, amount, currency: "USD" }, { scope: owner, idempotencyKey: `create-${owner}` });
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: owner, idempotencyKey: `confirm-${owner}` });
    expect(confirmed.payment).toMatchObject({ status: "succeeded", amountCaptured: amount });
    return confirmed.payment;
  }

  /** What a refund race must leave behind: exactly as many refunds as fit, no reservation, nothing unaccounted. */
  async function expectRefundsWithinCapture(paymentId: string, refundAmount: number, succeeded: number, providerRefunds: number) {
    const stored = await store.getPayment(paymentId);
    expect(stored!.amountRefunded).toBe(succeeded * refundAmount);
    expect(stored!.amountRefunded).toBeLessThanOrEqual(stored!.amountCaptured);
    expect(stored!.amountRefundReserved).toBe(0);
    const refunds = await store.listRefunds(paymentId);
    expect(refunds.filter((refund) => refund.status === "succeeded")).toHaveLength(succeeded);
    // Every provider refund has its record and vice versa: no money moved unaccounted.
    expect(providerRefunds).toBe(succeeded);
  }

  describe("one process", () => {
    it("50 concurrent callers confirming one payment under one key charge the card exactly once; the rest replay it or are told the key is in use", async () => {
      const { payment } = await service.createPayment({ owner: "user_one", amount: 4200, currency: "USD" }, { scope: "user_one", idempotencyKey: "create-one" });
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          settle(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_one", idempotencyKey: "confirm-one" })),
        ),
      );
      const answers = results.flatMap((result) => (result.ok ? [result.value] : []));
      const first = answers.filter((answer) => !answer.replayed);
      expect(first).toHaveLength(1);
      expect(first[0]!.payment).toMatchObject({ status: "succeeded", amountCaptured: 4200 });
      // A replay is the stored outcome itself, not a re-read that might have moved on.
      for (const answer of answers) expect(answer.payment).toEqual(first[0]!.payment);
      for (const result of results) if (!result.ok) expect(result.code).toBe("idempotency_key_in_use");
      expect(gateway.chargesFor(payment.id)).toBe(1);
      expect(await store.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountCaptured: 4200, version: first[0]!.payment.version });
    });

    it("20 concurrent partial refunds that together exceed the capture never refund more than was captured; every loser is refund_exceeds_captured", async () => {
      const payment = await capturedPayment("user_refund_one", 1000);
      const refundsBefore = gateway.listObjects().find((object) => object.paymentId === payment.id)!.refunds.length;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          settle(service.refundPayment(payment.id, { amount: 150, reason: "race" }, { scope: "operator:race", idempotencyKey: `refund-one-${index}` })),
        ),
      );
      const succeeded = results.filter((result) => result.ok && result.value.refund.status === "succeeded");
      // Writers are serialized, so no reservation ever loses a version race: exactly as many fit as the capture allows.
      expect(succeeded).toHaveLength(6);
      expect(results.filter((result) => !result.ok).map((result) => (result.ok ? "" : result.code))).toEqual(
        Array.from({ length: 14 }, () => "refund_exceeds_captured"),
      );
      const providerRefunds = gateway.listObjects().find((object) => object.paymentId === payment.id)!.refunds.length - refundsBefore;
      await expectRefundsWithinCapture(payment.id, 150, succeeded.length, providerRefunds);
      expect(await store.getPayment(payment.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 900 });
    });
  });

  describe("two processes on one file", () => {
    const race = (config: Omit<RacerConfig, "store" | "stateFile">) =>
      runServiceRacer({
        ...config,
        stateFile,
        store: { module: DIST, factory: "createSqliteStore", options: { filename: database.filename, busyTimeoutMs: 20_000 } },
      });

    it("2 processes × 25 concurrent callers confirming one payment under one key charge the card exactly once", async () => {
      const { payment } = await service.createPayment({ owner: "user_two", amount: 4200, currency: "USD" }, { scope: "user_two", idempotencyKey: "create-two" });
      const reports = await Promise.all(
        [1, 2].map(() => race({ mode: "confirm", paymentId: payment.id, owner: "user_two", callers: 25, key: "confirm-two" })),
      );
      const outcomes = reports.flatMap((report) => report.outcomes);
      // The racers retry while told the key is in use, so every caller ends with the one stored answer.
      expect(outcomes.every((outcome) => outcome.ok && outcome.status === "succeeded")).toBe(true);
      expect(outcomes.filter((outcome) => outcome.replayed === false)).toHaveLength(1);
      expect(sumGatewayCalls(reports, "createPayment")).toBe(1);
      const provider = JSON.parse(readFileSync(stateFile, "utf8")) as { createdPerPayment: Record<string, number> };
      expect(provider.createdPerPayment[payment.id]).toBe(1);
      expect(await store.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountCaptured: 4200 });
    });

    it("20 concurrent partial refunds across 2 processes exceeding the capture never refund more than was captured; every loser is refund_exceeds_captured", async () => {
      const payment = await capturedPayment("user_refund_two", 1000);
      const reports = await Promise.all(
        ["a", "b"].map((prefix) => race({ mode: "refund", paymentId: payment.id, callers: 10, keyPrefix: `refund-two-${prefix}`, amount: 150 })),
      );
      const outcomes = reports.flatMap((report) => report.outcomes);
      const succeeded = outcomes.filter((outcome) => outcome.ok && outcome.status === "succeeded");
      expect(succeeded).toHaveLength(6);
      expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.code)).toEqual(
        Array.from({ length: 14 }, () => "refund_exceeds_captured"),
      );
      await expectRefundsWithinCapture(payment.id, 150, succeeded.length, sumGatewayCalls(reports, "refund"));
    });
  });
});
