import { createHash } from "node:crypto";
import type { Command } from "commander";
import {
  type IdempotencyRecord,
  PaymentError,
  assertRefundable,
  parseMajorUnits,
  refundableAmount,
  requestFingerprint,
  type PaymentStore,
} from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";
import { money } from "../output/format.js";
import { renderFields } from "../output/table.js";
import { confirm } from "../prompt/confirm.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { waitWhileHeldElsewhere } from "../runtime/wait-for-lock.js";

interface RefundOptions {
  reason: string;
  amount?: string;
  idempotencyKey?: string;
  yes?: boolean;
}

/**
 * The key a refund gets without --idempotency-key: the same payment, amount and reason give the same key, so an
 * operator who re-runs the command after a crash or a timeout resumes or replays the first refund instead of making
 * a second one. The reason is hashed to keep the key short and free of whatever the operator typed.
 */
export function deriveRefundKey(paymentId: string, amount: number, reason: string): string {
  const digest = createHash("sha256").update(reason).digest("hex").slice(0, 16);
  return `cli-refund:${paymentId}:${amount}:${digest}`;
}

async function recordOf(store: PaymentStore, scope: string, key: string) {
  return store.transaction((tx) => tx.getIdempotencyRecord(scope, key));
}

/**
 * Whether `record` was made by this very request: the service's refund operation over the same parameters (it
 * fingerprints `{ paymentId, amount, reason }`, the reason trimmed). Asked before saying "replaying" or "resuming",
 * so that a key reused for another amount is reported as that, first.
 */
function madeByThisRequest(record: IdempotencyRecord, paymentId: string, amount: number, reason: string): boolean {
  return record.operation === "payment.refund" && record.fingerprint === requestFingerprint("payment.refund", { paymentId, amount, reason });
}

export function registerRefund(program: Command, session: CliSession): void {
  program
    .command("refund")
    .description("refund all or part of a captured payment; shows what remains and asks before moving money")
    .argument("<paymentId>", "the payment to refund (pay_…)")
    .requiredOption("--reason <text>", "why (recorded on the refund and in the payment's history)")
    .option("--amount <major>", 'in major units of the payment\'s currency, e.g. "10.50"; default: all that is still refundable')
    .option("--idempotency-key <key>", "default: derived from payment, amount and reason, so a re-run never refunds twice")
    .option("-y, --yes", "do not ask for confirmation (scripts)")
    .addHelpText(
      "after",
      '\nExamples:\n  $ payments-cli refund pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --amount 10.00 --reason "late pickup"\n  $ payments-cli refund pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --reason "trip canceled" --yes --json\n',
    )
    .action(async (paymentId: string, options: RefundOptions, command: Command) => {
      const context = contextFor(command, session);
      const reason = options.reason.trim();
      if (reason === "") throw new CliError("invalid_reason", "--reason is empty", EXIT.usage, 'say why, e.g. --reason "late pickup"');
      await withRuntime(context, async ({ service, store, operator, lockTimeoutMs }) => {
        const payment = await service.getPayment(paymentId);
        const c = payment.currency;
        const refundable = refundableAmount(payment);
        let amount: number;
        if (options.amount !== undefined) {
          amount = parseMajorUnits(options.amount, c);
          if (amount <= 0) throw new PaymentError("invalid_amount", `--amount must be positive, not ${quoteValue(options.amount)}`);
        } else {
          // A full refund of ours that was interrupted holds its amount as a reservation, so "what is refundable" is now
          // less: find it by the key it was made under and resume it instead of calling the payment refunded.
          amount = refundable;
          for (const refund of await store.listRefunds(paymentId)) {
            if (refund.status !== "pending" || refund.reason !== reason) continue;
            if (await recordOf(store, operator.scope, deriveRefundKey(paymentId, refund.amount, reason))) amount = refund.amount;
          }
        }
        const key = options.idempotencyKey ?? deriveRefundKey(paymentId, amount, reason);
        const record = await recordOf(store, operator.scope, key);
        if (record && !madeByThisRequest(record, paymentId, amount, reason)) {
          throw new PaymentError(
            "idempotency_key_reused",
            `key ${key} was already used for a different request (another payment, amount or reason); nothing was done`,
            { details: { idempotencyKey: key } },
          );
        }
        if (record) {
          context.out.note(
            record.recoveryPoint === "finished"
              ? `this refund was already made under key ${key}: replaying its result, no money moves`
              : `resuming an interrupted refund under key ${key}; the provider sees the same request, so it refunds at most once`,
          );
        } else {
          // Core's own ceiling check, before the prompt: an operator is never asked to confirm a refund the service
          // would refuse, and the refusal reads the same as the service's.
          assertRefundable(payment, amount);
          context.out.note(
            `Refund ${money(amount, c)} of payment ${paymentId} (owner ${payment.owner})\n` +
              renderFields([
                ["  captured", money(payment.amountCaptured, c)],
                ["  refunded", money(payment.amountRefunded, c)],
                ["  refundable", `${money(refundable, c)} now, ${money(refundable - amount, c)} after this refund`],
                ["  reason", JSON.stringify(reason)],
                ["  key", `${key} (${operator.scope})`],
              ]).trimEnd(),
          );
          if (!options.yes && !(await confirm(`Move ${money(amount, c)} back to the customer?`, session.stdin, session.stderr))) {
            throw new CliError("aborted", "not confirmed: nothing was refunded", EXIT.aborted, "answer y to refund, or pass --yes in scripts");
          }
        }
        const result = await waitWhileHeldElsewhere(
          () => service.refundPayment(paymentId, { amount, reason }, { scope: operator.scope, idempotencyKey: key, actor: operator.actor }),
          { store, scope: operator.scope, key, lockTimeoutMs, out: context.out, what: `the refund of ${paymentId}` },
        );
        const left = refundableAmount(result.payment);
        context.out.result({ ...result, idempotencyKey: key, refundable: left }, () => {
          const head =
            result.refund.status === "failed"
              ? `refund ${result.refund.id} of ${money(result.refund.amount, c)} FAILED at the provider: ${result.refund.failure?.message ?? "no reason given"}`
              : `refunded ${money(result.refund.amount, c)} on ${paymentId} (${result.refund.id}, ${result.refund.status}); payment is ${result.payment.status}`;
          const replay = result.replayed ? "\nreplayed: an earlier run already made this refund; no money moved now" : "";
          return `${head}\n${money(left, c)} still refundable${replay}\n`;
        });
        return result.refund.status === "failed" ? EXIT.error : EXIT.ok;
      });
    });
}
