import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type FareQuote, type Payment, type PaymentEdits, type UpdatePaymentInput, assertEditable, changedFields, normalizeCurrency, parseMajorUnits } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { money } from "../output/format.js";
import { renderFields } from "../output/table.js";
import { confirm } from "../prompt/confirm.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { waitWhileHeldElsewhere } from "../runtime/wait-for-lock.js";

interface UpdateOptions {
  amount?: string;
  currency?: string;
  quote?: string;
  description?: string;
  clearDescription?: boolean;
  metadata: string[];
  unsetMetadata: string[];
  reference: string[];
  unsetReference: string[];
  customerId?: string;
  customerEmail?: string;
  idempotencyKey?: string;
  yes?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The key an update gets without --idempotency-key: the same payment and the same changes give the same key, so an
 * operator who re-runs the command after a crash replays the first update instead of stacking a second one. The
 * changes are hashed to keep the key short and free of whatever was typed.
 */
export function deriveUpdateKey(paymentId: string, changes: UpdatePaymentInput): string {
  const digest = createHash("sha256").update(JSON.stringify(changes)).digest("hex").slice(0, 16);
  return `cli-update:${paymentId}:${digest}`;
}

/** `key=value` (split at the first `=`) into a merge patch; `--unset-…` keys become null (removed). */
function recordPatch(flag: string, pairs: readonly string[], unset: readonly string[]): Record<string, string | null> | undefined {
  if (pairs.length === 0 && unset.length === 0) return undefined;
  const patch: Record<string, string | null> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new CliError("validation_error", `${flag} takes key=value`, EXIT.usage, `e.g. ${flag} seat=12A`);
    patch[pair.slice(0, at)] = pair.slice(at + 1);
  }
  for (const key of unset) patch[key] = null;
  return patch;
}

/** A fare quote as `payments-cli fare quote --json` prints it: its total, currency and lines become the new price. */
async function loadQuote(file: string): Promise<Pick<FareQuote, "total" | "currency" | "lines">> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CliError("not_found", `cannot read quote file ${file}`, EXIT.notFound, "pass --quote <file.json> written by `payments-cli fare quote --json`");
  }
  let quote: Partial<FareQuote>;
  try {
    quote = JSON.parse(text) as Partial<FareQuote>;
  } catch {
    throw new CliError("validation_error", `--quote ${file} is not JSON`, EXIT.usage, "write it with `payments-cli fare quote --json > quote.json`");
  }
  if (typeof quote !== "object" || quote === null || typeof quote.currency !== "string" || !Array.isArray(quote.lines) || quote.total === undefined) {
    throw new CliError("validation_error", `--quote ${file} is not a fare quote (total, currency, lines)`, EXIT.usage, "write it with `payments-cli fare quote --json > quote.json`");
  }
  return { total: quote.total, currency: quote.currency, lines: quote.lines };
}

/** The service's input from the flags; amounts typed in major units of the new (or current) currency. */
async function changesFrom(options: UpdateOptions, payment: Payment): Promise<UpdatePaymentInput> {
  const changes: UpdatePaymentInput = {};
  if (options.quote !== undefined) {
    if (options.amount !== undefined || options.currency !== undefined) {
      throw new CliError("validation_error", "--quote sets the amount and currency: pass it without --amount and --currency", EXIT.usage, "drop --amount/--currency");
    }
    const quote = await loadQuote(options.quote);
    Object.assign(changes, { amount: quote.total, currency: quote.currency, lineItems: quote.lines });
  }
  if (options.currency !== undefined) changes.currency = normalizeCurrency(options.currency);
  if (options.amount !== undefined) changes.amount = parseMajorUnits(options.amount, changes.currency ?? payment.currency);
  if (options.description !== undefined && options.clearDescription) {
    throw new CliError("validation_error", "--description and --clear-description exclude each other", EXIT.usage, "pass one of them");
  }
  if (options.description !== undefined) changes.description = options.description;
  if (options.clearDescription) changes.description = null;
  const metadata = recordPatch("--metadata", options.metadata, options.unsetMetadata);
  if (metadata) changes.metadata = metadata;
  const references = recordPatch("--reference", options.reference, options.unsetReference);
  if (references) changes.references = references;
  if (options.customerId !== undefined) changes.customerId = options.customerId;
  if (options.customerEmail !== undefined) changes.customerEmail = options.customerEmail;
  return changes;
}

