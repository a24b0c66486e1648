import { debugId, paypalId } from "./ids.js";
import { moneyObject, parseValue, type MoneyObject } from "./paypal-money.js";

/** What happens when the buyer "approves" an order in the fake (what a contract harness's completeAction does). */
export type ApprovalOutcome =
  | { kind: "approve" }
  /** The next capture or authorization answers 422 with this issue (INSTRUMENT_DECLINED, PAYER_ACTION_REQUIRED, ...). */
  | { kind: "decline_422"; issue: string }
  /** The next capture answers 201 with status DECLINED (an authorization: DENIED) and this processor response code. */
  | { kind: "decline_201"; responseCode: string };

export interface FakeOrder {
  id: string;
  intent: "CAPTURE" | "AUTHORIZE";
  status: "CREATED" | "APPROVED" | "COMPLETED" | "VOIDED";
  currency: string;
  units: bigint;
  referenceId: string;
  customId: string | undefined;
  invoiceId: string | undefined;
  description: string | undefined;
  createTime: string;
  updateTime: string;
  approval: ApprovalOutcome | undefined;
  captureIds: string[];
  authorizationIds: string[];
}

export interface FakeCapture {
  id: string;
  orderId: string;
  authorizationId: string | undefined;
  status: "COMPLETED" | "DECLINED" | "PARTIALLY_REFUNDED" | "REFUNDED" | "PENDING" | "FAILED";
  currency: string;
  units: bigint;
  finalCapture: boolean;
  customId: string | undefined;
  invoiceId: string | undefined;
  processorResponseCode: string | undefined;
  createTime: string;
  updateTime: string;
  refundIds: string[];
}

export interface FakeAuthorization {
  id: string;
  orderId: string;
  status: "CREATED" | "CAPTURED" | "PARTIALLY_CAPTURED" | "VOIDED" | "DENIED" | "PENDING";
  currency: string;
  units: bigint;
  customId: string | undefined;
  invoiceId: string | undefined;
  processorResponseCode: string | undefined;
  expirationTime: string;
  createTime: string;
  updateTime: string;
  captureIds: string[];
}

export interface FakeRefund {
  id: string;
  captureId: string;
  status: "COMPLETED" | "PENDING" | "FAILED" | "CANCELLED";
  currency: string;
  units: bigint;
  customId: string | undefined;
  invoiceId: string | undefined;
  noteToPayer: string | undefined;
  createTime: string;
  updateTime: string;
}

