import { type GatewayPayment, type GatewayRefund, type PaymentGateway, PaymentError, decorateGateway } from "@org/payments-core";
import { Histogram, type Registry } from "prom-client";
import { registeredOr } from "./metric-registration.js";

export const GATEWAY_DURATION_METRIC = "payments_gateway_request_duration_seconds";

/** Provider calls span a local simulator (ms) to a slow 3-D Secure or PayPal round trip (seconds). */
const GATEWAY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The timed calls, by the label they carry: every call that goes to the provider over the network. */
const TIMED_CALLS = {
  createPayment: "create_payment",
  resumePayment: "resume_payment",
  capture: "capture",
  cancel: "cancel",
  refund: "refund",
  retrieve: "retrieve",
  findByPaymentId: "find_by_payment_id",
} as const satisfies Partial<Record<keyof PaymentGateway, string>>;

type TimedCall = keyof typeof TIMED_CALLS;

export function gatewayDurationHistogram(registry: Registry): Histogram<"provider" | "operation" | "outcome"> {
  return registeredOr(
    registry,
    GATEWAY_DURATION_METRIC,
    () =>
      new Histogram({
        name: GATEWAY_DURATION_METRIC,
        help: "Duration of calls to the payment provider by provider, operation and outcome (ok, declined, requires_action, or the error code)",
        labelNames: ["provider", "operation", "outcome"] as const,
        buckets: GATEWAY_BUCKETS,
        registers: [registry],
      }),
  );
}

/** What the provider answered, as a bounded label: a returned decline is not an error, but it is not `ok` either. */
function answered(result: unknown): string {
  const status = (result as GatewayPayment | GatewayRefund | null)?.status;
  if (status === "failed") return "declined";
  if (status === "requires_action") return "requires_action";
  return "ok";
}

function thrown(error: unknown): string {
  return error instanceof PaymentError ? error.code : "internal";
}

/**
 * The gateway with every provider call timed into `payments_gateway_request_duration_seconds` of `registry` — the
 * gateway-call time the services this replaces reported as `payment_duration_seconds`. Wrap each gateway before
 * creating the service and hand the router the same registry:
 *
 * ```ts
 * const metricsRegistry = new Registry();
 * const service = createPaymentService({ store, gateways: gateways.map((g) => timeGatewayCalls(g, metricsRegistry)) });
 * app.use("/payments-api", createPaymentsRouter({ service, jwt, metricsRegistry }));
 * ```
 */
export function timeGatewayCalls(gateway: PaymentGateway, registry: Registry): PaymentGateway {
  const histogram = gatewayDurationHistogram(registry);
  return decorateGateway(gateway, (inner) => {
    const timed = <K extends TimedCall>(call: K) =>
      (async (...args: unknown[]) => {
        const stop = histogram.startTimer({ provider: inner.provider, operation: TIMED_CALLS[call] });
        try {
          const result: unknown = await (inner[call] as (...a: unknown[]) => Promise<unknown>)(...args);
          stop({ outcome: answered(result) });
          return result;
        } catch (error) {
          stop({ outcome: thrown(error) });
          throw error;
        }
      }) as PaymentGateway[K];
    return Object.fromEntries((Object.keys(TIMED_CALLS) as TimedCall[]).map((call) => [call, timed(call)])) as Partial<PaymentGateway>;
  });
}
