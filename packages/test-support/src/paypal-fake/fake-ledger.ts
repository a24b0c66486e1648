import { FakeVault, type FakeVaultCard } from "./fake-vault.js";
import { paypalId, paypalTime } from "./ids.js";
import { moneyObject, parseValue, type MoneyObject } from "./paypal-money.js";

/** What happens when the buyer "approves" an order in the fake (what a contract harness's completeAction does). */
export type ApprovalOutcome =
  | { kind: "approve" }
  /**
   * The next capture or authorization answers 422 with this issue (INSTRUMENT_DECLINED, PAYER_ACCOUNT_RESTRICTED, …).
   * PAYER_ACTION_REQUIRED also moves the order to PAYER_ACTION_REQUIRED, with a `payer-action` link; any issue
   * leaves the order where it was (APPROVED after INSTRUMENT_DECLINED), as PayPal does.
   */
  | { kind: "decline_422"; issue: string }
  /** The next capture answers 201 with status DECLINED (an authorization: DENIED) and this processor response code. */
  | { kind: "decline_201"; responseCode: string }
  /** The capture (or authorization) is made PENDING with this `status_details.reason` and settles later. */
  | { kind: "pending"; reason: string };

/** How the next refund behaves: accepted PENDING (reason ECHECK), then `then` on the next read of it. */
export interface RefundPlan {
  status: "PENDING";
  then?: "COMPLETED" | "FAILED";
}

export interface FakeOrder {
  id: string;
  intent: "CAPTURE" | "AUTHORIZE";
  status: "CREATED" | "APPROVED" | "COMPLETED" | "VOIDED" | "PAYER_ACTION_REQUIRED";
  currency: string;
  units: bigint;
  referenceId: string;
  customId: string | undefined;
  invoiceId: string | undefined;
  description: string | undefined;
  /** Created with `payment_source.paypal` (an experience context): PayPal then links `payer-action`, not `approve`. */
  withPaymentSource: boolean;
  /** The payment source the order is paid with: a PayPal wallet unless a saved card was named. */
  source: "card" | "paypal";
  /** The saved payment token charged (`payment_source.*.vault_id`). */
  vaultId: string | undefined;
  /** The card's `stored_credential` as sent (a merchant-initiated charge of a saved card says so here). */
  storedCredential: Record<string, unknown> | undefined;
  /** `attributes.vault.store_in_vault: ON_SUCCESS`: save the source once the payment succeeds, for this customer. */
  storeInVault: { customerId: string | undefined } | undefined;
  /** The token saved by `storeInVault`, and its vault customer. */
  vaulted: { tokenId: string; customerId: string } | undefined;
  /** The card of a saved-card order (what PayPal echoes in payment_source.card). */
  card: FakeVaultCard | undefined;
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
  /** `status_details.reason` (PENDING or DECLINED). */
  reason: string | undefined;
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
  reason: string | undefined;
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
  /** `status_details.reason` of a PENDING or FAILED refund (PayPal documents only ECHECK). */
  reason: string | undefined;
  /** Where a PENDING refund goes the next time it is read. */
  thenOnRead: "COMPLETED" | "FAILED" | undefined;
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
  at: Date;
  currency: string;
  units: bigint;
  customField: string | undefined;
  invoiceId: string | undefined;
  referenceId: string | undefined;
  referenceIdType: "ODR" | "TXN" | undefined;
  balanceAffecting: boolean;
}

/** A refusal PayPal would send: the server renders it with the operation's documented issue description. */
export interface Refusal {
  status: number;
  issue: string;
  field?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  refusal?: Refusal;
}

/** Ledger operations return either the changed object or the refusal PayPal would send. */
export function isRefusal(value: object): value is Refusal {
  return typeof (value as { issue?: unknown }).issue === "string" && typeof (value as { status?: unknown }).status === "number";
}

const unprocessable = (issue: string): Refusal => ({ status: 422, issue });
const invalidRequest = (issue: string, field?: string): Refusal => ({ status: 400, issue, ...(field ? { field } : {}) });
export const notFound = (): Refusal => ({ status: 404, issue: "INVALID_RESOURCE_ID" });

