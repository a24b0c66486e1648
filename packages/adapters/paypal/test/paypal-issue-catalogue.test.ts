import { readFileSync } from "node:fs";
import { DECLINE_CODES, isPaymentError, type GatewayPayment, type GatewayRefund } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ISSUE_ANSWER_KINDS, answerRuleFor, type PayPalAnswerKind } from "../src/issue-answer-kinds.js";
import { approvedPayment, paymentId } from "./support/drive.js";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { issueCatalogue } from "./support/paypal-schema.js";

/**
 * The rule "every PayPal answer maps to exactly one kind, and none can leave a payment pending without a bound",
 * proved against PayPal's own catalogue (read from the trimmed in-project copy of its OpenAPI documents), not
 * against a list we wrote: first the table, then every issue of every operation the adapter calls, produced by the
 * fake and sent through the adapter.
 */
const catalogue = issueCatalogue();
const refusals = catalogue.filter((entry) => entry.status === "400" || entry.status === "422");

/** The core's codes for each thrown kind (ports/payment-gateway.ts). */
const INVALID_REQUEST_CODES = ["validation_error", "invalid_amount", "amount_too_small", "currency_not_supported", "not_found", "invalid_state_transition", "refund_exceeds_captured"];
const RETRIED_CODES = ["gateway_error", "gateway_rate_limited", "gateway_outcome_unknown", "conflict", "internal"];

describe("PayPal's issue catalogue (Orders v2 and Payments v2 OpenAPI) against the answer-kind table", () => {
  it("reads the whole catalogue from the documents", () => {
    expect(new Set(catalogue.map((e) => e.issue)).size).toBeGreaterThan(200);
    expect(new Set(catalogue.map((e) => e.operationId))).toEqual(
      new Set([
        "orders.create", "orders.get", "orders.patch", "orders.confirm", "orders.authorize", "orders.capture",
        "orders.track.create", "orders.trackers.patch", "authorizations.get", "authorizations.capture",
        "authorizations.reauthorize", "authorizations.void", "captures.get", "captures.refund", "refunds.get",
      ]),
    );
  });

  it("every issue in the catalogue has exactly one row, and every row is an issue of the catalogue", () => {
    const documented = new Set(catalogue.map((e) => e.issue));
    const missing = [...documented].filter((issue) => !Object.hasOwn(ISSUE_ANSWER_KINDS, issue));
    expect(missing, "issues PayPal documents that the table does not classify").toEqual([]);
    const extra = Object.keys(ISSUE_ANSWER_KINDS).filter((issue) => !documented.has(issue));
    expect(extra, "rows for issues PayPal does not document").toEqual([]);
  });

  it("no 400 or 422 issue is retryable: PayPal refused the request, and re-sending it can only be refused again", () => {
    const retryable = refusals.filter((e) => answerRuleFor(Number(e.status), e.issue).kind === "retryable").map((e) => `${e.operationId} ${e.status} ${e.issue}`);
    expect(retryable).toEqual([]);
  });

  it("each row names a code of the core for its kind", () => {
    for (const [issue, rule] of Object.entries(ISSUE_ANSWER_KINDS)) {
      if (rule.kind === "declined" || rule.kind === "needs_customer") expect(DECLINE_CODES, issue).toContain(rule.declineCode);
      if (rule.kind === "invalid_request") expect(INVALID_REQUEST_CODES, issue).toContain(rule.errorCode);
    }
  });

  it("the README's table says what the code says, for every issue", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const rows = new Map<string, string>();
    for (const match of readme.matchAll(/^\| `([A-Z0-9_]+)` \| ([a-z_ ]+) \|/gm)) rows.set(match[1]!, match[2]!.trim().replace(/ /g, "_"));
    for (const [issue, rule] of Object.entries(ISSUE_ANSWER_KINDS)) expect(rows.get(issue), issue).toBe(rule.kind);
    expect(rows.size).toBe(Object.keys(ISSUE_ANSWER_KINDS).length);
  });
});

const rig: PayPalTestRig = await startPayPalRig();
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

/** `returned`: the call answered with an object (a lookup answers with whatever the object is). */
type Observed = { kind: PayPalAnswerKind; detail: string; returned: boolean };

