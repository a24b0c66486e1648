import { type AcmeAnswer, ok, refusal } from "./answer.js";
import { ACME_CURRENCIES } from "./currencies.js";
import type { FaultSwitches } from "./faults.js";
import { TEST_CARDS } from "./test-cards.js";

export type ChargeStatus = "action_required" | "authenticated" | "authorized" | "succeeded" | "declined" | "canceled";

export interface AcmeRefundObject {
  object: "refund";
  id: string;
  charge_id: string;
  charge_reference: string;
  reference: string;
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed";
  failure_reason: string | null;
  created_at: string;
}

export interface AcmeChargeObject {
  object: "charge";
  id: string;
  reference: string;
  amount: number;
  currency: string;
  capture: "automatic" | "manual";
  status: ChargeStatus;
  amount_capturable: number;
  amount_captured: number;
  amount_refunded: number;
  decline: { code: string; message: string } | null;
  action: { type: "redirect"; url: string } | null;
  authorization_expires_at: string | null;
  description: string | null;
  created_at: string;
  refunds: AcmeRefundObject[];
}

const AUTHORIZATION_DAYS = 7;
const DAY_MS = 86_400_000;

type Body = Record<string, unknown>;

const isAmount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 500;

/**
 * Acme's books, in memory: charges with their refunds, and every rule of API.md about what may happen to them.
 * Each method answers as the endpoint does; none throws for a refused request.
 */
export class Ledger {
  private charges = new Map<string, AcmeChargeObject>();
  /** Refunds accepted as pending that fail by the next read (the `fail_next_refund_later` fault). */
  private failingRefunds = new Map<string, string>();
  private sequence = 0;

  constructor(
    private readonly faults: FaultSwitches,
    private readonly baseUrl: () => string,
  ) {}

  createCharge(body: Body): AcmeAnswer {
    const { amount, currency, card, capture, reference, description } = body;
    if (!isAmount(amount)) return refusal(400, "invalid_amount", "Amount must be a positive integer in minor units.", "amount");
    const accepted = typeof currency === "string" ? ACME_CURRENCIES[currency] : undefined;
    if (typeof currency !== "string" || accepted === undefined) return refusal(400, "currency_not_supported", "Currency not supported.", "currency");
    if (amount < accepted.minimumCharge) return refusal(400, "amount_below_minimum", "Amount is below the minimum charge.", "amount");
    if (capture !== "automatic" && capture !== "manual") return refusal(400, "parameter_invalid", "capture must be automatic or manual.", "capture");
    if (!isText(reference)) return refusal(400, "parameter_missing", "reference is required.", "reference");
    if (typeof card !== "string") return refusal(400, "parameter_missing", "card is required.", "card");
    const behaviour = TEST_CARDS[card];
    if (!behaviour) return refusal(400, "unknown_card", "No such card token.", "card");

    const charge: AcmeChargeObject = {
      object: "charge",
      id: this.newId("ch"),
      reference,
      amount,
      currency,
      capture,
      status: "action_required",
      amount_capturable: 0,
      amount_captured: 0,
      amount_refunded: 0,
      decline: null,
      action: null,
      authorization_expires_at: null,
      description: isText(description) ? description : null,
      created_at: new Date().toISOString(),
      refunds: [],
    };
    this.charges.set(charge.id, charge);

    const buyerRefusal = this.faults.take("decline_next_charge");
    if (buyerRefusal) return this.decline(charge, buyerRefusal.code);
    if (behaviour.kind === "declines") return this.decline(charge, behaviour.code);
    if (behaviour.kind === "asks_for_3ds") {
      charge.action = { type: "redirect", url: `${this.baseUrl()}/authenticate/${charge.id}` };
      return ok(charge);
    }
    return ok(this.complete(charge));
  }

