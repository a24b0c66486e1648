import type { CaptureMethod, NextAction } from "../domain/payment.js";
import { PaymentError, type PaymentErrorBody, isPaymentError } from "../errors/index.js";
import type { GatewayPayment, GatewayRefund, GatewaySetup, PaymentGateway } from "../ports/payment-gateway.js";

/**
 * What phase 2 sends, stored on the idempotency record before the call so that a client retry or recovery can
 * re-send the identical request under the same gateway key.
 */
export type GatewayCall =
  | {
      op: "create";
      paymentId: string;
      provider: string;
      amount: number;
      currency: string;
      captureMethod: CaptureMethod;
      paymentMethodId: string | null;
      returnUrl: string | null;
      cancelUrl: string | null;
      description: string | null;
      customerId: string | null;
      customerEmail: string | null;
      /** The provider's customer of the saved method charged, or of the method being saved; absent: none. */
      providerCustomerId?: string | null | undefined;
      /** The customer is not present (a saved method charged later). */
      offSession?: boolean | undefined;
      /** Save the method while paying, for the customer `customerId` names. */
      savePaymentMethod?: boolean | undefined;
    }
  | {
      op: "resume";
      paymentId: string;
      provider: string;
      providerPaymentId: string;
      paymentMethodId: string | null;
      returnUrl: string | null;
      captureMethod: CaptureMethod;
      /** The customer step being resumed, restored if the provider refuses the request. */
      previousNextAction?: NextAction | null | undefined;
    }
  | { op: "capture"; paymentId: string; provider: string; providerPaymentId: string; amount: number; currency: string }
  | { op: "cancel"; paymentId: string; provider: string; providerPaymentId: string }
  /*
   * Saved payment methods: `paymentId` is the subject of the operation's idempotency record, here our saved
   * method's id (`spm_…`), as a refund's record names its payment.
   */
  | {
      op: "setup";
      paymentId: string;
      provider: string;
      customerId: string;
      providerCustomerId: string | null;
      customerEmail: string | null;
      customerName: string | null;
      paymentMethodId: string | null;
      returnUrl: string | null;
    }
  | { op: "resume_setup"; paymentId: string; provider: string; providerSetupId: string; providerCustomerId: string }
  | { op: "detach"; paymentId: string; provider: string; providerPaymentMethodId: string; providerCustomerId: string | null }
  | {
      op: "refund";
      paymentId: string;
      provider: string;
      providerPaymentId: string;
      refundId: string;
      amount: number;
      currency: string;
      reason: string;
    };

/**
 * A definite answer from the provider: its object, or a refusal. `declined` fails the payment; `invalid_request`
 * (the provider refused the request itself, or never acted before the attempt policy was spent) leaves it where it
 * was before the operation.
 */
export type GatewayCallResult =
  | { kind: "payment"; payment: GatewayPayment }
  | { kind: "refund"; refund: GatewayRefund }
  | { kind: "setup"; setup: GatewaySetup }
  | { kind: "detached" }
  | { kind: "rejected"; error: PaymentErrorBody; answer: "declined" | "invalid_request" };

/** How phase 2 sends one attempt. */
export interface SendPlan {
  /** The key the provider has seen this request under. */
  key: string;
  /** Look for what an earlier attempt may have made before sending anything. */
  lookupFirst: boolean;
  /**
   * Sent instead of `key` when the lookup (run in this same attempt) shows the provider did not act: under `key` it
   * would only replay an answer it saved (a 5xx).
   */
  keyAfterEmptyLookup?: string | undefined;
  /** Told the key a request goes out under, just before it is sent, so the caller can record it. */
  onSend: (key: string) => void;
}

/**
 * A lookup that failed tells nothing about the request: whatever the provider answered (a 429, a 404 from a search
 * that is not offered, a timeout), it is an unknown outcome, never a definite answer that could settle the operation.
 */
async function lookUp<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new PaymentError("gateway_outcome_unknown", "the provider could not be asked what an earlier attempt did; retry with the same key", {
      retryAfterSeconds: isPaymentError(error) ? (error.retryAfterSeconds ?? 5) : 5,
      details: { lookupFailed: true, lookupError: isPaymentError(error) ? error.code : "unexpected" },
      cause: error,
    });
  }
}

/** Provider statuses that end a resume: it was acted on, whatever our attempt did. */
const RESUME_SETTLED: readonly string[] = ["succeeded", "authorized", "failed", "canceled"];

/**
 * Phase 2. Normally the identical request is simply (re-)sent: within the provider's key retention it answers a
 * repeat with the original result. With `lookupFirst` — past the retention, or once an attempt left the outcome
 * unknown — we first look for what an earlier attempt may have made (by our payment id, or the provider object's
 * state) and send only when that shows the provider did not act; only then may a fresh key be used.
 */
