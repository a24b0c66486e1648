import type { Command } from "commander";
import { safeForTerminal } from "../errors/safe-text.js";
import { when } from "../output/format.js";
import { methodColumns, printableMethod } from "../output/saved-methods.js";
import { renderFields, renderTable } from "../output/table.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { customerById, methodsOf } from "./customer-lookup.js";

export function registerCustomersShow(customers: Command, session: CliSession): void {
  customers
    .command("show")
    .description("one customer with the provider's customer ids and its saved payment methods")
    .argument("<customerId>", "the customer id (cus_…)")
    .addHelpText("after", "\nExample:\n  $ payments-cli customers show cus_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n")
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service }) => {
        const customer = await customerById(service, id);
        const paymentMethods = (await methodsOf(service, customer.id)).map(printableMethod);
        const { colours } = context.out;
        context.out.result({ customer, paymentMethods }, () => {
          const providerIds = Object.entries(customer.providerCustomerIds).map(([provider, providerId]) => `${provider} ${providerId}`);
          const metadata = Object.entries(customer.metadata).map(([k, v]) => `${k}=${v}`).join(", ");
          const fields: Array<[string, string]> = [
            ["id", customer.id],
            ["owner", customer.owner],
            ["email", safeForTerminal(customer.email ?? "-")],
            ["name", safeForTerminal(customer.name ?? "-")],
            ["metadata", safeForTerminal(metadata || "-")],
            ["provider ids", providerIds.join(", ") || "-"],
            ["default method", customer.defaultPaymentMethodId ?? "-"],
            ["created", when(customer.createdAt)],
            ["updated", `${when(customer.updatedAt)} (version ${customer.version})`],
          ];
          if (customer.deletedAt !== null) fields.push(["deleted", colours.red(when(customer.deletedAt))]);
          return [
            renderFields(fields),
            colours.bold("Saved payment methods"),
            paymentMethods.length === 0 ? "none\n" : renderTable(methodColumns(customer, colours), paymentMethods, colours.bold),
          ].join("\n");
        });
      });
    });
}