  /** The cardholder's answer at the 3-D Secure page (no API key: it is their browser). */
  authenticate(chargeId: string, approved: boolean): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    if (!charge || charge.status !== "action_required") return refusal(404, "not_found", "Nothing to authenticate.");
    charge.action = null;
    if (!approved) return this.decline(charge, "authentication_failed");
    charge.status = "authenticated";
    return ok({ authenticated: true });
  }

  confirm(chargeId: string): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    if (!charge) return refusal(404, "not_found", "No such charge.");
    return ok(charge.status === "authenticated" ? this.complete(charge) : charge);
  }

  capture(chargeId: string, body: Body): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    if (!charge) return refusal(404, "not_found", "No such charge.");
    if (charge.status !== "authorized") return refusal(409, "invalid_state", `A ${charge.status} charge cannot be captured.`);
    const amount = body.amount ?? charge.amount_capturable;
    if (!isAmount(amount)) return refusal(400, "invalid_amount", "Amount must be a positive integer in minor units.", "amount");
    if (amount > charge.amount_capturable) return refusal(400, "amount_exceeds_capturable", "Amount exceeds what is capturable.", "amount");
    // Whatever is not captured is released at once: one capture per authorization.
    Object.assign(charge, { status: "succeeded", amount_captured: amount, amount_capturable: 0, authorization_expires_at: null });
    return ok(charge);
  }

  cancel(chargeId: string): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    if (!charge) return refusal(404, "not_found", "No such charge.");
    if (!["authorized", "action_required", "authenticated"].includes(charge.status)) {
      return refusal(409, "invalid_state", `A ${charge.status} charge cannot be canceled.`);
    }
    Object.assign(charge, { status: "canceled", amount_capturable: 0, action: null, authorization_expires_at: null });
    return ok(charge);
  }

  refund(chargeId: string, body: Body): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    if (!charge) return refusal(404, "not_found", "No such charge.");
    if (charge.amount_captured === 0) return refusal(409, "invalid_state", `A ${charge.status} charge has nothing to refund.`);
    const { amount, reference } = body;
    if (!isAmount(amount)) return refusal(400, "invalid_amount", "Amount must be a positive integer in minor units.", "amount");
    if (!isText(reference)) return refusal(400, "parameter_missing", "reference is required.", "reference");
    const held = charge.refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
    if (amount > charge.amount_captured - held) return refusal(400, "amount_exceeds_refundable", "Amount exceeds what is left to refund.", "amount");

    const refused = this.faults.take("refuse_next_refund");
    if (refused) return { status: 402, body: { error: { type: "refund_declined", code: refused.code, message: "The refund was declined." } } };

    const refund: AcmeRefundObject = {
      object: "refund",
      id: this.newId("re"),
      charge_id: charge.id,
      charge_reference: charge.reference,
      reference,
      amount,
      currency: charge.currency,
      status: "succeeded",
      failure_reason: null,
      created_at: new Date().toISOString(),
    };
    const failsLater = this.faults.take("fail_next_refund_later");
    if (failsLater) {
      refund.status = "pending";
      this.failingRefunds.set(refund.id, failsLater.reason);
    } else {
      charge.amount_refunded += amount;
    }
    charge.refunds.push(refund);
    return ok(refund);
  }

  retrieve(chargeId: string): AcmeAnswer {
    const charge = this.charges.get(chargeId);
    return charge ? ok(this.read(charge)) : refusal(404, "not_found", "No such charge.");
  }

  /** Charges carrying `reference`, newest first. */
  search(reference: string): AcmeAnswer {
    const found = [...this.charges.values()].filter((c) => c.reference === reference).reverse();
    return ok({ data: found.map((c) => this.read(c)) });
  }

  /** Charges created in [from, to), oldest first, a page at a time after `startingAfter`. */
  list(from: Date, to: Date, limit: number, startingAfter: string | null): AcmeAnswer {
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return refusal(400, "parameter_invalid", "created_from and created_to must be ISO dates.");
    const inWindow = [...this.charges.values()].filter((c) => {
      const created = Date.parse(c.created_at);
      return created >= from.getTime() && created < to.getTime();
    });
    const after = startingAfter === null ? -1 : inWindow.findIndex((c) => c.id === startingAfter);
    if (startingAfter !== null && after < 0) return refusal(400, "parameter_invalid", "starting_after is not in this window.", "starting_after");
    const start = after + 1;
    const page = inWindow.slice(start, start + limit);
    return ok({ data: page.map((c) => this.read(c)), has_more: start + limit < inWindow.length });
  }

  findCharge(chargeId: string): AcmeChargeObject | undefined {
    return this.charges.get(chargeId);
  }

  findRefund(refundId: string): AcmeRefundObject | undefined {
    for (const charge of this.charges.values()) {
      const refund = charge.refunds.find((r) => r.id === refundId);
      if (refund) return refund;
    }
    return undefined;
  }

  clear(): void {
    this.charges.clear();
    this.failingRefunds.clear();
  }

  /** A read is the moment a refund that was doomed to fail is seen failed. */
  private read(charge: AcmeChargeObject): AcmeChargeObject {
    for (const refund of charge.refunds) {
      const reason = this.failingRefunds.get(refund.id);
      if (reason === undefined) continue;
      this.failingRefunds.delete(refund.id);
      Object.assign(refund, { status: "failed", failure_reason: reason });
    }
    return charge;
  }

  private complete(charge: AcmeChargeObject): AcmeChargeObject {
    if (charge.capture === "manual") {
      const expires = new Date(Date.parse(charge.created_at) + AUTHORIZATION_DAYS * DAY_MS).toISOString();
      return Object.assign(charge, { status: "authorized", amount_capturable: charge.amount, authorization_expires_at: expires });
    }
    return Object.assign(charge, { status: "succeeded", amount_captured: charge.amount });
  }

  private decline(charge: AcmeChargeObject, code: string): AcmeAnswer {
    Object.assign(charge, { status: "declined", decline: { code, message: "The card was declined." } });
    return { status: 402, body: { error: { type: "card_declined", code, message: "The card was declined." }, charge: structuredClone(charge) } };
  }

  private newId(prefix: string): string {
    return `${prefix}_${(++this.sequence).toString(36).padStart(8, "0")}${Math.random().toString(36).slice(2, 8)}`;
  }
}
