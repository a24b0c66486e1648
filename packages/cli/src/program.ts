import { Command } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { registerCustomersList } from "./commands/customers-list.js";
import { registerCustomersShow } from "./commands/customers-show.js";
import { registerDisputesList } from "./commands/disputes-list.js";
import { registerDisputesShow } from "./commands/disputes-show.js";
import { registerEventsDispatch } from "./commands/events-dispatch.js";
import { registerEventsList } from "./commands/events-list.js";
import { registerEventsOperate } from "./commands/events-operate.js";
import { registerFare } from "./commands/fare.js";
import { registerMethodsDetach } from "./commands/methods-detach.js";
import { registerMethodsList } from "./commands/methods-list.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerMetricsServe } from "./commands/metrics-serve.js";
import { registerPaymentsList } from "./commands/payments-list.js";
import { registerPaymentsShow } from "./commands/payments-show.js";
import { registerPaymentsUpdate } from "./commands/payments-update.js";
import { registerPurge } from "./commands/purge.js";
import { registerReceipt } from "./commands/receipt.js";
import { registerReconcile } from "./commands/reconcile.js";
import { registerRecover } from "./commands/recover.js";
import { registerRefund } from "./commands/refund.js";
import { registerStats } from "./commands/stats.js";
import { registerSweep } from "./commands/sweep.js";
import { registerWebhooksList } from "./commands/webhooks-list.js";
import { registerWebhooksReplay } from "./commands/webhooks-replay.js";
import { registerWebhooksShow } from "./commands/webhooks-show.js";
import { checkCommandArguments } from "./parse/argument-rules.js";
import type { CliSession } from "./runtime/session.js";

const ENVIRONMENT_HELP = `
Environment:
  PAYMENTS_DATABASE_URL      database (default ./payments.db; or postgres://…?schema=…); --db wins
  PAYMENTS_OPERATOR          operator name (default: the OS user); --actor wins
  PAYMENTS_SIMULATED_STATE   simulated provider state file (default: beside the SQLite file, *.sim.json)
  STRIPE_SECRET_KEY          enables the stripe provider
  PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_ENVIRONMENT   enable the paypal provider
  PAYMENTS_RABBITMQ_URL, PAYMENTS_EVENTS_EXCHANGE              events dispatch to RabbitMQ
  PAYMENTS_EVENTS_WEBHOOK_URL, PAYMENTS_EVENTS_WEBHOOK_SECRET  or events dispatch as signed HTTP POSTs
  NO_COLOR                   disables colour (colour is only ever used on a terminal)

Dates: 2026-03-01 (UTC midnight), 2026-03-01T12:00:00Z (ISO 8601 with a zone), or a duration ago: 30s, 5m, 24h, 30d.

Exit codes: 0 ok, 1 error, 2 usage, 3 drift found, 4 schema out of date, 5 aborted by the operator,
            6 refused by the payment rules, 7 not found, 8 provider (or event publisher) unavailable or outcome unknown,
            130/143 stopped by SIGINT/SIGTERM (an operation in flight is finished first, or left resumable)
`;

/** The command tree. Usage errors throw (exitOverride) so that run() maps them onto exit code 2. */
export function createProgram(session: CliSession): Command {
  const program = new Command("payments-cli")
    .description("Operate @org/payments-core: migrate, inspect, disputes, customers and saved methods, refund, recover, reconcile, receipts, fares, stats, events, webhooks, housekeeping.")
    .version(packageJson.version)
    .option("--db <path|url>", "SQLite file or postgres:// URL (default: PAYMENTS_DATABASE_URL, else ./payments.db)")
    .option("--actor <name>", "operator name recorded in history (default: PAYMENTS_OPERATOR, else the OS user)")
    .option("--json", "machine-readable output on stdout")
    .option("--no-color", "no colour even on a terminal")
    .option("--debug", "print stack traces on errors")
    .showSuggestionAfterError()
    .exitOverride()
    // Before any command runs: every value typed passes the acceptable-text rules, or nothing happens (exit 2).
    .hook("preAction", (_program, actionCommand) => checkCommandArguments(actionCommand))
    .configureOutput({
      writeOut: (text) => session.stdout.write(text),
      writeErr: (text) => session.stderr.write(text),
      // run() prints usage errors in the CLI's own `error[code]` form.
      outputError: () => undefined,
    })
    .addHelpText("after", `\nExample:\n  $ payments-cli payments list --status succeeded --since 24h\n${ENVIRONMENT_HELP}`);

  registerMigrate(program, session);
  const payments = program
    .command("payments")
    .description("inspect payments")
    .addHelpText("after", "\nExamples:\n  $ payments-cli payments list --since 24h\n  $ payments-cli payments show pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n");
  registerPaymentsList(payments, session);
  registerPaymentsShow(payments, session);
  registerPaymentsUpdate(payments, session);
  const disputes = program
    .command("disputes")
    .description("disputes (chargebacks and inquiries) the providers opened against payments")
    .addHelpText("after", "\nExamples:\n  $ payments-cli disputes list --status needs_response\n  $ payments-cli disputes show dp_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n");
  registerDisputesList(disputes, session);
  registerDisputesShow(disputes, session);
  const customers = program
    .command("customers")
    .description("customers that hosts keep for charges made without them present, with their saved payment methods")
    .addHelpText("after", "\nExamples:\n  $ payments-cli customers list --owner rider_42\n  $ payments-cli customers show cus_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n");
  registerCustomersList(customers, session);
  registerCustomersShow(customers, session);
  const methods = program
    .command("methods")
    .description("customers' saved payment methods: list, detach")
    .addHelpText("after", "\nExamples:\n  $ payments-cli methods list --customer cus_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n  $ payments-cli methods detach spm_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n");
  registerMethodsList(methods, session);
  registerMethodsDetach(methods, session);
  registerRefund(program, session);
  registerRecover(program, session);
  registerReconcile(program, session);
  registerReceipt(program, session);
  registerFare(program, session);
  registerStats(program, session);
  registerSweep(program, session);
  registerPurge(program, session);
  const events = program
    .command("events")
    .description("the outbox of payment events: list, retry or skip dead ones, dispatch")
    .addHelpText("after", "\nExamples:\n  $ payments-cli events list --failed\n  $ payments-cli events dispatch --once\n");
  registerEventsList(events, session);
  registerEventsOperate(events, session);
  registerEventsDispatch(events, session);
  const webhooks = program
    .command("webhooks")
    .description("the inbox of provider webhooks: list, show, replay, process held ones")
    .addHelpText("after", "\nExamples:\n  $ payments-cli webhooks list --status held,orphaned,failed\n  $ payments-cli webhooks replay evt_1Qx2Yz\n");
  registerWebhooksList(webhooks, session);
  registerWebhooksShow(webhooks, session);
  registerWebhooksReplay(webhooks, session);
  const metrics = program
    .command("metrics")
    .description("Prometheus metrics of the whole fleet, read from the store: the designated exporter")
    .addHelpText("after", "\nExample:\n  $ payments-cli metrics serve --host 0.0.0.0 --port 9464\n");
  registerMetricsServe(metrics, session);
  return program;
}
