import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPaymentService } from "@org/payments-core";
import type { PaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { runServiceRacer, sumGatewayCalls as sum } from "@org/payments-test-support/service-race";
import type { RacerConfig } from "@org/payments-test-support/service-race";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

// The racing processes load the BUILT adapter, as a host would.
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

const available = await postgresAvailable();

describe.skipIf(!available)("postgres: the service raced from several processes", () => {
  let t: PostgresTestStore;
  let dir: string;
  let stateFile: string;
  let service: PaymentService;

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    dir = mkdtempSync(join(tmpdir(), "payments-race-"));
    stateFile = join(dir, "simulated.json");
    service = createPaymentService({ store: t.store, gateways: [createSimulatedGateway({ stateFile })] });
  });
  const race = (config: Omit<RacerConfig, "store" | "stateFile">) =>
    runServiceRacer({ ...config, stateFile, store: { module: DIST, factory: "createPostgresStore", options: { connectionString: t.testSchema.url, max: 4 } } });
  afterAll(async () => {
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("3 processes × 8 concurrent callers confirming one payment under one key charge the card exactly once", async () => {
    const { payment } = await service.createPayment(
      { owner: "user_race", amount: 4200, currency: "USD" },
      { scope: "user_race", idempotencyKey: "create-confirm-race" },
    );
    const reports = await Promise.all(
      [1, 2, 3].map(() =>
        race({ mode: "confirm", paymentId: payment.id, owner: "user_race", callers: 8, key: "confirm-once" }),
      ),
    );
    const outcomes = reports.flatMap((report) => report.outcomes);
    expect(outcomes.every((outcome) => outcome.ok && outcome.status === "succeeded")).toBe(true);
    expect(outcomes.filter((outcome) => outcome.replayed === false)).toHaveLength(1);
    expect(sum(reports, "createPayment")).toBe(1);
    const provider = JSON.parse(readFileSync(stateFile, "utf8")) as { createdPerPayment: Record<string, number> };
    expect(provider.createdPerPayment[payment.id]).toBe(1);
    const stored = await t.store.getPayment(payment.id);
    expect(stored).toMatchObject({ status: "succeeded", amountCaptured: 4200 });
  });

  it("3 processes × 8 concurrent callers confirming one off-session charge of a saved card under one key charge it exactly once", async () => {
    const { value: customer } = await service.createCustomer({ owner: "user_fare" }, { scope: "user_fare", idempotencyKey: "race-customer" });
    await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_fare", idempotencyKey: "race-save" });
    const { payment } = await service.createPayment(
      { owner: "user_fare", amount: 1800, currency: "USD", customerId: customer.id, offSession: true },
      { scope: "service", idempotencyKey: "race-fare" },
    );
    const reports = await Promise.all(
      [1, 2, 3].map(() => race({ mode: "confirm", paymentId: payment.id, owner: "service", callers: 8, key: "fare-once", paymentMethodId: null })),
    );
    const outcomes = reports.flatMap((report) => report.outcomes);
    expect(outcomes.every((outcome) => outcome.ok && outcome.status === "succeeded")).toBe(true);
    expect(outcomes.filter((outcome) => outcome.replayed === false)).toHaveLength(1);
    expect(sum(reports, "createPayment")).toBe(1);
    const provider = JSON.parse(readFileSync(stateFile, "utf8")) as { createdPerPayment: Record<string, number> };
    expect(provider.createdPerPayment[payment.id]).toBe(1);
    expect(await t.store.getPayment(payment.id)).toMatchObject({ status: "succeeded", offSession: true, customerId: customer.id });
  });

  it("20 concurrent partial refunds across 2 processes exceeding the capture never refund more than was captured", async () => {
    const { payment } = await service.createPayment(
      { owner: "user_refund", amount: 1000, currency: "USD" },
      { scope: "user_refund", idempotencyKey: "create-refund-race" },
    );
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_refund", idempotencyKey: "confirm-refund-race" });
    const reports = await Promise.all(
      ["a", "b"].map((prefix) =>
        race({ mode: "refund", paymentId: payment.id, callers: 10, keyPrefix: `refund-${prefix}`, amount: 150 }),
      ),
    );
    const outcomes = reports.flatMap((report) => report.outcomes);
    const succeeded = outcomes.filter((outcome) => outcome.ok && outcome.status === "succeeded");
    const refused = outcomes.filter((outcome) => !outcome.ok);
    for (const outcome of refused) expect(["refund_exceeds_captured", "conflict"]).toContain(outcome.code);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(succeeded.length * 150).toBeLessThanOrEqual(1000);
    // Every provider refund has its record and vice versa: no money moved unaccounted.
    expect(sum(reports, "refund")).toBe(succeeded.length);

    const stored = await t.store.getPayment(payment.id);
    expect(stored!.amountRefunded).toBe(succeeded.length * 150);
    expect(stored!.amountRefunded).toBeLessThanOrEqual(stored!.amountCaptured);
    expect(stored!.amountRefundReserved).toBe(0);
    const refunds = await t.store.listRefunds(payment.id);
    expect(refunds.filter((refund) => refund.status === "succeeded")).toHaveLength(succeeded.length);
    // With no conflicts exhausted, exactly as many refunds as fit were made (6 × 150 = 900 ≤ 1000 < 1050).
    if (!refused.some((outcome) => outcome.code === "conflict")) expect(succeeded).toHaveLength(6);
  });
});
