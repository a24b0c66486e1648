import { randomBytes } from "node:crypto";
import { paypalId, paypalTime } from "./ids.js";

/*
 * PayPal's Vault v3 in the fake: setup tokens (a payment source waiting to be saved), payment tokens (a saved one,
 * chargeable later with `vault_id`) and the vault customers that own them. What a real sandbox decides from the
 * card PayPal's card fields collected (3-D Secure or not, a bank that refuses a later charge) is chosen here by
 * fake-only plans, because the adapter never sees a card number.
 */

/** A card as the vault describes it (never a number): what PayPal's card fields would have collected. */
export interface FakeVaultCard {
  brand: string;
  lastDigits: string;
  /** `YYYY-MM`. */
  expiry: string;
}

/** How a saved token behaves when charged later without the payer (fake-only). */
export type OffSessionBehaviour =
  | { kind: "charges" }
  /** The bank wants the payer authenticated: the order is PAYER_ACTION_REQUIRED with a payer-action link. */
  | { kind: "payer_action" }
  /** The charge is declined: the capture (or authorization) comes back DECLINED (DENIED) with this code. */
  | { kind: "declined"; responseCode: string };

/** What the next card setup token does (fake-only); a PayPal wallet setup always needs the payer's approval. */
export interface SetupPlan {
  /** The card needs 3-D Secure before it may be saved: PAYER_ACTION_REQUIRED with an `approve` link. */
  payerAction?: boolean;
  /**
   * The card is not entered yet: CREATED until PayPal's card fields on the host's page attach it (what a real
   * setup token with an empty card source does); `approveSetupToken` stands for that.
   */
  awaitCardFields?: boolean;
  card?: FakeVaultCard;
  /** What charges of the token made from this setup do. */
  offSession?: OffSessionBehaviour;
}

export interface FakeSetupToken {
  id: string;
  customerId: string;
  source: "card" | "paypal";
  status: "CREATED" | "PAYER_ACTION_REQUIRED" | "APPROVED" | "VAULTED";
  card: FakeVaultCard | undefined;
  returnUrl: string | undefined;
  cancelUrl: string | undefined;
  offSession: OffSessionBehaviour;
  /** The payment token made from it (a setup token is used once). */
  paymentTokenId: string | undefined;
  createTime: string;
}

export interface FakePaymentToken {
  id: string;
  customerId: string;
  source: "card" | "paypal";
  card: FakeVaultCard | undefined;
  offSession: OffSessionBehaviour;
  createTime: string;
}

/** A refusal in PayPal's terms; the server renders the error body. */
export interface VaultRefusal {
  status: number;
  issue?: string;
  field?: string;
}

export const DEFAULT_CARD: FakeVaultCard = { brand: "VISA", lastDigits: "1111", expiry: "2030-12" };

/** A vault customer id PayPal assigns: 1-22 of `[0-9a-zA-Z_-]` (merchant_partner_customer_id); ten random ones here. */
function customerId(): string {
  return randomBytes(8).toString("base64url").replace(/[^0-9a-zA-Z]/g, "x").slice(0, 10);
}

export class FakeVault {
  readonly setupTokens = new Map<string, FakeSetupToken>();
  readonly paymentTokens = new Map<string, FakePaymentToken>();
  readonly customers = new Set<string>();
  #plans: SetupPlan[] = [];

  constructor(private readonly now: () => Date) {}

  clear(): void {
    this.setupTokens.clear();
    this.paymentTokens.clear();
    this.customers.clear();
    this.#plans = [];
  }

  planNextSetup(plan: SetupPlan): void {
    this.#plans.push(plan);
  }

  /** The customer named, or a new one PayPal assigns. */
  customerFor(requested: unknown): string {
    const id = typeof requested === "string" && requested.length > 0 ? requested : customerId();
    this.customers.add(id);
    return id;
  }