/** A merge patch applied, to tell whether it changes anything. */
function patched(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/**
 * Core's own rule of what may still change, before the prompt: an operator is never asked to confirm an update the
 * service would refuse, and the refusal reads the same as the service's.
 */
function assertServiceWouldAccept(payment: Payment, changes: UpdatePaymentInput): void {
  const { metadata, references, ...fields } = changes;
  const edits: PaymentEdits = { ...(fields as PaymentEdits) };
  if (metadata) edits.metadata = patched(payment.metadata, metadata as Record<string, string | null>);
  if (references) edits.references = patched(payment.references, references as Record<string, string | null>);
  assertEditable(payment, changedFields(payment, edits));
}

/** What the operator is asked to confirm: the fields that would change, and the price before and after. */
function describeChanges(payment: Payment, changes: UpdatePaymentInput): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (changes.amount !== undefined || changes.currency !== undefined) {
    const after = money(changes.amount ?? payment.amount, changes.currency ?? payment.currency);
    rows.push(["  price", `${money(payment.amount, payment.currency)} → ${after}${changes.lineItems ? ` (${changes.lineItems.length} lines)` : ""}`]);
  }
  if (changes.description !== undefined) rows.push(["  description", changes.description === null ? "cleared" : JSON.stringify(changes.description)]);
  for (const field of ["metadata", "references"] as const) {
    const patch = changes[field];
    if (!patch) continue;
    const entries = Object.entries(patch).map(([k, v]) => (v === null ? `-${k}` : `${k}=${v}`));
    rows.push([`  ${field}`, entries.join(", ")]);
  }
  if (changes.customerId !== undefined) rows.push(["  customer id", changes.customerId ?? "cleared"]);
  if (changes.customerEmail !== undefined) rows.push(["  customer email", changes.customerEmail ?? "cleared"]);
  return rows;
}

export function registerPaymentsUpdate(payments: Command, session: CliSession): void {
  payments
    .command("update")
    .description("change a payment: before confirmation its price, description, metadata, references, customer; after it only description and metadata")
    .argument("<paymentId>", "the payment to change (pay_…)")
    .option("--amount <major>", 'new amount in major units, e.g. "31.00" (only before confirmation)')
    .option("--currency <code>", "new ISO 4217 currency (only before confirmation)")
    .option("--quote <file.json>", "a new fare quote (`payments-cli fare quote --json`): its total, currency and lines become the price")
    .option("--description <text>", "new description")
    .option("--clear-description", "remove the description")
    .option("--metadata <key=value>", "set a metadata key (repeatable)", collect, [])
    .option("--unset-metadata <key>", "remove a metadata key (repeatable)", collect, [])
    .option("--reference <key=value>", "set a reference, e.g. booking=BK-1 (repeatable; only before confirmation)", collect, [])
    .option("--unset-reference <key>", "remove a reference (repeatable; only before confirmation)", collect, [])
    .option("--customer-id <id>", "the provider's customer id (only before confirmation)")
    .option("--customer-email <email>", "the customer's e-mail (only before confirmation)")
    .option("--idempotency-key <key>", "default: derived from payment and changes, so a re-run never applies them twice")
    .option("-y, --yes", "do not ask for confirmation (scripts)")
    .addHelpText(
      "after",
      '\nExamples:\n  $ payments-cli payments update pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --description "seat 12A" --metadata desk=Z --unset-metadata draft\n  $ payments-cli payments update pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --quote quote.json --yes --json\n',
    )
    .action(async (paymentId: string, options: UpdateOptions, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service, store, operator, lockTimeoutMs }) => {
        const payment = await service.getPayment(paymentId);
        const changes = await changesFrom(options, payment);
        if (Object.keys(changes).length === 0) {
          throw new CliError("validation_error", "nothing to change", EXIT.usage, "pass at least one of --amount, --quote, --description, --metadata, … (see --help)");
        }
        assertServiceWouldAccept(payment, changes);
        const key = options.idempotencyKey ?? deriveUpdateKey(paymentId, changes);
        context.out.note(
          `Update payment ${paymentId} (${payment.status}, owner ${payment.owner})\n` +
            renderFields([...describeChanges(payment, changes), ["  key", `${key} (${operator.scope})`]]).trimEnd(),
        );
        if (!options.yes && !(await confirm("Apply these changes?", session.stdin, session.stderr))) {
          throw new CliError("aborted", "not confirmed: nothing was changed", EXIT.aborted, "answer y to apply, or pass --yes in scripts");
        }
        const result = await waitWhileHeldElsewhere(
          () => service.updatePayment(paymentId, changes, { scope: operator.scope, idempotencyKey: key, actor: operator.actor }),
          { store, scope: operator.scope, key, lockTimeoutMs, out: context.out, what: `the update of ${paymentId}` },
        );
        context.out.result({ ...result, idempotencyKey: key }, () => {
          const replay = result.replayed ? "\nreplayed: an earlier run already made this update; nothing changed now" : "";
          return `updated ${paymentId}: ${money(result.payment.amount, result.payment.currency)}, ${result.payment.status}, version ${result.payment.version}${replay}\n`;
        });
        return EXIT.ok;
      });
    });
}
