// One host process racing its siblings through the payment service on a shared database, with the BUILT store
// adapter (its dist entry, passed in) and a simulated provider whose state file all processes share. Spawned by
// `runServiceRacer`; prints a `RacerReport` as JSON on stdout.
// argv[2]: JSON `RacerConfig`.
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { createPaymentService, isPaymentError } from "@org/payments-core";
import type { PaymentGateway, PaymentStore } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import type { RacerConfig, RacerOutcome, RacerReport } from "./service-race.js";

const config = JSON.parse(process.argv[2] ?? "{}") as RacerConfig;
const adapter = (await import(pathToFileURL(config.store.module).href)) as Record<string, unknown>;
const factory = adapter[config.store.factory];
if (typeof factory !== "function") throw new Error(`${config.store.module} exports no function ${config.store.factory}`);
const store = (await factory(config.store.options)) as PaymentStore & { close(): Promise<void> };

const simulated = createSimulatedGateway({ stateFile: config.stateFile });
const calls: Record<string, number> = {};
// Counts what reaches the provider from this process.
const gateway = new Proxy(simulated, {
  get(target, property) {
    const value: unknown = Reflect.get(target, property, target);
    if (typeof value !== "function" || typeof property !== "string") return value;
    return (...args: unknown[]) => {
      calls[property] = (calls[property] ?? 0) + 1;
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as PaymentGateway;
const service = createPaymentService({ store, gateways: [gateway] });

const codeOf = (error: unknown) => (isPaymentError(error) ? error.code : String(error));

async function confirmOnce(): Promise<RacerOutcome> {
  // A client that retries while another request holds the key, as the 409 tells it to.
  let inUse = 0;
  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      const method = config.paymentMethodId === undefined ? "pm_card_visa" : config.paymentMethodId;
      const input = method === null ? {} : { paymentMethodId: method };
      const result = await service.confirmPayment(config.paymentId, input, { scope: config.owner ?? "", idempotencyKey: config.key ?? "" });
      return { ok: true, replayed: result.replayed, status: result.payment.status, inUse };
    } catch (error) {
      if (!isPaymentError(error, "idempotency_key_in_use")) return { ok: false, code: codeOf(error), inUse };
      inUse += 1;
      await delay(5 + Math.random() * 20);
    }
  }
  return { ok: false, code: "gave_up", inUse };
}

async function refundOnce(index: number): Promise<RacerOutcome> {
  try {
    const result = await service.refundPayment(config.paymentId, { amount: config.amount ?? 0, reason: "race" }, {
      scope: "operator:race",
      idempotencyKey: `${config.keyPrefix ?? "refund"}-${index}`,
    });
    return { ok: true, replayed: result.replayed, status: result.refund.status, amount: result.refund.amount };
  } catch (error) {
    return { ok: false, code: codeOf(error) };
  }
}

const outcomes = await Promise.all(
  Array.from({ length: config.callers }, (_, index) => (config.mode === "confirm" ? confirmOnce() : refundOnce(index))),
);
await store.close();
const report: RacerReport = { calls, outcomes };
process.stdout.write(JSON.stringify(report));
