import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaymentService, type PaymentStore, createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { verifyPaymentsSignature } from "@org/payments-http-publisher";
import { createTestExchange, rabbitMqAvailable } from "@org/payments-test-support/rabbitmq";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson, runCli } from "./support/run-cli.js";
import { hostKey, paidPayment } from "./support/seed.js";

const rabbitAvailable = await rabbitMqAvailable();

/** Dead-letters the oldest deliverable event of `paymentId`, as a dispatcher that kept failing would. */
async function deadLetter(store: PaymentStore, paymentId: string): Promise<number> {
  const now = new Date();
  const claimed = await store.claimOutbox({ claimant: "test", now: new Date(now.getTime() + 1000).toISOString(), leaseUntil: new Date(now.getTime() + 60_000).toISOString(), limit: 1000 });
  const head = claimed.find((e) => e.event.paymentId === paymentId)!;
  for (const other of claimed) {
    if (other !== head) await store.markOutboxFailed(other.sequence, "test", { error: "not now", nextAttemptAt: now.toISOString(), dead: false });
  }
  await store.markOutboxFailed(head.sequence, "test", { error: "consumer rejected it", nextAttemptAt: now.toISOString(), dead: true });
  return head.sequence;
}

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli events and webhooks on ${name}`, () => {
    let backend: Backend;
    let store: PaymentStore;
    let service: PaymentService;
    let gateway: SimulatedGateway;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ store, service, gateway } = await backend.open());
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it("lists outbox events, retries and skips a dead one; only dead events can be retried or skipped", async () => {
      const paid = await paidPayment(service, 2500);
      const all = parseJson(await backend.cli(["events", "list", "--payment", paid.id, "--json"]));
      expect(all.map((e: { event: { type: string } }) => e.event.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);
      const sequence = await deadLetter(store, paid.id);

      const failed = await backend.cli(["events", "list", "--failed"]);
      expect(failed.code).toBe(0);
      expect(failed.stdout).toMatch(new RegExp(`${sequence}\\s+dead\\s+payment.created\\s+${paid.id}\\s+1 .*consumer rejected it`));
      expect(failed.stdout).toContain("payments-cli events retry <seq>");

      const retried = await backend.cli(["events", "retry", String(sequence)]);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain(`event ${sequence} is pending again`);
      expect(parseJson(await backend.cli(["events", "list", "--failed", "--json"]))).toEqual([]);
      const again = await backend.cli(["events", "retry", String(sequence), "--json"]);
      expect(again.code).toBe(EXIT.refused);
      expect(parseJson(again).error.code).toBe("event_not_dead");

      const deadAgain = await deadLetter(store, paid.id);
      expect(deadAgain).toBe(sequence);
      expect((await backend.cli(["events", "skip", String(sequence)])).code).toBe(EXIT.usage);
      const skipped = await backend.cli(["events", "skip", String(sequence), "--reason", "consumer gone", "--json"]);
      expect(skipped.code).toBe(0);
      expect(parseJson(skipped)).toMatchObject({ sequence, status: "skipped", skipReason: "consumer gone (operator:ana)" });
      expect(parseJson(await backend.cli(["events", "list", "--status", "skipped", "--json"]))).toMatchObject([{ sequence, skipReason: "consumer gone (operator:ana)" }]);
      expect((await backend.cli(["events", "skip", String(sequence), "--reason", "twice"])).code).toBe(EXIT.refused);
      expect((await backend.cli(["events", "list", "--status", "lost"])).code).toBe(EXIT.usage);
      expect((await backend.cli(["events", "retry", "12.5"])).code).toBe(EXIT.usage);
    });

    it("shows a held webhook, replays it once its payment appears, and never applies it twice", async () => {
      // Another deployment (its own store, the same provider) takes the payment; its webhook reaches us first.
      const elsewhere = createPaymentService({ store: createMemoryStore(), gateways: [new SimulatedGateway({ stateFile: backend.stateFile })] });
      const { payment } = await elsewhere.createPayment({ owner: "u", amount: 4200, currency: "USD" }, hostKey("create"));
      const started = await elsewhere.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, hostKey("confirm"));
      const snapshot = await elsewhere.getPayment(payment.id);
      const providerPaymentId = started.payment.providerPaymentId!;
      gateway.completeAction(providerPaymentId);
      await gateway.resumePayment({ paymentId: payment.id, providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: "provider-side" });
      const delivery = gateway.webhookFor(providerPaymentId);
      const held = await service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
      expect(held.status).toBe("held");

      const listed = await backend.cli(["webhooks", "list", "--status", "held,orphaned"]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`${held.eventId}\\s+simulated\\s+payment.succeeded\\s+held\\s+${payment.id}\\s+1 `));
      expect(parseJson(await backend.cli(["webhooks", "list", "--status", "processed", "--payment", payment.id, "--json"]))).toEqual([]);
      const shown = await backend.cli(["webhooks", "show", held.eventId]);
      expect(shown.stdout).toMatch(/status\s+held/);
      expect(shown.stdout).toContain('"kind": "payment"');
      expect(shown.stdout).not.toContain("simulated-signature");

      const stillHeld = await backend.cli(["webhooks", "replay", held.eventId, "--json"]);
      expect(stillHeld.code).toBe(EXIT.notFound);
      expect(parseJson(stillHeld)).toMatchObject({ status: "held" });

      await store.transaction((tx) => tx.insertPayment(snapshot));
      const replayed = await backend.cli(["webhooks", "replay", held.eventId]);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toContain(`${held.eventId}: applied`);
      expect((await service.getPayment(payment.id)).status).toBe("succeeded");
      const twice = await backend.cli(["webhooks", "replay", held.eventId]);
      expect(twice.code).toBe(0);
      expect(twice.stdout).toContain("already processed; nothing to do");
      expect((await service.getPaymentDetails(payment.id)).history.filter((h) => h.to === "succeeded")).toHaveLength(1);
      expect(parseJson(await backend.cli(["webhooks", "show", held.eventId, "--json"]))).toMatchObject({ status: "processed", attempts: 3 });

      expect((await backend.cli(["webhooks", "show", "evt_none"])).code).toBe(EXIT.notFound);
      expect((await backend.cli(["webhooks", "list", "--status", "lost"])).code).toBe(EXIT.usage);
      const processed = parseJson(await backend.cli(["webhooks", "process", "--json"]));
      expect(processed).toMatchObject({ examined: 0, gaveUp: 0 });
    });

    it("dispatch needs a configured publisher, and an unreachable broker leaves every event pending (exit 8)", async () => {
      await paidPayment(service, 300);
      const none = await backend.cli(["events", "dispatch", "--once", "--json"]);
      expect(none.code).toBe(EXIT.usage);
      expect(parseJson(none).error.code).toBe("publisher_not_configured");
      const pendingBefore = parseJson(await backend.cli(["events", "list", "--status", "pending", "--limit", "1000", "--json"])).length;
      expect(pendingBefore).toBeGreaterThan(0);
      const down = await runCli(["events", "dispatch", "--once"], { env: { ...backend.env, PAYMENTS_RABBITMQ_URL: "amqp://guest:secretpass@127.0.0.1:1" } });
      expect(down.code).toBe(EXIT.gatewayUnavailable);
      expect(down.stderr).toContain("publish failed");
      expect(down.stdout + down.stderr).not.toContain("secretpass");
      // Failed attempts are retried later, not lost.
      expect(parseJson(await backend.cli(["events", "list", "--status", "pending", "--limit", "1000", "--json"]))).toHaveLength(pendingBefore);
      expect((await store.listOutbox({ status: "pending", limit: 1000 })).some((entry) => entry.attempts > 0)).toBe(true);
    });

    it("dispatch --once posts each due event signed over HTTP to PAYMENTS_EVENTS_WEBHOOK_URL", async () => {
      const paid = await paidPayment(service, 1200);
      const received: Array<{ id: string; type: string; paymentId: string }> = [];
      const secret = "whsec_cli_dispatch_test";
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = Buffer.concat(chunks);
          const check = verifyPaymentsSignature(body, req.headers["payments-signature"] as string, secret);
          if (!check.valid) {
            res.writeHead(400).end();
            return;
          }
          received.push(JSON.parse(body.toString("utf8")));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payment-events`;
        const result = await runCli(["events", "dispatch", "--once", "--json"], { env: { ...backend.env, PAYMENTS_EVENTS_WEBHOOK_URL: url, PAYMENTS_EVENTS_WEBHOOK_SECRET: secret } });
        expect(result.code, result.stderr).toBe(0);
        const report = parseJson(result);
        expect(report.delivered).toBe(received.length);
        expect(report.target).toBe(`signed HTTP POST to ${url}`);
        expect(received.filter((e) => e.paymentId === paid.id).map((e) => e.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);
        expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
        const missingSecret = await runCli(["events", "dispatch", "--once"], { env: { ...backend.env, PAYMENTS_EVENTS_WEBHOOK_URL: url } });
        expect(missingSecret.code).toBe(EXIT.usage);
      } finally {
        server.close();
      }
    });

    it.skipIf(!rabbitAvailable)("dispatch --once publishes due events to RabbitMQ, each once and in order per payment", async () => {
      const exchange = await createTestExchange("payments-cli");
      try {
        const queue = await exchange.createQueue("#");
        const payments = [await paidPayment(service, 700), await paidPayment(service, 800)];
        const env = { ...backend.env, PAYMENTS_RABBITMQ_URL: exchange.url, PAYMENTS_EVENTS_EXCHANGE: exchange.exchange };
        const result = await runCli(["events", "dispatch", "--once", "--json"], { env });
        expect(result.code, result.stderr).toBe(0);
        const report = parseJson(result);
        expect(report).toMatchObject({ failed: 0, dead: 0, target: `RabbitMQ exchange ${exchange.exchange} at amqp://****@127.0.0.1:5672` });
        await queue.waitForCount(report.delivered);
        const messages = queue.messages.map((m) => ({ id: m.properties.messageId as string, key: m.fields.routingKey, body: JSON.parse(m.content.toString("utf8")) }));
        for (const payment of payments) {
          expect(messages.filter((m) => m.body.paymentId === payment.id).map((m) => m.key)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);
        }
        expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
        for (const m of messages) expect(m.id).toBe(m.body.id);
        // Once: a second pass sends none of them again. It may deliver other tests' events that were not due yet at
        // the first pass (their times come from the services those tests ran), never one of these, never one twice.
        const second = parseJson(await runCli(["events", "dispatch", "--once", "--json"], { env }));
        expect(second).toMatchObject({ failed: 0, dead: 0 });
        await queue.waitForCount(report.delivered + second.delivered);
        const again = queue.messages.slice(report.delivered).map((m) => JSON.parse(m.content.toString("utf8")) as { id: string; paymentId: string });
        expect(again.filter((event) => payments.some((payment) => payment.id === event.paymentId))).toEqual([]);
        expect(new Set(queue.messages.map((m) => m.properties.messageId as string)).size).toBe(queue.messages.length);
      } finally {
        await exchange.dispose();
      }
    });
  });
}
