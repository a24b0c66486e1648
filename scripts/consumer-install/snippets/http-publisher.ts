// @org/payments-http-publisher: the outbox of a new payment is dispatched through the signed publisher to a
// receiver (an injected fetch) that checks every signature with the verifier.
import { createMemoryStore, createPaymentService, dispatchOutbox } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { PAYMENTS_SIGNATURE_HEADER, createSignedHttpPublisher, verifyPaymentsSignature } from "@org/payments-http-publisher";

const secret = "consumer-install-secret";
const store = createMemoryStore();
const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
await service.createPayment({ owner: "user_1", amount: 500, currency: "GBP" }, { scope: "user_1", actor: "user_1", idempotencyKey: "publish-1" });

let verified = 0;
const receiver: typeof fetch = async (_url, init) => {
  const headers = new Headers(init?.headers);
  const check = verifyPaymentsSignature(String(init?.body), headers.get(PAYMENTS_SIGNATURE_HEADER), secret);
  if (!check.valid) return new Response(check.reason, { status: 400 });
  verified++;
  return new Response(null, { status: 204 });
};
const report = await dispatchOutbox({ store, publisher: createSignedHttpPublisher({ url: "http://127.0.0.1:9/events", secret, fetch: receiver }) });
if (report.delivered === 0 || report.delivered !== verified) throw new Error(`delivered ${report.delivered}, verified ${verified}`);
console.log(`http-publisher: ${report.delivered} signed events delivered and verified`);
