import type { Customer, SavedPaymentMethod } from "@org/payments-core";
import { type Colours, statusColour } from "./colours.js";
import { when } from "./format.js";
import type { Column } from "./table.js";

/**
 * A saved method as the CLI prints it, in a table or as JSON: everything the record holds but the client secret a
 * method waiting for authentication may carry in its next action (a SetupIntent's secret lets whoever holds it
 * finish saving the card). The provider's token (`pm_…`) is an id, not a secret: it is only usable with the
 * account's own keys, and the operator needs it to find the method in the provider's dashboard.
 */
export function printableMethod(method: SavedPaymentMethod): SavedPaymentMethod {
  if (method.nextAction === null) return method;
  const { clientSecret: _secret, ...nextAction } = method.nextAction;
  return { ...method, nextAction };
}

/** `12/2030`, or `-` for a method that has no expiry (a PayPal wallet). */
function expiry(method: SavedPaymentMethod): string {
  if (method.expMonth === null || method.expYear === null) return "-";
  return `${String(method.expMonth).padStart(2, "0")}/${method.expYear}`;
}

/** A card as a person recognises it: `visa 4242`, never more of its number than the last four digits. */
export function describeMethod(method: SavedPaymentMethod): string {
  return [method.brand ?? method.type, method.last4].filter((part) => part !== null).join(" ");
}

/** The columns of a customer's saved methods, shared by `customers show` and `methods list`. */
export function methodColumns(customer: Pick<Customer, "defaultPaymentMethodId">, colours: Colours): Array<Column<SavedPaymentMethod>> {
  return [
    { header: "METHOD", value: (m) => m.id },
    { header: "STATUS", value: (m) => m.status, style: (text, m) => (m.status === "active" ? colours.green(text) : statusColour(colours, m.status)(text)) },
    { header: "PROVIDER", value: (m) => m.provider },
    { header: "PROVIDER ID", value: (m) => m.providerPaymentMethodId ?? "-" },
    { header: "TYPE", value: (m) => m.type },
    { header: "BRAND", value: (m) => m.brand ?? "-" },
    { header: "LAST 4", value: (m) => m.last4 ?? "-" },
    { header: "EXPIRES", value: expiry },
    { header: "DEFAULT", value: (m) => (m.id === customer.defaultPaymentMethodId ? "default" : "") },
    { header: "SAVED", value: (m) => when(m.createdAt) },
  ];
}
