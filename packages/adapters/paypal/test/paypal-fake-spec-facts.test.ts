import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { approvedPayment } from "./support/drive.js";
// Facts trimmed from PayPal's OpenAPI documents (Apache-2.0), kept inside the project: see its `_source`.
import facts from "../../../test-support/src/paypal-fake/spec-facts.json" with { type: "json" };

/**
 * The fake is only worth its tests if it speaks PayPal's wire format. These checks hold the fake's objects to the
 * facts the adapter relies on, taken from PayPal's OpenAPI documents, so the fake cannot drift into our own guess.
 */
let rig: PayPalTestRig;
const raw: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
  rig = await startPayPalRig();
  const paid = await approvedPayment(rig.gateway, rig.fake);
  await rig.gateway.refund(
    { paymentId: paid.paymentId!, refundId: "rf_spec", providerPaymentId: paid.providerPaymentId, amount: 500, currency: "USD", reason: "r" },
    { idempotencyKey: "k-spec" },
  );
  const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
  const order = rig.fake.ledger.orders.get(paid.providerPaymentId)!;
  const capture = rig.fake.ledger.captures.get(order.captureIds[0]!)!;
  raw["order"] = rig.fake.order(paid.providerPaymentId);
  raw["capture"] = rig.fake.capture(capture.id);
  raw["refund"] = rig.fake.refund(capture.refundIds[0]!);
  raw["authorization"] = rig.fake.authorization(rig.fake.ledger.orders.get(authorized.providerPaymentId)!.authorizationIds[0]!);
  raw["event"] = rig.fake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", raw["capture"], "capture");
});
afterAll(() => rig.close());

function moneyObjects(value: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) value.forEach((v) => moneyObjects(v, out));
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ("currency_code" in o && "value" in o) out.push(o);
    Object.values(o).forEach((v) => moneyObjects(v, out));
  }
  return out;
}

function links(value: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) value.forEach((v) => links(v, out));
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o["links"])) out.push(...(o["links"] as Array<Record<string, unknown>>));
    Object.values(o).forEach((v) => links(v, out));
  }
  return out;
}

