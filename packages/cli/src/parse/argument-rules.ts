import type { Command } from "commander";
import { type TextRule, assertAcceptableText } from "@org/payments-core";

/**
 * Every value typed on the command line passes core's acceptable-text rules before a command runs: no NUL or other
 * control characters, no lone surrogates, a bounded length, and (except in paths and cursors) no card number. This
 * is what keeps bad input from ever reaching a store (PostgreSQL refuses NUL; SQLite would store it) and keeps card
 * data out of the operator's terminal: a refusal names the flag and never repeats the value (exit 2).
 *
 * The rules per value follow the service's own limits for the same fields, so the CLI never accepts what the
 * service would refuse half-way through an operation.
 */
const IDENTIFIER: TextRule = { min: 1, max: 200, refuseCardNumbers: "identifier" };

export const ARGUMENT_RULES: Readonly<Record<string, TextRule>> = {
  // Ids and names that reach the store.
  paymentId: IDENTIFIER,
  disputeId: IDENTIFIER,
  customerId: IDENTIFIER,
  methodId: IDENTIFIER,
  customer: IDENTIFIER,
  payment: IDENTIFIER,
  owner: IDENTIFIER,
  eventId: { min: 1, max: 255, refuseCardNumbers: "identifier" },
  provider: { min: 1, max: 50, refuseCardNumbers: "identifier" },
  actor: { min: 1, max: 64, refuseCardNumbers: "identifier" },
  idempotencyKey: { min: 1, max: 255, refuseCardNumbers: "identifier" },
  reference: { min: 1, max: 600, refuseCardNumbers: "identifier" },
  // Text a person writes: recorded on refunds, in history and on skipped events.
  reason: { min: 1, max: 500, multiline: true, refuseCardNumbers: true },
  description: { max: 1000, multiline: true, refuseCardNumbers: true },
  // key=value, each side within the service's limits for metadata (64 and 500).
  metadata: { min: 1, max: 600, refuseCardNumbers: true },
  // Issued by the store and handed back unchanged; its format is the store's, so digits are not second-guessed here.
  cursor: { min: 1, max: 1000 },
  // Local files: any name the file system takes, none it would refuse with an internal error.
  db: { min: 1, max: 4096 },
  out: { min: 1, max: 4096 },
  tariff: { min: 1, max: 4096 },
  quote: { min: 1, max: 4096, refuseCardNumbers: true },
};

/** Everything else: statuses, formats, amounts, counts, durations, dates. */
export const DEFAULT_ARGUMENT_RULE: TextRule = { max: 200, refuseCardNumbers: true };

function checkValue(value: unknown, field: string, name: string): void {
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (typeof item !== "string") continue;
    assertAcceptableText(item, field, ARGUMENT_RULES[name] ?? DEFAULT_ARGUMENT_RULE);
  }
}

/**
 * Checks the arguments and option values of the command about to run and of every command above it (the global
 * `--db` and `--actor`). Throws `validation_error` naming the first bad flag, e.g. `--reason must not contain NUL…`.
 */
export function checkCommandArguments(command: Command): void {
  for (let current: Command | null = command; current; current = current.parent) {
    const values = current.opts<Record<string, unknown>>();
    for (const option of current.options) {
      const name = option.attributeName();
      checkValue(values[name], option.long ?? option.short ?? name, name);
    }
  }
  command.registeredArguments.forEach((argument, index) => {
    checkValue(command.processedArgs[index], `<${argument.name()}>`, argument.name());
  });
}
