import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type FareQuote, type LineItem, parseTariff, quoteCancellation, quoteFare, type Tariff } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { money } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import type { Output } from "../output/output.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor } from "../runtime/session.js";

/** Reads and validates a tariff file (the same zod schema the service uses). Fares need no database. */
async function loadTariff(file: string): Promise<Tariff> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CliError("not_found", `cannot read tariff file ${file}`, EXIT.notFound, "pass --tariff <file.json> with a readable file");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError("invalid_tariff", `${file} is not JSON: ${(error as Error).message}`, EXIT.usage, "see `payments-cli fare quote --help` for the format");
  }
  return parseTariff(json);
}

function printQuote(out: Output, quote: FareQuote): void {
  const columns: Array<Column<LineItem>> = [
    { header: "LINE", value: (l) => l.description },
    { header: "AMOUNT", value: (l) => money(l.amount, quote.currency), align: "right" },
  ];
  out.result(quote, () => `${renderTable(columns, quote.lines, out.colours.bold)}${out.colours.bold(`Total ${money(quote.total, quote.currency)}`)}\n`);
}

const TARIFF_HELP = `
The tariff file is JSON, amounts in minor units, rates as decimal strings:
  { "name": "city", "currency": "EUR", "baseFare": 250, "perKm": 120, "perMinute": 30,
    "minimumFare": 700, "bookingFee": 100, "cancellationFee": 500, "taxRate": "0.10", "maxSurge": "2.5" }
`;

export function registerFare(program: Command, session: CliSession): void {
  const fare = program.command("fare").description("quote fares from a tariff file (no database needed)");
  fare
    .command("quote")
    .description("itemized fare for a ride: base, distance, time, minimum, booking fee, tax")
    .requiredOption("--tariff <file.json>", "the tariff")
    .requiredOption("--distance-m <metres>", "distance in whole metres")
    .requiredOption("--seconds <seconds>", "duration in whole seconds")
    .option("--surge <multiplier>", 'exact decimal between 1 and the tariff\'s maxSurge, e.g. "1.5"')
    .addHelpText("after", `\nExample:\n  $ payments-cli fare quote --tariff tariff.json --distance-m 12500 --seconds 1260 --surge 1.5\n${TARIFF_HELP}`)
    .action(async (options: { tariff: string; distanceM: string; seconds: string; surge?: string }, command: Command) => {
      const context = contextFor(command, session);
      const tariff = await loadTariff(options.tariff);
      const quote = quoteFare(tariff, {
        distanceMeters: parseCount(options.distanceM, "--distance-m"),
        durationSeconds: parseCount(options.seconds, "--seconds"),
        surge: options.surge,
      });
      printQuote(context.out, quote);
    });
  fare
    .command("cancel")
    .description("the cancellation fee of a tariff, with tax")
    .requiredOption("--tariff <file.json>", "the tariff")
    .addHelpText("after", `\nExample:\n  $ payments-cli fare cancel --tariff tariff.json\n${TARIFF_HELP}`)
    .action(async (options: { tariff: string }, command: Command) => {
      const context = contextFor(command, session);
      printQuote(context.out, quoteCancellation(await loadTariff(options.tariff)));
    });
}