/** Authorizations are honoured for 29 days at PayPal (3 days of guaranteed honor period, 29 days of validity). */
const AUTHORIZATION_VALIDITY_MS = 29 * 24 * 3600 * 1000;
const SETTLED = new Set(["COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"]);

/** All the fake's state, and the business rules PayPal applies to it. */
export class FakeLedger {
  readonly orders = new Map<string, FakeOrder>();
  readonly captures = new Map<string, FakeCapture>();
  readonly authorizations = new Map<string, FakeAuthorization>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly transactions: FakeTransaction[] = [];
  readonly vault: FakeVault;
  #refundPlans: RefundPlan[] = [];

  constructor(private readonly now: () => Date) {
    this.vault = new FakeVault(now);
  }

  clear(): void {
    this.vault.clear();
    this.orders.clear();
    this.captures.clear();
    this.authorizations.clear();
    this.refunds.clear();
    this.transactions.length = 0;
    this.#refundPlans = [];
  }

  private stamp(): string {
    return paypalTime(this.now());
  }

  createOrder(body: unknown): Refusal | FakeOrder {
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
    // Orders v2 reports both as 422 (INVALID_CURRENCY_CODE, DECIMAL_PRECISION); a malformed value is a 400.
    if ("issue" in parsed) {
      return parsed.issue === "INVALID_PARAMETER_VALUE"
        ? invalidRequest("INVALID_PARAMETER_SYNTAX", "/purchase_units/0/amount/value")
        : unprocessable(parsed.issue);
    }
    if (parsed.units <= 0n) return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE");
    const source = paymentSourceOf(request["payment_source"]);
    if ("issue" in source) return source;
    const token = source.vaultId !== undefined ? this.vault.paymentTokens.get(source.vaultId) : undefined;
    if (source.vaultId !== undefined) {
      if (!token) return notFound();
      if (token.source !== source.kind) return unprocessable("MISMATCHED_VAULT_ID_TO_PAYMENT_SOURCE");
    }
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
      withPaymentSource: typeof request["payment_source"] === "object" && request["payment_source"] !== null,
      source: source.kind,
      vaultId: source.vaultId,
      storedCredential: source.storedCredential,
      storeInVault: source.storeInVault,
      vaulted: undefined,
      card: token?.card,
      createTime: at,
      updateTime: at,
      approval: undefined,
      captureIds: [],
      authorizationIds: [],
    };
    this.orders.set(order.id, order);
    if (token) {
      // A saved source needs no buyer at PayPal: the order is captured or authorized as it is created, unless the
      // bank wants the payer (3-D Secure), which leaves the order waiting for them.
      if (token.offSession.kind === "payer_action") {
        order.status = "PAYER_ACTION_REQUIRED";
        return order;
      }
      order.status = "APPROVED";
      order.approval = token.offSession.kind === "declined" ? { kind: "decline_201", responseCode: token.offSession.responseCode } : { kind: "approve" };
      const done = intent === "CAPTURE" ? this.captureOrder(order.id) : this.authorizeOrder(order.id);
      if (isRefusal(done)) return done;
    }
    return order;
  }

  /** The buyer approves (again, after a decline or a payer action): the order is APPROVED with this outcome. */
  approve(orderId: string, outcome: ApprovalOutcome = { kind: "approve" }): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`paypal-fake: no order ${orderId}`);
    if (order.status !== "CREATED" && order.status !== "APPROVED" && order.status !== "PAYER_ACTION_REQUIRED") {
      throw new Error(`paypal-fake: order ${orderId} is ${order.status}, cannot be approved`);
    }
    order.status = "APPROVED";
    order.approval = outcome;
    order.updateTime = this.stamp();
  }

  /** A refusal of the buyer's funding at capture or authorization time; the order stays as it was. */
  private refuseAtPayment(order: FakeOrder, issue: string): Refusal {
    if (issue === "PAYER_ACTION_REQUIRED") {
      order.status = "PAYER_ACTION_REQUIRED";
      order.updateTime = this.stamp();
    }
    return unprocessable(issue);
  }

  captureOrder(orderId: string): Refusal | FakeOrder {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent !== "CAPTURE") return unprocessable("ACTION_DOES_NOT_MATCH_INTENT");
    if (order.status === "COMPLETED") return unprocessable("ORDER_ALREADY_CAPTURED");
    if (order.status === "PAYER_ACTION_REQUIRED") return unprocessable("PAYER_ACTION_REQUIRED");
    if (order.status !== "APPROVED") return unprocessable("ORDER_NOT_APPROVED");
    const outcome = order.approval ?? { kind: "approve" };
    if (outcome.kind === "decline_422") return this.refuseAtPayment(order, outcome.issue);
    const at = this.stamp();
    const status = outcome.kind === "decline_201" ? "DECLINED" : outcome.kind === "pending" ? "PENDING" : "COMPLETED";
    const capture: FakeCapture = {
      id: paypalId(),
      orderId,
      authorizationId: undefined,
      status,
      reason: outcome.kind === "pending" ? outcome.reason : status === "DECLINED" ? "OTHER" : undefined,
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
    this.record(capture.id, "T0006", status === "DECLINED" ? "D" : status === "PENDING" ? "P" : "S", capture, order.id, "ODR", true);
    if (status === "COMPLETED") this.vaultOnSuccess(order);
    return order;
  }

  authorizeOrder(orderId: string): Refusal | FakeOrder {
    const order = this.orders.get(orderId);
    if (!order) return notFound();
    if (order.intent !== "AUTHORIZE") return unprocessable("ACTION_DOES_NOT_MATCH_INTENT");
    if (order.status === "COMPLETED") return unprocessable("ORDER_ALREADY_AUTHORIZED");
    if (order.status === "PAYER_ACTION_REQUIRED") return unprocessable("PAYER_ACTION_REQUIRED");
    if (order.status !== "APPROVED") return unprocessable("ORDER_NOT_APPROVED");
    const outcome = order.approval ?? { kind: "approve" };
    if (outcome.kind === "decline_422") return this.refuseAtPayment(order, outcome.issue);
    const at = this.stamp();
    const status = outcome.kind === "decline_201" ? "DENIED" : outcome.kind === "pending" ? "PENDING" : "CREATED";
    const authorization: FakeAuthorization = {
      id: paypalId(),
      orderId,
      status,
      // PayPal documents one reason for a pending authorization.
      reason: status === "PENDING" ? "PENDING_REVIEW" : undefined,
      currency: order.currency,
      units: order.units,
      customId: order.customId,
      invoiceId: order.invoiceId,
      processorResponseCode: outcome.kind === "decline_201" ? outcome.responseCode : "0000",
      expirationTime: paypalTime(new Date(this.now().getTime() + AUTHORIZATION_VALIDITY_MS)),
      createTime: at,
      updateTime: at,
      captureIds: [],
    };
    this.authorizations.set(authorization.id, authorization);
    order.authorizationIds.push(authorization.id);
    order.status = "COMPLETED";
    order.updateTime = at;
    this.record(authorization.id, "T1300", status === "DENIED" ? "D" : "P", authorization, order.id, "ODR", false);
    if (status === "CREATED") this.vaultOnSuccess(order);
    return order;
  }

  captureAuthorization(authorizationId: string, body: unknown): Refusal | FakeCapture {
    const authorization = this.authorizations.get(authorizationId);
    if (!authorization) return notFound();
    if (authorization.status === "VOIDED") return unprocessable("AUTHORIZATION_VOIDED");
    if (authorization.status === "CAPTURED") return unprocessable("AUTHORIZATION_ALREADY_CAPTURED");
    if (authorization.status === "DENIED") return unprocessable("AUTHORIZATION_DENIED");
    const request = (body ?? {}) as Record<string, unknown>;
    const captured = this.capturedUnits(authorization);
    let units = authorization.units - captured;
    const amount = request["amount"] as Record<string, unknown> | undefined;
    if (amount !== undefined) {
      if (amount["currency_code"] !== authorization.currency) return unprocessable("AUTH_CAPTURE_CURRENCY_MISMATCH");
      const parsed = parseValue(amount["currency_code"], amount["value"]);
      if ("issue" in parsed) {
        return parsed.issue === "INVALID_PARAMETER_VALUE" ? invalidRequest("INVALID_PARAMETER_SYNTAX", "/amount/value") : unprocessable(parsed.issue);
      }
      units = parsed.units;
    }
    if (units <= 0n) return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE");
    if (captured + units > authorization.units) return unprocessable("MAX_CAPTURE_AMOUNT_EXCEEDED");
    const finalCapture = request["final_capture"] === true;
    const at = this.stamp();
    const capture: FakeCapture = {
      id: paypalId(),
      orderId: authorization.orderId,
      authorizationId,
      status: "COMPLETED",
      reason: undefined,
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

  voidAuthorization(authorizationId: string): Refusal | FakeAuthorization {
    const authorization = this.authorizations.get(authorizationId);
    if (!authorization) return notFound();
    if (authorization.status === "VOIDED") return unprocessable("PREVIOUSLY_VOIDED");
    if (authorization.status === "CAPTURED") return unprocessable("PREVIOUSLY_CAPTURED");
    if (authorization.status === "DENIED") return unprocessable("CANNOT_BE_VOIDED");
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

  /** `store_in_vault: ON_SUCCESS`: the source is saved once the payment went through, and the order says so. */
  private vaultOnSuccess(order: FakeOrder): void {
    if (!order.storeInVault || order.vaulted) return;
    const token = this.vault.vaultFromOrder(order.storeInVault.customerId ?? "", order.source, order.card);
    order.vaulted = { tokenId: token.id, customerId: token.customerId };
  }

  /** Makes the next refund go as planned (PENDING, then FAILED or COMPLETED on its next read). */
  planNextRefund(plan: RefundPlan): void {
    this.#refundPlans.push(plan);
  }

  refundCapture(captureId: string, body: unknown): Refusal | FakeRefund {
    const capture = this.captures.get(captureId);
    if (!capture) return notFound();
    if (capture.status === "REFUNDED") return unprocessable("CAPTURE_FULLY_REFUNDED");
    if (capture.status === "PENDING") return unprocessable("PENDING_CAPTURE");
    if (!SETTLED.has(capture.status)) return unprocessable("REFUND_NOT_ALLOWED");
    const request = (body ?? {}) as Record<string, unknown>;
    const refunded = this.refundedUnits(capture);
    let units = capture.units - refunded;
    const amount = request["amount"] as Record<string, unknown> | undefined;
    if (amount !== undefined) {
      if (amount["currency_code"] !== capture.currency) return unprocessable("REFUND_CAPTURE_CURRENCY_MISMATCH");
      const parsed = parseValue(amount["currency_code"], amount["value"]);
      if ("issue" in parsed) {
        return parsed.issue === "INVALID_PARAMETER_VALUE" ? invalidRequest("INVALID_PARAMETER_SYNTAX", "/amount/value") : unprocessable(parsed.issue);
      }
      units = parsed.units;
    }
    if (units <= 0n) return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE");
    if (refunded + units > capture.units) return unprocessable("REFUND_AMOUNT_EXCEEDED");
    const plan = this.#refundPlans.shift();
    const at = this.stamp();
    const refund: FakeRefund = {
      id: paypalId(),
      captureId,
      status: plan ? plan.status : "COMPLETED",
      reason: plan ? "ECHECK" : undefined,
      thenOnRead: plan?.then,
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
    this.restateCapture(capture);
    this.record(refund.id, "T1107", refund.status === "PENDING" ? "P" : "S", { ...refund, units: -units }, captureId, "TXN", true);
    return refund;
  }

  /**
   * A read of these refunds (the order, the capture or the refund itself): a pending refund with a plan moves on,
   * as a refund PayPal accepted and then completed or failed (an eCheck refund that bounced) would be seen.
   */
  observeRefunds(refundIds: Iterable<string>): void {
    for (const id of refundIds) {
      const refund = this.refunds.get(id);
      if (!refund || refund.status !== "PENDING" || !refund.thenOnRead) continue;
      refund.status = refund.thenOnRead;
      refund.reason = refund.status === "FAILED" ? "ECHECK" : undefined;
      refund.thenOnRead = undefined;
      refund.updateTime = this.stamp();
      const row = this.transactions.find((t) => t.transactionId === refund.id);
      if (row) row.status = refund.status === "FAILED" ? "D" : "S";
      const capture = this.captures.get(refund.captureId);
      if (capture) this.restateCapture(capture);
    }
  }

  /** Settles a PENDING capture (what PayPal does after a review or when an eCheck clears or bounces). */
  settleCapture(captureId: string, status: "COMPLETED" | "DECLINED"): FakeCapture {
    const capture = this.captures.get(captureId);
    if (!capture || capture.status !== "PENDING") throw new Error(`paypal-fake: capture ${captureId} is not pending`);
    capture.status = status;
    capture.reason = status === "DECLINED" ? "OTHER" : undefined;
    capture.updateTime = this.stamp();
    const row = this.transactions.find((t) => t.transactionId === capture.id);
    if (row) row.status = status === "COMPLETED" ? "S" : "D";
    return capture;
  }

  /** Completed and pending refunds count against the capture; failed and cancelled ones gave nothing back. */
  refundedUnits(capture: FakeCapture): bigint {
    return capture.refundIds.reduce((sum, id) => {
      const refund = this.refunds.get(id);
      return refund && (refund.status === "COMPLETED" || refund.status === "PENDING") ? sum + refund.units : sum;
    }, 0n);
  }

  private restateCapture(capture: FakeCapture): void {
    const refunded = this.refundedUnits(capture);
    capture.status = refunded === 0n ? "COMPLETED" : refunded >= capture.units ? "REFUNDED" : "PARTIALLY_REFUNDED";
    capture.updateTime = this.stamp();
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
      at: this.now(),
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

interface OrderSource {
  kind: "card" | "paypal";
  vaultId: string | undefined;
  storedCredential: Record<string, unknown> | undefined;
  storeInVault: { customerId: string | undefined } | undefined;
}

/** The order's `payment_source` (one of card or paypal; none is a PayPal checkout), as far as the fake honours it. */
function paymentSourceOf(value: unknown): Refusal | OrderSource {
  const source = (value ?? {}) as Record<string, unknown>;
  const kinds = (["card", "paypal"] as const).filter((k) => typeof source[k] === "object" && source[k] !== null);
  if (kinds.length > 1) return invalidRequest("INVALID_PARAMETER_VALUE", "/payment_source");
  const kind = kinds[0] ?? "paypal";
  const details = (source[kind] ?? {}) as Record<string, unknown>;
  const vaultId = optionalString(details["vault_id"]);
  const attributes = (details["attributes"] ?? {}) as Record<string, unknown>;
  const vault = attributes["vault"] as Record<string, unknown> | undefined;
  const customer = attributes["customer"] as Record<string, unknown> | undefined;
  if (vault !== undefined && vault["store_in_vault"] !== "ON_SUCCESS") return unprocessable("VAULT_INSTRUCTION_REQUIRED");
  // A wallet's vault instruction needs its usage_type (vault_paypal_wallet_base requires it).
  if (vault !== undefined && kind === "paypal" && typeof vault["usage_type"] !== "string") {
    return invalidRequest("MISSING_REQUIRED_PARAMETER", "/payment_source/paypal/attributes/vault/usage_type");
  }
  if (vault !== undefined && vaultId !== undefined) return unprocessable("VAULT_INSTRUCTION_DUPLICATED");
  const stored = details["stored_credential"];
  return {
    kind,
    vaultId,
    storedCredential: typeof stored === "object" && stored !== null ? (stored as Record<string, unknown>) : undefined,
    storeInVault: vault !== undefined ? { customerId: optionalString(customer?.["id"]) } : undefined,
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export type { MoneyObject };
export { moneyObject };