  /** POST /v3/vault/setup-tokens. */
  createSetupToken(body: unknown): VaultRefusal | FakeSetupToken {
    const request = (body ?? {}) as Record<string, unknown>;
    const source = (request["payment_source"] ?? {}) as Record<string, unknown>;
    const kinds = ["card", "paypal"].filter((k) => typeof source[k] === "object" && source[k] !== null);
    if (kinds.length !== 1) return { status: 400, issue: "INVALID_PARAMETER_VALUE", field: "/payment_source" };
    const kind = kinds[0] as "card" | "paypal";
    const details = source[kind] as Record<string, unknown>;
    const context = (details["experience_context"] ?? {}) as Record<string, unknown>;
    const plan = kind === "card" ? (this.#plans.shift() ?? {}) : {};
    const customer = this.customerFor((request["customer"] as Record<string, unknown> | undefined)?.["id"]);
    // A wallet is saved only once the payer agreed at PayPal; a card once its 3-D Secure step (when due) is done.
    const needsPayer = kind === "paypal" || plan.payerAction === true;
    const token: FakeSetupToken = {
      id: paypalId(),
      customerId: customer,
      source: kind,
      status: plan.awaitCardFields ? "CREATED" : needsPayer ? "PAYER_ACTION_REQUIRED" : "APPROVED",
      card: kind === "card" ? (plan.card ?? DEFAULT_CARD) : undefined,
      returnUrl: typeof context["return_url"] === "string" ? context["return_url"] : undefined,
      cancelUrl: typeof context["cancel_url"] === "string" ? context["cancel_url"] : undefined,
      offSession: plan.offSession ?? { kind: "charges" },
      paymentTokenId: undefined,
      createTime: paypalTime(this.now()),
    };
    this.setupTokens.set(token.id, token);
    return token;
  }

  /** The payer approved (or completed 3-D Secure) at PayPal (fake-only). */
  approveSetupToken(id: string): void {
    const token = this.setupTokens.get(id);
    if (!token) throw new Error(`paypal-fake: no setup token ${id}`);
    if (token.status !== "PAYER_ACTION_REQUIRED" && token.status !== "CREATED") {
      throw new Error(`paypal-fake: setup token ${id} is ${token.status}, nothing to approve`);
    }
    token.status = "APPROVED";
  }

  /** POST /v3/vault/payment-tokens from an approved setup token. */
  createPaymentToken(body: unknown): VaultRefusal | FakePaymentToken {
    const request = (body ?? {}) as Record<string, unknown>;
    const source = (request["payment_source"] ?? {}) as Record<string, unknown>;
    const ref = (source["token"] ?? {}) as Record<string, unknown>;
    if (ref["type"] !== "SETUP_TOKEN" || typeof ref["id"] !== "string") {
      return { status: 400, issue: "INVALID_PARAMETER_VALUE", field: "/payment_source/token" };
    }
    const setup = this.setupTokens.get(ref["id"]);
    if (!setup) return { status: 404, issue: "INVALID_RESOURCE_ID" };
    // Not approved yet, or used already: PayPal documents no issue code for either; the vault's 422 says it.
    if (setup.status !== "APPROVED") return { status: 422 };
    const token: FakePaymentToken = {
      id: paypalId(),
      customerId: setup.customerId,
      source: setup.source,
      card: setup.card,
      offSession: setup.offSession,
      createTime: paypalTime(this.now()),
    };
    this.paymentTokens.set(token.id, token);
    setup.status = "VAULTED";
    setup.paymentTokenId = token.id;
    return token;
  }

  /** A token saved while paying (`store_in_vault: ON_SUCCESS`), once the payment succeeded. */
  vaultFromOrder(customer: string, source: "card" | "paypal", card: FakeVaultCard | undefined): FakePaymentToken {
    const token: FakePaymentToken = {
      id: paypalId(),
      customerId: this.customerFor(customer),
      source,
      card,
      offSession: { kind: "charges" },
      createTime: paypalTime(this.now()),
    };
    this.paymentTokens.set(token.id, token);
    return token;
  }

  /** How later charges of a saved token behave (fake-only). */
  setOffSession(tokenId: string, behaviour: OffSessionBehaviour): void {
    const token = this.paymentTokens.get(tokenId);
    if (!token) throw new Error(`paypal-fake: no payment token ${tokenId}`);
    token.offSession = behaviour;
  }

  /** DELETE /v3/vault/payment-tokens/{id}: false when there is none (already deleted, or never made). */
  deletePaymentToken(id: string): boolean {
    return this.paymentTokens.delete(id);
  }
}
