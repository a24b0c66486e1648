import type { FakeAuthorization, FakeCapture, FakeLedger, FakeOrder, FakeRefund, FakeTransaction } from "./fake-ledger.js";
import { MERCHANT_EMAIL, MERCHANT_ID, PAYER_EMAIL, PAYER_ID, paypalTime } from "./ids.js";
import { moneyObject } from "./paypal-money.js";

/**
 * The fake's objects as PayPal puts them on the wire (snake_case, money as `{ currency_code, value }`, HATEOAS
 * links). Shapes follow the OpenAPI documents for Orders v2, Payments v2 and Transaction Search; the facts we rely on
 * are pinned in spec-facts.json and checked by a test.
 */
const API = "https://api-m.sandbox.paypal.com";
const WEB = "https://www.sandbox.paypal.com";

export function orderJson(ledger: FakeLedger, order: FakeOrder): Record<string, unknown> {
  const unit: Record<string, unknown> = {
    reference_id: order.referenceId,
    amount: moneyObject(order.units, order.currency),
    payee: { email_address: MERCHANT_EMAIL, merchant_id: MERCHANT_ID },
  };
  if (order.description) unit["description"] = order.description;
  if (order.customId) unit["custom_id"] = order.customId;
  if (order.invoiceId) unit["invoice_id"] = order.invoiceId;
  const captures = order.captureIds.flatMap((id) => {
    const capture = ledger.captures.get(id);
    return capture ? [captureJson(ledger, capture, false)] : [];
  });
  const authorizations = order.authorizationIds.flatMap((id) => {
    const authorization = ledger.authorizations.get(id);
    return authorization ? [authorizationJson(authorization, false)] : [];
  });
  const refunds = order.captureIds.flatMap((id) =>
    (ledger.captures.get(id)?.refundIds ?? []).flatMap((refundId) => {
      const refund = ledger.refunds.get(refundId);
      return refund ? [refundJson(refund)] : [];
    }),
  );
  if (captures.length + authorizations.length + refunds.length > 0) {
    const payments: Record<string, unknown> = {};
    if (authorizations.length) payments["authorizations"] = authorizations;
    if (captures.length) payments["captures"] = captures;
    if (refunds.length) payments["refunds"] = refunds;
    unit["payments"] = payments;
  }
  const links: Array<Record<string, string>> = [
    { href: `${API}/v2/checkout/orders/${order.id}`, rel: "self", method: "GET" },
  ];
  // The buyer's page: `approve` for a plain order, `payer-action` when an experience context was sent or when a
  // payer action (3-D Secure, a return to PayPal) is due. An APPROVED order lists neither.
  if (order.status === "CREATED") {
    const rel = order.withPaymentSource ? "payer-action" : "approve";
    links.push({ href: `${WEB}/checkoutnow?token=${order.id}`, rel, method: "GET" });
  }
  if (order.status === "PAYER_ACTION_REQUIRED") {
    links.push({ href: `${WEB}/checkoutnow?token=${order.id}`, rel: "payer-action", method: "GET" });
  }
  if (order.status === "CREATED" || order.status === "APPROVED" || order.status === "PAYER_ACTION_REQUIRED") {
    links.push({ href: `${API}/v2/checkout/orders/${order.id}`, rel: "update", method: "PATCH" });
    const action = order.intent === "CAPTURE" ? "capture" : "authorize";
    links.push({ href: `${API}/v2/checkout/orders/${order.id}/${action}`, rel: action, method: "POST" });
  }
  const json: Record<string, unknown> = {
    id: order.id,
    intent: order.intent,
    status: order.status,
    purchase_units: [unit],
    create_time: order.createTime,
    update_time: order.updateTime,
    links,
  };
  if (order.status !== "CREATED") {
    // A vaulted source charged or saved: its vault attributes (`id`, `status`, `customer`) as Orders v2 reports them.
    const vault = order.vaulted ? { vault: { id: order.vaulted.tokenId, status: "VAULTED", customer: { id: order.vaulted.customerId } } } : undefined;
    if (order.source === "card") {
      const card: Record<string, unknown> = {};
      if (order.card) Object.assign(card, { last_digits: order.card.lastDigits, brand: order.card.brand, expiry: order.card.expiry });
      if (vault) card["attributes"] = vault;
      json["payment_source"] = { card };
    } else {
      json["payer"] = {
        name: { given_name: "Fake", surname: "Buyer" },
        email_address: PAYER_EMAIL,
        payer_id: PAYER_ID,
      };
      json["payment_source"] = { paypal: { email_address: PAYER_EMAIL, account_id: PAYER_ID, ...(vault ? { attributes: vault } : {}) } };
    }
  }
  return json;
}