/** What an adapter call came to, in the core's taxonomy: returned objects by status, thrown errors by code. */
async function observe(call: Promise<GatewayPayment | GatewayRefund>): Promise<Observed> {
  try {
    const result = await call;
    if ("refundId" in result && "providerRefundId" in result) {
      if (result.status === "failed") {
        expect(result.failureReason, "a failed refund keeps PayPal's reason").toBeTruthy();
        return { kind: "declined", detail: `failed refund (${result.failureReason})`, returned: true };
      }
      return { kind: "unknown_outcome", detail: `refund ${result.status}`, returned: true };
    }
    const payment = result as GatewayPayment;
    if (payment.status === "failed") {
      expect(DECLINE_CODES).toContain(payment.failure?.code);
      expect(payment.failure?.declineCode).toBeTruthy();
      return { kind: "declined", detail: `failed (${payment.failure?.code})`, returned: true };
    }
    if (payment.status === "requires_action") {
      expect(payment.nextAction?.url, "the buyer needs somewhere to go").toMatch(/^https:\/\//);
      return { kind: "needs_customer", detail: "requires_action", returned: true };
    }
    return { kind: "unknown_outcome", detail: `looked up: ${payment.status}`, returned: true };
  } catch (error) {
    expect(isPaymentError(error), String(error)).toBe(true);
    const code = (error as { code: string }).code;
    if ((DECLINE_CODES as readonly string[]).includes(code)) return { kind: "declined", detail: `thrown ${code}`, returned: false };
    if (INVALID_REQUEST_CODES.includes(code)) return { kind: "invalid_request", detail: `thrown ${code}`, returned: false };
    return { kind: code === "gateway_outcome_unknown" ? "unknown_outcome" : "retryable", detail: `thrown ${code}`, returned: false };
  }
}

/**
 * How each kind shows on each call: where no buyer can act (an order PayPal did not create, an authorization
 * capture, a refund) a buyer step is a decline, and an "already done" answer on a call that creates the object is
 * thrown as an unknown outcome (nothing to read).
 */
function expectedOn(operation: string, kind: PayPalAnswerKind): PayPalAnswerKind {
  if (kind === "needs_customer" && operation !== "orders.capture" && operation !== "orders.authorize") return "declined";
  return kind;
}

const CALLS: Record<string, (fault: { status: number; issue: string }) => Promise<GatewayPayment | GatewayRefund>> = {
  "orders.create": async (fault) => {
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "status", ...fault } });
    const id = paymentId();
    return rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
  },
  "orders.capture": async (fault) => resumeWith(fault, false),
  "orders.authorize": async (fault) => resumeWith(fault, true),
  "authorizations.capture": async (fault) => {
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    rig.fake.injectFault({ method: "POST", path: /\/authorizations\/[^/]+\/capture$/, fault: { kind: "status", ...fault } });
    return rig.gateway.capture({ paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount: 2000, currency: "USD" }, { idempotencyKey: `${authorized.paymentId}:cap` });
  },
  "authorizations.void": async (fault) => {
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    rig.fake.injectFault({ method: "POST", path: /\/void$/, fault: { kind: "status", ...fault } });
    return rig.gateway.cancel({ paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId }, { idempotencyKey: `${authorized.paymentId}:void` });
  },
  "captures.refund": async (fault) => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", ...fault } });
    return rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_cat", providerPaymentId: paid.providerPaymentId, amount: 500, currency: "USD", reason: "r" },
      { idempotencyKey: `${paid.paymentId}:rf` },
    );
  },
};

async function resumeWith(fault: { status: number; issue: string }, manual: boolean): Promise<GatewayPayment> {
  const id = paymentId();
  const captureMethod = manual ? "manual" : "automatic";
  const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod }, { idempotencyKey: `${id}:c` });
  rig.fake.approveOrder(created.providerPaymentId);
  rig.fake.injectFault({ method: "POST", path: manual ? /\/authorize$/ : /\/orders\/[^/]+\/capture$/, fault: { kind: "status", ...fault } });
  return rig.gateway.resumePayment({ paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod }, { idempotencyKey: `${id}:r` });
}

describe("every 400/422 issue of every call the adapter makes, produced by the fake, is answered as its kind", () => {
  for (const operation of Object.keys(CALLS)) {
    const entries = refusals.filter((e) => e.operationId === operation);
    it(`${operation}: ${entries.length} issues, each one definite`, async () => {
      expect(entries.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const entry of entries) {
        const rule = answerRuleFor(Number(entry.status), entry.issue);
        const observed = await observe(CALLS[operation]!({ status: Number(entry.status), issue: entry.issue }));
        const expected = expectedOn(operation, rule.kind);
        // The fake refused without changing anything, so an "already done" lookup finds the object as it was:
        // any object returned is the lookup's answer. What must never happen is a 4xx left to retry — except the
        // answers that say money may have moved elsewhere (DUPLICATE_INVOICE_ID): those are thrown as unknown
        // outcomes on purpose, for the core's lookup, bounded by its attempt policy and flagged when spent.
        const leftToLookUp = rule.kind === "unknown_outcome" && rule.readBack === false;
        const ok = leftToLookUp
          ? observed.detail === "thrown gateway_outcome_unknown"
          : expected === "unknown_outcome"
            ? observed.returned
            : observed.kind === expected;
        if (!ok) wrong.push(`${entry.status} ${entry.issue}: expected ${expected}, got ${observed.detail}`);
        if (!leftToLookUp && !observed.returned && RETRIED_CODES.includes(observed.detail.replace("thrown ", ""))) {
          wrong.push(`${entry.status} ${entry.issue}: left to retry (${observed.detail})`);
        }
        rig.fake.clearFaults();
      }
      expect(wrong).toEqual([]);
    });
  }
});
