import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { ReceiptFormat } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

const FORMATS: readonly ReceiptFormat[] = ["text", "json", "html"];

export function registerReceipt(program: Command, session: CliSession): void {
  program
    .command("receipt")
    .description("render a payment's receipt as text, JSON or a self-contained HTML page")
    .argument("<paymentId>", "the payment (pay_…)")
    .option("--format <format>", "text, json or html (default: text; json with --json)")
    .option("--out <file>", "write to this file instead of stdout")
    .addHelpText("after", "\nExamples:\n  $ payments-cli receipt pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n  $ payments-cli receipt pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --format html --out receipt.html\n")
    .action(async (paymentId: string, options: { format?: string; out?: string }, command: Command) => {
      const context = contextFor(command, session);
      const format = (options.format ?? (context.out.json ? "json" : "text")) as ReceiptFormat;
      if (!FORMATS.includes(format)) {
        throw new CliError("invalid_format", `unknown receipt format ${quoteValue(format)}`, EXIT.usage, "use --format text, json or html");
      }
      await withRuntime(context, async ({ service }) => {
        const receipt = await service.getReceipt(paymentId);
        const rendered = await service.renderReceipt(paymentId, format);
        if (options.out === undefined) {
          session.stdout.write(rendered.endsWith("\n") ? rendered : `${rendered}\n`);
          return;
        }
        const out = resolve(options.out);
        await writeFile(out, rendered);
        context.out.result({ paymentId, receiptNumber: receipt.number, format, out }, () => `wrote receipt ${receipt.number} (${format}) to ${out}\n`);
      });
    });
}
