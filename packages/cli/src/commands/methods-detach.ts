import type { Command } from "commander";
import { type IdempotencyRecord, PaymentError, type PaymentService, type SavedPaymentMethod, requestFingerprint } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { when } from "../output/format.js";
import { describeMethod, printableMethod } from "../output/saved-methods.js";
import { renderFields } from "../output/table.js";
import { confirm } from "../prompt/confirm.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { waitWhileHeldElsewhere } from "../runtime/wait-for-lock.js";
import { customerById, methodById } from "./customer-lookup.js";

interface DetachOptions {
  idempotencyKey?: string;
  yes?: boolean;
}

/** The service's operation name for a detach, as its idempotency records hold it. */
const OPERATION = "payment_method.detach";

/**
 * The key a detach gets without --idempotency-key: one per method, so a re-run after a crash or a timeout resumes
 * the first detach (the provider's removal is re-sent until it is done) or replays its result, never a second one.
 */
export function deriveDetachKey(methodId: string, retryOfVersion?: number): string {
  return retryOfVersion === undefined ? `cli-detach:${methodId}` : `cli-detach:${methodId}:v${retryOfVersion}`;
}

/** Whether `record` was made by this very request: the service's detach of the same method. */
function madeByThisRequest(record: IdempotencyRecord, methodId: string): boolean {
  return record.operation === OPERATION && record.fingerprint === requestFingerprint(OPERATION, { methodId });
}

/**
 * The provider the method was saved at, configured here and able to detach: refused before the prompt, as the
 * service would refuse it (the same codes and messages), so an operator is never asked to confirm what cannot run.
 */
function assertProviderCanDetach(service: PaymentService, method: SavedPaymentMethod): void {
  const gateway = service.gatewayFor(method.provider);
  if (!gateway.capabilities.savedPaymentMethods || !gateway.detachPaymentMethod) {
    throw new PaymentError("validation_error", `${gateway.provider} does not save payment methods`, { details: { provider: gateway.provider } });
  }
}

function expiry(method: SavedPaymentMethod): string {
  return method.expMonth === null || method.expYear === null ? "" : `, expires ${String(method.expMonth).padStart(2, "0")}/${method.expYear}`;
}

export function registerMethodsDetach(methods: Command, session: CliSession): void {
  methods
    .command("detach")
    .description("detach a saved payment method, here and at its provider; asks first")
    .argument("<methodId>", "the saved payment method (spm_…)")
    .option("--idempotency-key <key>", "default: derived from the method, so a re-run never detaches twice")
    .option("-y, --yes", "do not ask for confirmation (scripts)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli methods detach spm_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n  $ payments-cli methods detach spm_01JQ7Z8M4W6F3T9B2K5N0XR1AD --yes --json\n",
    )
    .action(async (methodId: string, options: DetachOptions, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service, store, operator, lockTimeoutMs }) => {
        const method = await methodById(service, methodId);
        const customer = await customerById(service, method.customerId);
        let key = options.idempotencyKey ?? deriveDetachKey(method.id);
        let record = await store.transaction((tx) => tx.getIdempotencyRecord(operator.scope, key));
        // The provider refused the last detach: the method stays detaching, and this run is a new request that sends
        // the removal again (under the old key it would only replay the refusal).
        if (options.idempotencyKey === undefined && record?.recoveryPoint === "finished" && record.outcome?.ok === false && method.status === "detaching") {
          key = deriveDetachKey(method.id, method.version);
          record = await store.transaction((tx) => tx.getIdempotencyRecord(operator.scope, key));
        }
        if (record && !madeByThisRequest(record, method.id)) {
          throw new PaymentError("idempotency_key_reused", `key ${key} was already used for a different request; nothing was done`, {
            details: { idempotencyKey: key },
          });
        }
        const card = `${describeMethod(method)}${expiry(method)}`;
        if (!record && method.status === "detached") {
          // Detached before (by the customer, with its customer, or by another key): nothing to do, nothing written.
          context.out.result({ paymentMethod: printableMethod(method), replayed: false, alreadyDetached: true, idempotencyKey: null, wasDefault: false }, () =>
            `payment method ${method.id} (${card}) of customer ${customer.id} was already detached (${when(method.updatedAt)}); nothing was done\n`,
          );
          return EXIT.ok;
        }
        assertProviderCanDetach(service, method);
        const wasDefault = customer.defaultPaymentMethodId === method.id;
        if (record) {
          context.out.note(
            record.recoveryPoint === "finished"
              ? `this detach was already made under key ${key}: replaying its result`
              : `resuming an interrupted detach under key ${key}; the provider's removal is re-sent until it is done`,
          );
        } else {
          context.out.note(
            `Detach payment method ${method.id} (${card}) of customer ${customer.id} (owner ${customer.owner})\n` +
              renderFields([
                ["  status", method.status],
                ["  provider", `${method.provider} ${method.providerPaymentMethodId ?? "(not saved there)"}`],
                ["  default", wasDefault ? "yes: the customer will have no default method" : "no"],
                ["  key", `${key} (${operator.scope})`],
              ]).trimEnd(),
          );
          if (!options.yes && !(await confirm("Detach it? No off-session charge can use it afterwards.", session.stdin, session.stderr))) {
            throw new CliError("aborted", "not confirmed: nothing was detached", EXIT.aborted, "answer y to detach, or pass --yes in scripts");
          }
        }
        let result;
        try {
          result = await waitWhileHeldElsewhere(
            () => service.detachPaymentMethod(method.id, { scope: operator.scope, idempotencyKey: key, actor: operator.actor }),
            { store, scope: operator.scope, key, lockTimeoutMs, out: context.out, what: `the detach of ${method.id}` },
          );
        } catch (error) {
          // Detached here comes first: say so, since the error alone reads as if nothing happened.
          const now = await store.getSavedPaymentMethod(method.id);
          if (now?.status === "detaching") {
            context.out.note(`${method.id} is detached here (no charge can use it); its removal at ${method.provider} did not finish: re-run this command to finish it`);
          }
          throw error;
        }
        const detached = result.paymentMethod;
        context.out.result({ paymentMethod: printableMethod(detached), replayed: result.replayed, alreadyDetached: false, idempotencyKey: key, wasDefault }, () => {
          const atProvider =
            detached.providerPaymentMethodId === null
              ? `nothing to remove at ${detached.provider} (it never saved it)`
              : `removed at ${detached.provider} (${detached.providerPaymentMethodId})`;
          const lines = [`detached ${detached.id} (${card}) of customer ${customer.id}; ${atProvider}`];
          if (wasDefault) lines.push(`it was the default: ${customer.id} has no default method now`);
          if (result.replayed) lines.push("replayed: an earlier run already detached it; nothing was sent now");
          return `${lines.join("\n")}\n`;
        });
      });
    });
}
