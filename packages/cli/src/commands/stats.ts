import type { Command } from "commander";
import { type CurrencyTotals, type DisputeCurrencyTotals, type MinorUnitsTotal, currencyExponent } from "@org/payments-core";
import { renderTable } from "../output/table.js";
import { parseWindow } from "../parse/date.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

/**
 * A total for people, exactly: `"18014398509481982"` USD → "USD 180,143,985,094,819.82". Totals are decimal strings
 * (a sum can pass 2^53), so this works on the digits, never through a number; the layout is `formatMoney`'s.
 */
export function formatTotal(total: MinorUnitsTotal, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = total.startsWith("-");
  const digits = (negative ? total.slice(1) : total).padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = exponent === 0 ? "" : `.${digits.slice(digits.length - exponent)}`;
  return `${negative ? "-" : ""}${currency.toUpperCase()} ${whole}${fraction}`;
}

export function registerStats(program: Command, session: CliSession): void {
  program
    .command("stats")
    .description("counts by status and provider; captured, refunded and net revenue per currency; disputes opened and their outcome")
    .option("--since <date>", "created at or after: 2026-03-01, an ISO time, or a duration ago (30d)")
    .option("--until <date>", "created before")
    .addHelpText("after", "\nExample:\n  $ payments-cli stats --since 30d\n")
    .action(async (options: { since?: string; until?: string }, command: Command) => {
      const context = contextFor(command, session);
      const window = parseWindow(options, context.now);
      const filter = {
        createdFrom: window.since?.toISOString(),
        createdTo: window.until?.toISOString(),
      };
      await withRuntime(context, async ({ service }) => {
        const stats = await service.stats(filter);
        const bold = context.out.colours.bold;
        context.out.result(stats, () => {
          const counts = (title: string, record: Record<string, number>) =>
            renderTable(
              [
                { header: title, value: (r: [string, number]) => r[0] },
                { header: "COUNT", value: (r) => String(r[1]), align: "right" },
              ],
              Object.entries(record).sort(([a], [b]) => a.localeCompare(b)),
              bold,
            );
          const revenue = renderTable(
            [
              { header: "CURRENCY", value: (r: CurrencyTotals) => r.currency },
              { header: "PAYMENTS", value: (r) => String(r.count), align: "right" },
              { header: "CAPTURED", value: (r) => formatTotal(r.captured, r.currency), align: "right" },
              { header: "REFUNDED", value: (r) => formatTotal(r.refunded, r.currency), align: "right" },
              { header: "NET", value: (r) => formatTotal(r.netRevenue, r.currency), align: "right" },
            ],
            stats.byCurrency,
            bold,
          );
          // Disputes opened in the window (they come weeks after their payments, so not only those payments' disputes).
          const { disputes } = stats;
          const disputed =
            disputes.byCurrency.length === 0
              ? "no disputes\n"
              : [
                  counts("DISPUTE STATUS", disputes.byStatus),
                  renderTable(
                    [
                      { header: "CURRENCY", value: (r: DisputeCurrencyTotals) => r.currency },
                      { header: "DISPUTES", value: (r) => String(r.count), align: "right" },
                      { header: "DISPUTED", value: (r) => formatTotal(r.disputed, r.currency), align: "right" },
                      { header: "OPEN", value: (r) => formatTotal(r.open, r.currency), align: "right" },
                      { header: "WON", value: (r) => formatTotal(r.won, r.currency), align: "right" },
                      { header: "LOST", value: (r) => formatTotal(r.lost, r.currency), align: "right" },
                    ],
                    disputes.byCurrency,
                    bold,
                  ),
                ].join("\n");
          return [counts("STATUS", stats.byStatus), counts("PROVIDER", stats.byProvider), revenue, disputed].join("\n");
        });
      });
    });
}
