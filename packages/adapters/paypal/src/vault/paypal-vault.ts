import type { DetachGatewayRequest, GatewayCallOptions, GatewaySetup, ResumeSetupGatewayRequest, SetupGatewayRequest } from "@org/payments-core";
import { PaymentError } from "@org/payments-core";
import { VaultController, VaultTokenRequestType, type Client, type PaymentTokenResponse, type SetupTokenResponse } from "@paypal/paypal-server-sdk";
import { readPayPalError } from "../map-paypal-error.js";
import { paypalRequestId } from "../request-id.js";
import { pendingSetup, savedMethodOfToken, tokenSourceKind } from "./map-vault.js";
import { setupPaymentSource, setupSourceKind } from "./setup-source.js";

type Call = <T>(operation: string, run: () => Promise<{ result: T }>) => Promise<T>;

/**
 * The request id of the payment token made from a setup token: derived from the call's key, so that a call sent
 * again (its answer lost) gets PayPal's first payment token back instead of a second one.
 */
export function paymentTokenRequestId(idempotencyKey: string): string {
  return paypalRequestId(`${idempotencyKey}:payment-token`);
}

/**
 * Saved payment methods on PayPal's Vault v3, through the SDK's VaultController (@paypal/paypal-server-sdk 2.x has
 * every call used here: createSetupToken, getSetupToken, createPaymentToken, getPaymentToken, deletePaymentToken).
 *
 * Saving is two objects at PayPal: a setup token (the source, approved by the payer when PayPal needs them) and the
 * payment token made from it, which is what later orders charge (`vault_id`). Every POST carries a PayPal-Request-Id
 * (the Vault keeps them 3 hours, the SDK documents): the setup token the call's key, the payment token one derived
 * from it.
 */
export class PayPalVault {
  readonly #vault: VaultController;

  constructor(
    client: Client,
    private readonly call: Call,
  ) {
    this.#vault = new VaultController(client);
  }

  async setup(request: SetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    const paymentSource = setupPaymentSource(setupSourceKind(request.paymentMethodId), request.returnUrl);
    const token = await this.call("create setup token", () =>
      this.#vault.createSetupToken({
        paypalRequestId: paypalRequestId(options.idempotencyKey),
        // No customer yet: PayPal makes one with this setup token and answers its id.
        body: { paymentSource, ...(request.providerCustomerId ? { customer: { id: request.providerCustomerId } } : {}) },
      }),
    );
    return this.#settle(token, request.providerCustomerId, options.idempotencyKey);
  }

  /** After the payer approved: the setup token as it is now, made into a payment token once APPROVED. */
  async resume(request: ResumeSetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    const token = await this.call("get setup token", () => this.#vault.getSetupToken(request.providerSetupId));
    return this.#settle(token, request.providerCustomerId, options.idempotencyKey);
  }

  async #settle(token: SetupTokenResponse, knownCustomer: string | null, idempotencyKey: string): Promise<GatewaySetup> {
    const customerId = token.customer?.id ?? knownCustomer;
    if (!token.id || !customerId) throw new PaymentError("gateway_outcome_unknown", "PayPal answered a setup token without its id or customer", { retryAfterSeconds: 1 });
    if (token.status === "CREATED" || token.status === "PAYER_ACTION_REQUIRED") return pendingSetup(token, customerId);
    // APPROVED: made into a payment token now. VAULTED: made into one already, by an earlier send of this call whose
    // answer was lost; the same derived request id gets that payment token back (a setup token is used once: under
    // any other id PayPal refuses it, which the core takes as a refused resume, the method left waiting).
    if (token.status !== "APPROVED" && token.status !== "VAULTED") {
      throw new PaymentError("gateway_outcome_unknown", `PayPal answered a setup token of status ${token.status ?? "none"}`, {
        retryAfterSeconds: 5,
        details: { providerSetupId: token.id, status: token.status },
      });
    }
    const saved = await this.call("create payment token", () =>
      this.#vault.createPaymentToken({
        paypalRequestId: paymentTokenRequestId(idempotencyKey),
        body: { paymentSource: { token: { id: token.id!, type: VaultTokenRequestType.SetupToken } }, customer: { id: customerId } },
      }),
    );
    return {
      providerSetupId: token.id,
      providerCustomerId: saved.customer?.id ?? customerId,
      status: "succeeded",
      nextAction: null,
      failure: null,
      method: savedMethodOfToken(saved),
    };
  }

  /**
   * Recovery's lookup. PayPal offers none for a setup token: there is no list or search of setup tokens, a setup
   * token carries nothing of ours it would answer back (its `metadata` is write-only in the published schema), and
   * the customer's payment-token list cannot tell which of its tokens this save made. What recovers a setup is the
   * PayPal-Request-Id: the core sends the identical request again under the same key, and within the Vault's 3
   * hours PayPal answers the setup token (and, under the derived id, the payment token) it made the first time.
   * So this answers null ("nothing found, send again"), which is safe within those 3 hours; past them a send may
   * make a second setup token (and, when approved, a second payment token of the same source for the customer).
   */
  async findSetup(_savedPaymentMethodId: string): Promise<GatewaySetup | null> {
    return null;
  }

  /** DELETE /v3/vault/payment-tokens/{id}. A token already gone (404) is what a detach wants. */
  async detach(request: DetachGatewayRequest): Promise<void> {
    await this.call("delete payment token", async () => {
      try {
        return await this.#vault.deletePaymentToken(request.providerPaymentMethodId);
      } catch (error) {
        if (readPayPalError(error)?.status === 404) return { result: undefined };
        throw error;
      }
    });
  }

  /** The saved token an order will charge: which source it is (an order names it under card or paypal). */
  async tokenSource(vaultId: string): Promise<"card" | "paypal"> {
    const token: PaymentTokenResponse = await this.call("get payment token", () => this.#vault.getPaymentToken(vaultId));
    const kind = tokenSourceKind(token);
    if (!kind) throw new PaymentError("validation_error", "the saved PayPal payment token is neither a card nor a PayPal wallet", { details: { field: "paymentMethodId" } });
    return kind;
  }
}
