import { createMemoryStore, createPaymentService, dispatchOutbox } from "@org/payments-core";
import type { EventFailureReason } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createRabbitMqPublisher } from "@org/payments-rabbitmq";
import { createTestExchange, rabbitMqAvailable, randomName } from "@org/payments-test-support/rabbitmq";
import type { TestExchange } from "@org/payments-test-support/rabbitmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerMessageFor, startBookingConsumer } from "../src/booking-consumer.js";
import type { BookingActions } from "../src/booking-consumer.js";

const available = await rabbitMqAvailable();

/** The booking service's side effects, recorded; `handled` makes a redelivered event a no-op. */
function recordingActions() {
  const done = new Set<string>();
  const confirmed: string[] = [];
  const released: { booking: string; customerMessage: string; reason: EventFailureReason }[] = [];
  const actions: BookingActions = {
    handled: async (eventId) => done.has(eventId),
    confirmBooking: async (booking, _paymentId, eventId) => {
      confirmed.push(booking);
      done.add(eventId);
    },
    releaseSeats: async (booking, customerMessage, reason, eventId) => {
      released.push({ booking, customerMessage, reason });
      done.add(eventId);
    },
    alertSupport: async (_paymentId, _reason, eventId) => {
      done.add(eventId);
    },
  };
  return { actions, confirmed, released };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("customer wording", () => {
  it("the stable code picks the wording; an unknown code falls back to the event's safe message", () => {
    expect(customerMessageFor({ code: "insufficient_funds", declineCode: "insufficient_funds", message: "x" })).toMatch(/insufficient funds/);
    expect(customerMessageFor({ code: "do_not_know", message: "The provider said no." })).toBe("The provider said no.");
    expect(customerMessageFor(undefined)).toMatch(/did not go through/);
  });
});

describe.skipIf(!available)("the booking consumer on RabbitMQ", () => {
  let broker: TestExchange;
  beforeAll(async () => {
    broker = await createTestExchange("payments-example-consumer");
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it("confirms the paid booking, and releases the declined one's seats telling the customer why", async () => {
    const store = createMemoryStore();
    const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
    for (const [booking, method] of [["BK-1001", "pm_card_visa"], ["BK-1002", "pm_card_visa_chargeDeclinedInsufficientFunds"]] as const) {
      const { payment } = await service.createPayment({ owner: "user_42", amount: 4599, currency: "EUR", references: { booking } }, { scope: "user_42", idempotencyKey: `create-${booking}` });
      await service.confirmPayment(payment.id, { paymentMethodId: method }, { scope: "user_42", idempotencyKey: `confirm-${booking}` }).catch(() => undefined);
    }
    const recorded = recordingActions();
    const queue = randomName("payments-example-consumer.bookings");
    const consumer = await startBookingConsumer({ url: broker.url, exchange: broker.exchange, queue, actions: recorded.actions });
    const publisher = createRabbitMqPublisher({ url: broker.url, exchange: broker.exchange });
    try {
      expect(await dispatchOutbox({ store, publisher })).toMatchObject({ delivered: 6, dead: 0 });
      await until(() => recorded.confirmed.length === 1 && recorded.released.length === 1, "both bookings handled");
      expect(recorded.confirmed).toEqual(["BK-1001"]);
      expect(recorded.released).toEqual([
        {
          booking: "BK-1002",
          customerMessage: "The card has insufficient funds. Try another card.",
          reason: { code: "insufficient_funds", declineCode: "insufficient_funds", message: expect.any(String) },
        },
      ]);
    } finally {
      await publisher.close();
      await consumer.close();
      await broker.channel.deleteQueue(queue);
    }
  });
});
