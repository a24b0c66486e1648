import type { Command } from "commander";
import { methodColumns, printableMethod } from "../output/saved-methods.js";
import { renderTable } from "../output/table.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { customerById, methodsOf } from "./customer-lookup.js";

export function registerMethodsList(methods: Command, session: CliSession): void {
  methods
    .command("list")
    .description("a customer's saved payment methods, oldest first, detached ones included")
    .requiredOption("--customer <id>", "the customer (cus_…)")
    .addHelpText("after", "\nExample:\n  $ payments-cli methods list --customer cus_01JQ7Z8M4W6F3T9B2K5N0XR1AD --json\n")
    .action(async (options: { customer: string }, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service }) => {
        const customer = await customerById(service, options.customer);
        const items = (await methodsOf(service, customer.id)).map(printableMethod);
        const { colours } = context.out;
        // The default is named beside the list, so a script need not read the customer to know which one it is.
        const body = { customerId: customer.id, defaultPaymentMethodId: customer.defaultPaymentMethodId, items };
        context.out.result(body, () => `${renderTable(methodColumns(customer, colours), items, colours.bold)}${colours.dim(`${items.length} shown\n`)}`);
      });
    });
}