/** A row of the transaction search (reporting) API. */
export interface FakeTransaction {
  transactionId: string;
  eventCode: string;
  status: "S" | "D" | "P" | "V";
  at: string;
  currency: string;
  units: bigint;
  customField: string | undefined;
  invoiceId: string | undefined;
  referenceId: string | undefined;
  referenceIdType: "ODR" | "TXN" | undefined;
  balanceAffecting: boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Ledger operations return either the changed object or the error reply PayPal would send. */
export function isReply(value: object): value is Reply {
  return typeof (value as { status?: unknown }).status === "number";
}

/** PayPal's error body: `name`, `message`, `debug_id`, `details[].issue`, `links`. */
export function errorReply(status: number, name: string, message: string, issue?: string, description?: string): Reply {
  const body: Record<string, unknown> = { name, message, debug_id: debugId() };
  if (issue) {
    body["details"] = [{ issue, description: description ?? issue }];
    body["links"] = [
      { href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${issue}`, rel: "information_link" },
    ];
  }
  return { status, body };
}

const unprocessable = (issue: string, description?: string): Reply =>
  errorReply(
    422,
    "UNPROCESSABLE_ENTITY",
    "The requested action could not be performed, semantically incorrect, or failed business validation.",
    issue,
    description,
  );
const invalidRequest = (issue: string, field?: string): Reply => {
  const reply = errorReply(
    400,
    "INVALID_REQUEST",
    "Request is not well-formed, syntactically incorrect, or violates schema.",
    issue,
  );
  if (field) (reply.body as { details: Array<Record<string, string>> }).details[0]!["field"] = field;
  return reply;
};
export const notFound = (): Reply =>
  errorReply(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID");

/** Authorizations are honoured for 29 days at PayPal (3 days of guaranteed honor period, 29 days of validity). */
const AUTHORIZATION_VALIDITY_MS = 29 * 24 * 3600 * 1000;

/** All the fake's state, and the business rules PayPal applies to it. */
export class FakeLedger {
  readonly orders = new Map<string, FakeOrder>();
  readonly captures = new Map<string, FakeCapture>();
  readonly authorizations = new Map<string, FakeAuthorization>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly transactions: FakeTransaction[] = [];

  constructor(private readonly now: () => Date) {}

  clear(): void {
    this.orders.clear();
    this.captures.clear();
    this.authorizations.clear();
    this.refunds.clear();
    this.transactions.length = 0;
  }

  private stamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  createOrder(body: unknown): Reply | FakeOrder {
    const request = (body ?? {}) as Record<string, unknown>;
    const intent = request["intent"];
    if (intent !== "CAPTURE" && intent !== "AUTHORIZE") return invalidRequest("INVALID_PARAMETER_VALUE", "/intent");
    const units = request["purchase_units"];
    if (!Array.isArray(units) || units.length !== 1) {
      // PayPal allows up to 10 purchase units; the fake (and the adapter) use exactly one.
      return invalidRequest("INVALID_PARAMETER_VALUE", "/purchase_units");
    }
    const unit = units[0] as Record<string, unknown>;
    const amount = (unit["amount"] ?? {}) as Record<string, unknown>;
    const parsed = parseValue(amount["currency_code"], amount["value"]);
    // Orders v2 reports both as 422 (INVALID_CURRENCY_CODE, DECIMAL_PRECISION).
    if ("issue" in parsed) return unprocessable(parsed.issue);
    if (parsed.units <= 0n) return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE");
    const at = this.stamp();
    const order: FakeOrder = {
      id: paypalId(),
      intent,
      status: "CREATED",
      currency: String(amount["currency_code"]),
      units: parsed.units,
      referenceId: typeof unit["reference_id"] === "string" ? unit["reference_id"] : "default",
      customId: optionalString(unit["custom_id"]),
      invoiceId: optionalString(unit["invoice_id"]),
      description: optionalString(unit["description"]),
      createTime: at,
      updateTime: at,
      approval: undefined,
      captureIds: [],
      authorizationIds: [],
    };
    this.orders.set(order.id, order);
    return order;
  }

  approve(orderId: string, outcome: ApprovalOutcome = { kind: "approve" }): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`paypal-fake: no order ${orderId}`);
    if (order.status !== "CREATED" && order.status !== "APPROVED") {
      throw new Error(`paypal-fake: order ${orderId} is ${order.status}, cannot be approved`);
    }
    order.status = "APPROVED";
    order.approval = outcome;
    order.updateTime = this.stamp();
  }

  captureOrder(orderId: string): Reply | FakeOrder {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent !== "CAPTURE") return unprocessable("ACTION_DOES_NOT_MATCH_INTENT");
    if (order.status === "COMPLETED") return unprocessable("ORDER_ALREADY_CAPTURED");
    if (order.status !== "APPROVED") return unprocessable("ORDER_NOT_APPROVED");
    const outcome = order.approval ?? { kind: "approve" };
    if (outcome.kind === "decline_422") return unprocessable(outcome.issue);
    const at = this.stamp();
    const capture: FakeCapture = {
      id: paypalId(),
      orderId,
      authorizationId: undefined,
      status: outcome.kind === "decline_201" ? "DECLINED" : "COMPLETED",
      currency: order.currency,
      units: order.units,
      finalCapture: true,
      customId: order.customId,
      invoiceId: order.invoiceId,
      processorResponseCode: outcome.kind === "decline_201" ? outcome.responseCode : "0000",
      createTime: at,
      updateTime: at,
      refundIds: [],
    };
    this.captures.set(capture.id, capture);
    order.captureIds.push(capture.id);
    order.status = "COMPLETED";
    order.updateTime = at;
    this.record(capture.id, "T0006", capture.status === "DECLINED" ? "D" : "S", capture, order.id, "ODR", true);
    return order;
  }

  authorizeOrder(orderId: string): Reply | FakeOrder {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent !== "AUTHORIZE") return unprocessable("ACTION_DOES_NOT_MATCH_INTENT");
    if (order.status === "COMPLETED") return unprocessable("ORDER_ALREADY_AUTHORIZED");
    if (order.status !== "APPROVED") return unprocessable("ORDER_NOT_APPROVED");
    const outcome = order.approval ?? { kind: "approve" };
    if (outcome.kind === "decline_422") return unprocessable(outcome.issue);
    const at = this.stamp();
    const authorization: FakeAuthorization = {
      id: paypalId(),
      orderId,
      status: outcome.kind === "decline_201" ? "DENIED" : "CREATED",
      currency: order.currency,
      units: order.units,
      customId: order.customId,
      invoiceId: order.invoiceId,
      processorResponseCode: outcome.kind === "decline_201" ? outcome.responseCode : "0000",
      expirationTime: new Date(this.now().getTime() + AUTHORIZATION_VALIDITY_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
      createTime: at,
      updateTime: at,
      captureIds: [],
    };
    this.authorizations.set(authorization.id, authorization);
    order.authorizationIds.push(authorization.id);
    order.status = "COMPLETED";
    order.updateTime = at;
    this.record(authorization.id, "T1300", authorization.status === "DENIED" ? "D" : "P", authorization, order.id, "ODR", false);
    return order;
  }

  captureAuthorization(authorizationId: string, body: unknown): Reply | FakeCapture {
    const authorization = this.authorizations.get(authorizationId);
    if (!authorization) return notFound();
    if (authorization.status === "VOIDED") return unprocessable("PREVIOUSLY_VOIDED");
    if (authorization.status === "CAPTURED") return unprocessable("AUTHORIZATION_ALREADY_CAPTURED");
    if (authorization.status === "DENIED") return unprocessable("AUTHORIZATION_DENIED");
    const request = (body ?? {}) as Record<string, unknown>;
    const captured = this.capturedUnits(authorization);
    let units = authorization.units - captured;
    const amount = request["amount"] as Record<string, unknown> | undefined;
    if (amount !== undefined) {
      if (amount["currency_code"] !== authorization.currency) return unprocessable("CURRENCY_MISMATCH");
      const parsed = parseValue(amount["currency_code"], amount["value"]);
      if ("issue" in parsed) return unprocessable(parsed.issue);
      units = parsed.units;
    }
    if (units <= 0n || captured + units > authorization.units) return unprocessable("MAX_CAPTURE_AMOUNT_EXCEEDED");
    const finalCapture = request["final_capture"] === true;
    const at = this.stamp();
    const capture: FakeCapture = {
      id: paypalId(),
      orderId: authorization.orderId,
      authorizationId,
      status: "COMPLETED",
      currency: authorization.currency,
      units,
      finalCapture,
      customId: authorization.customId,
      invoiceId: optionalString(request["invoice_id"]) ?? authorization.invoiceId,
      processorResponseCode: undefined,
      createTime: at,
      updateTime: at,
      refundIds: [],
    };
    this.captures.set(capture.id, capture);
    authorization.captureIds.push(capture.id);
    authorization.status = finalCapture || captured + units === authorization.units ? "CAPTURED" : "PARTIALLY_CAPTURED";
    authorization.updateTime = at;
    const order = this.orders.get(authorization.orderId);
    if (order) {
      order.captureIds.push(capture.id);
      order.updateTime = at;
    }
    this.record(capture.id, "T0006", "S", capture, authorizationId, "TXN", true);
    return capture;
  }

  voidAuthorization(authorizationId: string): Reply | FakeAuthorization {
    const authorization = this.authorizations.get(authorizationId);
    if (!authorization) return notFound();
    if (authorization.status === "VOIDED") return unprocessable("PREVIOUSLY_VOIDED");
    if (authorization.status === "CAPTURED") return unprocessable("PREVIOUSLY_CAPTURED");
    if (authorization.status === "DENIED") return unprocessable("AUTHORIZATION_DENIED");
    const at = this.stamp();
    authorization.status = "VOIDED";
    authorization.updateTime = at;
    const order = this.orders.get(authorization.orderId);
    if (order && order.captureIds.length === 0) {
      order.status = "VOIDED";
      order.updateTime = at;
    }
    this.record(paypalId(), "T1302", "V", authorization, authorization.id, "TXN", false);
    return authorization;
  }

  refundCapture(captureId: string, body: unknown): Reply | FakeRefund {
    const capture = this.captures.get(captureId);
    if (!capture) return notFound();
    if (capture.status === "REFUNDED") return unprocessable("CAPTURE_FULLY_REFUNDED");
    if (capture.status !== "COMPLETED" && capture.status !== "PARTIALLY_REFUNDED") {
      return unprocessable("REFUND_NOT_ALLOWED");
    }
    const request = (body ?? {}) as Record<string, unknown>;
    const refunded = capture.refundIds.reduce((sum, id) => sum + (this.refunds.get(id)?.units ?? 0n), 0n);
    let units = capture.units - refunded;
    const amount = request["amount"] as Record<string, unknown> | undefined;
    if (amount !== undefined) {
      if (amount["currency_code"] !== capture.currency) return unprocessable("REFUND_CAPTURE_CURRENCY_MISMATCH");
      const parsed = parseValue(amount["currency_code"], amount["value"]);
      if ("issue" in parsed) return unprocessable(parsed.issue);
      units = parsed.units;
    }
    if (units <= 0n) return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE");
    if (refunded + units > capture.units) return unprocessable("REFUND_AMOUNT_EXCEEDED");
    const at = this.stamp();
    const refund: FakeRefund = {
      id: paypalId(),
      captureId,
      status: "COMPLETED",
      currency: capture.currency,
      units,
      customId: optionalString(request["custom_id"]),
      invoiceId: optionalString(request["invoice_id"]),
      noteToPayer: optionalString(request["note_to_payer"]),
      createTime: at,
      updateTime: at,
    };
    this.refunds.set(refund.id, refund);
    capture.refundIds.push(refund.id);
    capture.status = refunded + units === capture.units ? "REFUNDED" : "PARTIALLY_REFUNDED";
    capture.updateTime = at;
    this.record(refund.id, "T1107", "S", { ...refund, units: -units }, captureId, "TXN", true);
    return refund;
  }

  capturedUnits(authorization: FakeAuthorization): bigint {
    return authorization.captureIds.reduce((sum, id) => sum + (this.captures.get(id)?.units ?? 0n), 0n);
  }

  private record(
    transactionId: string,
    eventCode: string,
    status: FakeTransaction["status"],
    source: { currency: string; units: bigint; customId: string | undefined; invoiceId: string | undefined },
    referenceId: string,
    referenceIdType: "ODR" | "TXN",
    balanceAffecting: boolean,
  ): void {
    this.transactions.push({
      transactionId,
      eventCode,
      status,
      at: this.now().toISOString(),
      currency: source.currency,
      units: source.units,
      customField: source.customId,
      invoiceId: source.invoiceId,
      referenceId,
      referenceIdType,
      balanceAffecting,
    });
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export type { MoneyObject };
export { moneyObject };