describe("the PayPal fake against PayPal's OpenAPI facts", () => {
  it("orders carry only spec fields, a spec status and intent, and one purchase unit with spec fields", () => {
    const order = raw["order"]!;
    for (const key of Object.keys(order)) expect(facts.orders.orderProperties).toContain(key);
    expect(facts.orders.orderStatus).toContain(order["status"]);
    expect(facts.orders.intent).toContain(order["intent"]);
    const unit = (order["purchase_units"] as Array<Record<string, unknown>>)[0]!;
    for (const key of Object.keys(unit)) expect(facts.orders.purchaseUnitProperties).toContain(key);
    for (const key of Object.keys(unit["payments"] as object)) expect(facts.orders.paymentCollectionProperties).toContain(key);
  });

  it("every money object has currency_code and a value matching the spec pattern", () => {
    const pattern = new RegExp(facts.orders.moneyValuePattern);
    const all = Object.values(raw).flatMap((o) => moneyObjects(o));
    expect(all.length).toBeGreaterThan(5);
    for (const money of all) {
      for (const field of facts.orders.moneyRequired) expect(money).toHaveProperty(field);
      expect(money["value"]).toMatch(pattern);
    }
  });

  it("every link has href and rel; an unapproved order has rel approve", async () => {
    for (const link of Object.values(raw).flatMap((o) => links(o))) {
      for (const field of facts.orders.linkRequired) expect(link).toHaveProperty(field);
    }
    const created = await rig.gateway.createPayment({ paymentId: "pay_spec_link", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-link" });
    const rels = (rig.fake.order(created.providerPaymentId)["links"] as Array<{ rel: string }>).map((l) => l.rel);
    expect(rels).toContain("approve");
  });

  it("captures, authorizations and refunds use spec statuses and fields, with related ids on standalone reads", () => {
    expect(facts.orders.captureStatus).toContain(raw["capture"]!["status"]);
    expect(facts.orders.authorizationStatus).toContain(raw["authorization"]!["status"]);
    expect(facts.orders.refundStatus).toContain(raw["refund"]!["status"]);
    const allowed = {
      capture: [...facts.payments.captureProperties, "seller_protection", "seller_receivable_breakdown"],
      authorization: [...facts.payments.authorizationProperties, "seller_protection"],
      refund: [...facts.payments.refundProperties, "seller_payable_breakdown"],
    };
    for (const [kind, keys] of Object.entries(allowed)) {
      for (const key of Object.keys(raw[kind]!)) expect(keys, `${kind}.${key}`).toContain(key);
    }
    const related = (raw["capture"]!["supplementary_data"] as { related_ids: Record<string, string> }).related_ids;
    for (const key of Object.keys(related)) expect(facts.payments.relatedIds).toContain(key);
    expect(related["order_id"]).toBeTruthy();
    expect(raw["refund"]!["custom_id"]).toBe("rf_spec");
  });

  it("request fields the adapter sends exist in the spec", () => {
    const capture = rig.fake.requests.find((r) => /\/authorizations\/.+\/capture$/.test(r.path));
    const refund = rig.fake.requests.find((r) => r.path.endsWith("/refund"))!;
    for (const key of Object.keys(JSON.parse(refund.body) as object)) expect(facts.payments.refundRequestProperties).toContain(key);
    if (capture) for (const key of Object.keys(JSON.parse(capture.body) as object)) expect(facts.payments.captureRequestProperties).toContain(key);
  });

  it("the issues and processor codes the adapter maps are PayPal's", () => {
    for (const issue of ["INSTRUMENT_DECLINED", "PAYER_ACTION_REQUIRED", "TRANSACTION_REFUSED", "ORDER_ALREADY_CAPTURED", "ORDER_NOT_APPROVED"]) {
      expect(facts.orders.captureIssues).toContain(issue);
    }
    expect(facts.orders.createIssues).toEqual(["DECIMAL_PRECISION", "INVALID_CURRENCY_CODE"]);
    expect(facts.payments.refundIssues).toEqual(["CAPTURE_FULLY_REFUNDED", "REFUND_AMOUNT_EXCEEDED"]);
    expect(facts.payments.voidIssues).toContain("PREVIOUSLY_VOIDED");
    for (const code of ["5120", "5400", "5110", "9100"]) expect(facts.orders.processorResponseCodes).toContain(code);
    expect(facts.orders.error422Name).toEqual(["UNPROCESSABLE_ENTITY"]);
  });

  it("PayPal-Request-Id: 108 characters, kept 6 hours by Orders; the adapter declares the Vault's shorter 3", () => {
    expect(facts.orders.paypalRequestId.maxLength).toBe(108);
    expect(facts.orders.paypalRequestId.description).toMatch(/6 hours/);
    expect(rig.gateway.capabilities.idempotencyKeyRetentionMs).toBe(3 * 3600 * 1000);
  });

  it("transaction search rows and pages have the spec's fields; the window is at most 31 days", async () => {
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    const token = rig.fake.issuedTokens[0]!;
    const response = await fetch(`${rig.fake.baseUrl}/v1/reporting/transactions?start_date=${start}&end_date=${end}&balance_affecting_records_only=N`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as Record<string, unknown>;
    for (const key of Object.keys(body)) expect(facts.reporting.searchResponseProperties).toContain(key);
    const rows = body["transaction_details"] as Array<{ transaction_info: Record<string, unknown> }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const key of Object.keys(row.transaction_info)) {
        if (facts.reporting.transactionInfoProperties.includes(key)) continue;
        expect(["paypal_account_id", "transaction_updated_date", "protection_eligibility"]).toContain(key);
      }
    }
    expect(facts.reporting.endDateNote).toMatch(/31 days/);
    const tooLong = await fetch(`${rig.fake.baseUrl}/v1/reporting/transactions?start_date=2026-01-01T00:00:00Z&end_date=2026-03-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tooLong.status).toBe(400);
  });

  it("webhook events and the verify request use the spec's fields", () => {
    for (const key of Object.keys(raw["event"]!)) expect(facts.webhooks.eventProperties).toContain(key);
    expect(facts.webhooks.verificationStatus).toEqual(["SUCCESS", "FAILURE"]);
    expect(facts.webhooks.verifyRequired).toEqual(["auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_event", "webhook_id"]);
  });
});
