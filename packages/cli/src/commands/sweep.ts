import type { Command } from "commander";
import { MAX_PAGE_LIMIT, type Payment, PaymentError } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { money, when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { formatDuration, parseDuration } from "../parse/duration.js";
import { confirm } from "../prompt/confirm.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { waitWhileHeldElsewhere } from "../runtime/wait-for-lock.js";

interface SweepRow {
  payment: Payment;
  expiresInMs: number;
  result?: string;
}

function remaining(ms: number): string {
  return ms <= 0 ? `expired ${formatDuration(Math.ceil(-ms / 60_000) * 60_000)} ago` : `in ${formatDuration(Math.ceil(ms / 60_000) * 60_000)}`;
}

export function registerSweep(program: Command, session: CliSession): void {
  program
    .command("sweep")
    .description("authorizations near or past expiry; --apply cancels them, releasing the customer's funds")
    .option("--within <duration>", "expiring within this long (expired ones are always included)", "24h")
    .option("--apply", "cancel them at the provider (asks first unless --yes)")
    .option("-y, --yes", "do not ask for confirmation (scripts)")
    .addHelpText("after", "\nExamples:\n  $ payments-cli sweep --within 48h\n  $ payments-cli sweep --apply --yes --json\n")
    .action(async (options: { within: string; apply?: boolean; yes?: boolean }, command: Command) => {
      const context = contextFor(command, session);
      const withinMs = parseDuration(options.within, "--within");
      await withRuntime(context, async ({ service, store, operator, lockTimeoutMs }) => {
        const now = context.now.getTime();
        const rows: SweepRow[] = [];
        let cursor: string | undefined;
        do {
          const page = await service.listPayments(
            { status: "authorized", authorizationExpiresBefore: new Date(now + withinMs).toISOString() },
            // The largest page every store serves: fewer round trips while collecting them all.
            { limit: MAX_PAGE_LIMIT, cursor },
          );
          for (const payment of page.items) {
            rows.push({ payment, expiresInMs: Date.parse(payment.authorizationExpiresAt ?? new Date(now).toISOString()) - now });
          }
          cursor = page.nextCursor ?? undefined;
          context.out.progress(`found ${rows.length}…`);
        } while (cursor);
        rows.sort((a, b) => a.expiresInMs - b.expiresInMs);

        let failures = 0;
        let providerUnavailable = 0;
        let interrupted: CliError | undefined;
        if (options.apply && rows.length > 0) {
          context.out.note(`${rows.length} authorization(s) will be canceled and their funds released.`);
          if (!options.yes && !(await confirm(`Cancel ${rows.length} authorization(s)?`, session.stdin, session.stderr))) {
            throw new CliError("aborted", "not confirmed: nothing was canceled", EXIT.aborted, "answer y, or pass --yes in scripts");
          }
          let done = 0;
          for (const row of rows) {
            if (interrupted) {
              row.result = "not attempted (stopped)";
              continue;
            }
            context.out.progress(`canceling ${++done}/${rows.length}`);
            const key = `cli-sweep-cancel:${row.payment.id}`;
            try {
              const result = await waitWhileHeldElsewhere(
                () =>
                  service.cancelPayment(row.payment.id, { reason: "authorization expiring (sweep)" }, { scope: operator.scope, idempotencyKey: key, actor: operator.actor }),
                { store, scope: operator.scope, key, lockTimeoutMs, out: context.out, what: `the cancel of ${row.payment.id}` },
              );
              row.result = result.replayed ? "canceled (replayed)" : "canceled";
            } catch (error) {
              // SIGINT/SIGTERM: the cancel in flight finished; the rest are left for a re-run, and the table says so.
              if (error instanceof CliError && error.code === "interrupted") {
                interrupted = error;
                row.result = "not attempted (stopped)";
                continue;
              }
              failures++;
              // An unknown outcome or a provider outage is worth re-running later (exit 8), not a hard error.
              if (error instanceof PaymentError && error.code.startsWith("gateway_")) providerUnavailable++;
              row.result = `failed: ${error instanceof PaymentError ? error.code : "internal"}`;
            }
          }
        }
        const columns: Array<Column<SweepRow>> = [
          { header: "PAYMENT", value: (r) => r.payment.id },
          { header: "AMOUNT", value: (r) => money(r.payment.amount, r.payment.currency), align: "right" },
          { header: "PROVIDER", value: (r) => r.payment.provider },
          { header: "EXPIRES", value: (r) => when(r.payment.authorizationExpiresAt) },
          { header: "LEFT", value: (r) => remaining(r.expiresInMs) },
          ...(options.apply ? [{ header: "RESULT", value: (r: SweepRow) => r.result ?? "-" }] : []),
        ];
        const json = rows.map((r) => ({
          paymentId: r.payment.id,
          amount: r.payment.amount,
          currency: r.payment.currency,
          provider: r.payment.provider,
          authorizationExpiresAt: r.payment.authorizationExpiresAt,
          expired: r.expiresInMs <= 0,
          result: r.result ?? null,
        }));
        context.out.result({ within: options.within, apply: options.apply === true, authorizations: json }, () => {
          if (rows.length === 0) return `no authorizations expire within ${options.within}\n`;
          const tail = options.apply ? "" : "dry run: re-run with --apply to cancel them\n";
          return `${renderTable(columns, rows, context.out.colours.bold)}${tail}`;
        });
        if (interrupted) return interrupted.exitCode;
        if (failures === 0) return EXIT.ok;
        return providerUnavailable === failures ? EXIT.gatewayUnavailable : EXIT.error;
      });
    });
}