export async function sendGatewayCall(gateway: PaymentGateway, call: GatewayCall, plan: SendPlan): Promise<GatewayCallResult> {
  let key = plan.key;
  const send = () => {
    plan.onSend(key);
    return { idempotencyKey: key };
  };
  const notActed = () => {
    if (plan.keyAfterEmptyLookup !== undefined) key = plan.keyAfterEmptyLookup;
  };
  switch (call.op) {
    case "create": {
      if (plan.lookupFirst) {
        const existing = await lookUp(() => gateway.findByPaymentId(call.paymentId));
        if (existing) return { kind: "payment", payment: existing };
        notActed();
      }
      const payment = await gateway.createPayment(
        {
          paymentId: call.paymentId,
          amount: call.amount,
          currency: call.currency,
          captureMethod: call.captureMethod,
          paymentMethodId: call.paymentMethodId,
          returnUrl: call.returnUrl,
          cancelUrl: call.cancelUrl,
          description: call.description,
          customerId: call.customerId,
          customerEmail: call.customerEmail,
          providerCustomerId: call.providerCustomerId ?? null,
          offSession: call.offSession ?? false,
          savePaymentMethod: call.savePaymentMethod ?? false,
        },
        send(),
      );
      return { kind: "payment", payment };
    }
    case "setup": {
      const saving = savingGateway(gateway);
      if (plan.lookupFirst) {
        const existing = await lookUp(() => saving.findSetupBySavedMethodId(call.paymentId));
        if (existing) return { kind: "setup", setup: existing };
        notActed();
      }
      const setup = await saving.setupPaymentMethod(
        {
          savedPaymentMethodId: call.paymentId,
          customerId: call.customerId,
          providerCustomerId: call.providerCustomerId,
          customerEmail: call.customerEmail,
          customerName: call.customerName,
          paymentMethodId: call.paymentMethodId,
          returnUrl: call.returnUrl,
        },
        send(),
      );
      return { kind: "setup", setup };
    }
    case "resume_setup": {
      const request = { savedPaymentMethodId: call.paymentId, providerSetupId: call.providerSetupId, providerCustomerId: call.providerCustomerId };
      return { kind: "setup", setup: await savingGateway(gateway).resumeSetup(request, send()) };
    }
    case "detach": {
      // Detaching is idempotent at the provider (a method already gone is not an error): re-sending is the lookup.
      const request = { savedPaymentMethodId: call.paymentId, providerPaymentMethodId: call.providerPaymentMethodId, providerCustomerId: call.providerCustomerId };
      await savingGateway(gateway).detachPaymentMethod(request, send());
      return { kind: "detached" };
    }
    case "resume": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        // Only a settled object answers the resume; one still processing (or awaiting confirmation) is resumed.
        if (RESUME_SETTLED.includes(current.status)) return { kind: "payment", payment: current };
        if (current.status === "requires_action") notActed();
      }
      const request = {
        paymentId: call.paymentId,
        providerPaymentId: call.providerPaymentId,
        paymentMethodId: call.paymentMethodId,
        returnUrl: call.returnUrl,
        captureMethod: call.captureMethod,
      };
      return { kind: "payment", payment: await gateway.resumePayment(request, send()) };
    }
    case "capture": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        if (current.status !== "authorized") return { kind: "payment", payment: current };
        notActed();
      }
      return { kind: "payment", payment: await gateway.capture(call, send()) };
    }
    case "cancel": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        if (current.status === "canceled") return { kind: "payment", payment: current };
        if (current.status === "authorized" || current.status === "requires_action") notActed();
      }
      return { kind: "payment", payment: await gateway.cancel(call, send()) };
    }
    case "refund": {
      if (plan.lookupFirst) {
        // The payment's own object, by the provider's id: a search by our payment id may not reach back far enough
        // (PayPal searches 31 days), and a miss here would refund twice.
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        const earlier = current.refunds?.find((r) => r.refundId === call.refundId);
        if (earlier) return { kind: "refund", refund: earlier };
        notActed();
      }
      return { kind: "refund", refund: await gateway.refund(call, send()) };
    }
  }
}

type SavingGateway = Required<Pick<PaymentGateway, "setupPaymentMethod" | "resumeSetup" | "findSetupBySavedMethodId" | "detachPaymentMethod">>;

/** The gateway's saved-method calls; one without them is refused before anything moves (`validation_error`). */
export function savingGateway(gateway: PaymentGateway): SavingGateway {
  const { setupPaymentMethod, resumeSetup, findSetupBySavedMethodId, detachPaymentMethod } = gateway;
  if (!gateway.capabilities.savedPaymentMethods || !setupPaymentMethod || !resumeSetup || !findSetupBySavedMethodId || !detachPaymentMethod) {
    throw new PaymentError("validation_error", `${gateway.provider} does not save payment methods`, { details: { provider: gateway.provider } });
  }
  return {
    setupPaymentMethod: setupPaymentMethod.bind(gateway),
    resumeSetup: resumeSetup.bind(gateway),
    findSetupBySavedMethodId: findSetupBySavedMethodId.bind(gateway),
    detachPaymentMethod: detachPaymentMethod.bind(gateway),
  };
}
