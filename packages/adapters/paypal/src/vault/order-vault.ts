import type { GatewaySavedMethod } from "@org/payments-core";
import {
  PaymentInitiator,
  PaypalPaymentTokenCustomerType,
  PaypalPaymentTokenUsageType,
  StoreInVaultInstruction,
  StoredPaymentSourcePaymentType,
  StoredPaymentSourceUsageType,
  type Order,
  type PaymentSource,
  type PaypalWallet,
} from "@paypal/paypal-server-sdk";
import { savedMethodOf } from "./map-vault.js";

/**
 * The order's payment_source for a saved token (Orders v2 `card.vault_id` / `paypal.vault_id`). A card charged
 * with its customer absent says so in `stored_credential`, as card networks require for a merchant-initiated
 * charge of a stored card: payment_initiator MERCHANT, payment_type UNSCHEDULED (a fare, a balance: no fixed
 * schedule), usage SUBSEQUENT (the card was stored with an earlier, customer-present consent). With the customer
 * present the initiator is CUSTOMER. A wallet takes no stored_credential in the published Orders v2 document (the
 * SDK's model has one; the document's paypal_wallet does not): PayPal treats a wallet's vault_id as the agreement
 * the payer gave when it was saved.
 */
export function vaultedOrderSource(kind: "card" | "paypal", vaultId: string, offSession: boolean): PaymentSource {
  if (kind === "paypal") return { paypal: { vaultId } };
  return {
    card: {
      vaultId,
      storedCredential: {
        paymentInitiator: offSession ? PaymentInitiator.Merchant : PaymentInitiator.Customer,
        paymentType: StoredPaymentSourcePaymentType.Unscheduled,
        usage: StoredPaymentSourceUsageType.Subsequent,
      },
    },
  };
}

/**
 * A PayPal checkout that also saves the wallet for later merchant-initiated charges: `attributes.vault` with
 * store_in_vault ON_SUCCESS (PayPal vaults it once the capture or authorization succeeds), usage_type MERCHANT
 * (which vault_paypal_wallet_base requires), and the vault customer when ours has one already.
 */
export function storeInVaultAttributes(providerCustomerId: string | null | undefined): NonNullable<PaypalWallet["attributes"]> {
  return {
    vault: {
      storeInVault: StoreInVaultInstruction.OnSuccess,
      usageType: PaypalPaymentTokenUsageType.Merchant,
      customerType: PaypalPaymentTokenCustomerType.Consumer,
      permitMultiplePaymentTokens: false,
    },
    ...(providerCustomerId ? { customer: { id: providerCustomerId } } : {}),
  };
}

/**
 * What an order saved (`payment_source.*.attributes.vault`): the token once its status is VAULTED (APPROVED or
 * CREATED mean it is not saved yet; the status is deprecated in the document, so a token id without one counts),
 * and the vault customer it belongs to.
 */
export function vaultedByOrder(order: Order): { savedMethod: GatewaySavedMethod; providerCustomerId: string | null } | null {
  const source = order.paymentSource;
  const vault = source?.card?.attributes?.vault ?? source?.paypal?.attributes?.vault;
  if (!vault?.id || (vault.status !== undefined && vault.status !== "VAULTED")) return null;
  return {
    savedMethod: savedMethodOf(vault.id, source?.card ? { card: source.card } : { paypal: source?.paypal }),
    providerCustomerId: vault.customer?.id ?? null,
  };
}