export function captureJson(ledger: FakeLedger, capture: FakeCapture, standalone: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: capture.id,
    status: capture.status,
    amount: moneyObject(capture.units, capture.currency),
    final_capture: capture.finalCapture,
    seller_protection: { status: "ELIGIBLE", dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"] },
    create_time: capture.createTime,
    update_time: capture.updateTime,
    links: [
      { href: `${API}/v2/payments/captures/${capture.id}`, rel: "self", method: "GET" },
      { href: `${API}/v2/payments/captures/${capture.id}/refund`, rel: "refund", method: "POST" },
      capture.authorizationId
        ? { href: `${API}/v2/payments/authorizations/${capture.authorizationId}`, rel: "up", method: "GET" }
        : { href: `${API}/v2/checkout/orders/${capture.orderId}`, rel: "up", method: "GET" },
    ],
  };
  if (capture.customId) json["custom_id"] = capture.customId;
  if (capture.invoiceId) json["invoice_id"] = capture.invoiceId;
  if (capture.reason) json["status_details"] = { reason: capture.reason };
  if (capture.processorResponseCode) {
    json["processor_response"] = { response_code: capture.processorResponseCode };
  }
  if (capture.status !== "DECLINED") {
    const refunded = capture.refundIds.reduce((sum, id) => {
      const refund = ledger.refunds.get(id);
      return refund?.status === "COMPLETED" ? sum + refund.units : sum;
    }, 0n);
    json["seller_receivable_breakdown"] = {
      gross_amount: moneyObject(capture.units, capture.currency),
      net_amount: moneyObject(capture.units, capture.currency),
      ...(refunded > 0n ? { total_refunded_amount: moneyObject(refunded, capture.currency) } : {}),
    };
  }
  if (standalone) {
    const related: Record<string, string> = { order_id: capture.orderId };
    if (capture.authorizationId) related["authorization_id"] = capture.authorizationId;
    json["supplementary_data"] = { related_ids: related };
  }
  return json;
}

export function authorizationJson(authorization: FakeAuthorization, standalone: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: authorization.id,
    status: authorization.status,
    amount: moneyObject(authorization.units, authorization.currency),
    expiration_time: authorization.expirationTime,
    seller_protection: { status: "ELIGIBLE" },
    create_time: authorization.createTime,
    update_time: authorization.updateTime,
    links: [
      { href: `${API}/v2/payments/authorizations/${authorization.id}`, rel: "self", method: "GET" },
      { href: `${API}/v2/payments/authorizations/${authorization.id}/capture`, rel: "capture", method: "POST" },
      { href: `${API}/v2/payments/authorizations/${authorization.id}/void`, rel: "void", method: "POST" },
      { href: `${API}/v2/checkout/orders/${authorization.orderId}`, rel: "up", method: "GET" },
    ],
  };
  if (authorization.reason) json["status_details"] = { reason: authorization.reason };
  if (authorization.customId) json["custom_id"] = authorization.customId;
  if (authorization.invoiceId) json["invoice_id"] = authorization.invoiceId;
  if (authorization.processorResponseCode && authorization.status === "DENIED") {
    json["processor_response"] = { response_code: authorization.processorResponseCode };
  }
  if (standalone) json["supplementary_data"] = { related_ids: { order_id: authorization.orderId } };
  return json;
}

export function refundJson(refund: FakeRefund): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: refund.id,
    status: refund.status,
    amount: moneyObject(refund.units, refund.currency),
    seller_payable_breakdown: {
      gross_amount: moneyObject(refund.units, refund.currency),
      net_amount: moneyObject(refund.units, refund.currency),
      total_refunded_amount: moneyObject(refund.units, refund.currency),
    },
    create_time: refund.createTime,
    update_time: refund.updateTime,
    links: [
      { href: `${API}/v2/payments/refunds/${refund.id}`, rel: "self", method: "GET" },
      { href: `${API}/v2/payments/captures/${refund.captureId}`, rel: "up", method: "GET" },
    ],
  };
  if (refund.reason) json["status_details"] = { reason: refund.reason };
  if (refund.customId) json["custom_id"] = refund.customId;
  if (refund.invoiceId) json["invoice_id"] = refund.invoiceId;
  if (refund.noteToPayer) json["note_to_payer"] = refund.noteToPayer;
  return json;
}

export function transactionJson(row: FakeTransaction): Record<string, unknown> {
  const info: Record<string, unknown> = {
    paypal_account_id: PAYER_ID,
    transaction_id: row.transactionId,
    transaction_event_code: row.eventCode,
    // PayPal's examples show "+0000", but its OpenAPI date_time requires RFC 3339 ("Z" or "+00:00").
    transaction_initiation_date: paypalTime(row.at),
    transaction_updated_date: paypalTime(row.at),
    transaction_amount: moneyObject(row.units, row.currency),
    transaction_status: row.status,
    protection_eligibility: "01",
  };
  if (row.referenceId) info["paypal_reference_id"] = row.referenceId;
  if (row.referenceIdType) info["paypal_reference_id_type"] = row.referenceIdType;
  if (row.customField) info["custom_field"] = row.customField;
  if (row.invoiceId) info["invoice_id"] = row.invoiceId;
  return { transaction_info: info };
}
