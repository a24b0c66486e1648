import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import type { PaymentService } from "@org/payments-core";
import type { StoreExporter } from "@org/payments-express/metrics";
import { loadOptionalPackage } from "../config/optional-package.js";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { redactSecrets } from "../errors/redact.js";
import { formatDuration, parseDuration } from "../parse/duration.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface MetricsServeOptions {
  port: string;
  host: string;
  cache: string;
  reconcileEvery?: string;
  reconcileWindow: string;
}

/** Answers GET /metrics with a scrape and GET /health with 200; nothing else is served. */
function serveScrapes(exporter: StoreExporter, onScrapeError: (error: unknown) => void): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      exporter.metrics().then(
        (text) => res.writeHead(200, { "content-type": exporter.contentType }).end(req.method === "HEAD" ? undefined : text),
        (error: unknown) => {
          onScrapeError(error);
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("scrape failed\n");
        },
      );
    } else if (path === "/health") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("ok\n");
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: try /metrics\n");
    }
  });
}

/**
 * A dry-run reconcile of every configured provider over the last `windowMs`, recorded as gauges: read-only (no
 * correction, no recovery), so the exporter never races the hosts. A failed run leaves the last-run time as it was,
 * which is what the "reconcile not running" alert watches.
 */
async function reconcileAll(service: PaymentService, exporter: StoreExporter, windowMs: number, note: (text: string) => void): Promise<void> {
  for (const provider of service.providers) {
    try {
      const report = await service.reconcile({ provider, since: new Date(Date.now() - windowMs), apply: false, recover: false });
      exporter.recordReconcile(report);
    } catch (error) {
      note(`reconcile of ${provider} failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
    }
  }
}

export function registerMetricsServe(metrics: Command, session: CliSession): void {
  metrics
    .command("serve")
    .description("serve the store-derived metrics of a whole fleet on one port, for Prometheus: the designated exporter")
    .option("--port <n>", "port to listen on (0: any free port)", "9464")
    .option("--host <address>", "address to listen on (0.0.0.0 for a scraper on another host)", "127.0.0.1")
    .option("--cache <duration>", "read the store at most once per this, however often it is scraped", "5s")
    .option("--reconcile-every <duration>", "also run a dry-run reconcile of every provider this often (off by default)")
    .option("--reconcile-window <duration>", "how far back each reconcile run looks", "24h")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli metrics serve --host 0.0.0.0 --port 9464\n" +
        "  $ payments-cli metrics serve --reconcile-every 1h --reconcile-window 48h\n\n" +
        "Serves GET /metrics (payments_store_*, payments_reconcile_*, and this process's own process_*/nodejs_*) and\n" +
        "GET /health until SIGINT/SIGTERM. Run ONE per fleet and leave the router's storeMetrics off on the hosts: every\n" +
        "instance reads the same store, so a sum over several exporters would multiply the counts.\n" +
        "Needs @org/payments-express installed beside payments-cli.\n",
    )
    .action(async (options: MetricsServeOptions, command: Command) => {
      const context = contextFor(command, session);
      const port = parseCount(options.port, "--port", { min: 0, max: 65_535 });
      const cacheMs = parseDuration(options.cache, "--cache");
      const reconcileEveryMs = options.reconcileEvery === undefined ? undefined : parseDuration(options.reconcileEvery, "--reconcile-every");
      const reconcileWindowMs = parseDuration(options.reconcileWindow, "--reconcile-window");
      if (reconcileEveryMs !== undefined && reconcileEveryMs < 60_000) {
        throw new CliError("invalid_duration", "--reconcile-every must be at least 1m", EXIT.usage, "each run asks every provider for its transactions: 1h is usual");
      }
      const { createStoreExporter } = await loadOptionalPackage("@org/payments-express", "payments-cli metrics serve", () => import("@org/payments-express/metrics"));

      await withRuntime(context, async ({ store, service, interrupts }) => {
        const exporter = createStoreExporter({ store, cacheMs, now: () => service.clock.now() });
        const note = (text: string) => context.out.note(text);
        const server = serveScrapes(exporter, (error) => note(`scrape failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`));
        await new Promise<void>((resolve, reject) => {
          server.once("error", (error: NodeJS.ErrnoException) =>
            reject(new CliError("listen_failed", `cannot listen on ${options.host}:${port}: ${error.code ?? error.message}`, EXIT.error, "choose another --port (0 picks a free one) or --host")),
          );
          server.listen(port, options.host, () => resolve());
        });
        const bound = server.address() as AddressInfo;
        const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
        note(`serving store metrics on http://${host}:${bound.port}/metrics; Ctrl-C to stop`);

        let reconciling: Promise<void> | null = null;
        const reconcile = () => {
          // Never two runs at once: a slow provider listing just delays the next one.
          reconciling ??= reconcileAll(service, exporter, reconcileWindowMs, note).finally(() => (reconciling = null));
        };
        let timer: NodeJS.Timeout | undefined;
        if (reconcileEveryMs !== undefined) {
          note(`reconciling every ${formatDuration(reconcileEveryMs)} over the last ${formatDuration(reconcileWindowMs)} (dry run)`);
          reconcile();
          timer = setInterval(reconcile, reconcileEveryMs);
        }
        try {
          await (interrupts?.stopRequested() ?? new Promise<never>(() => undefined));
        } finally {
          clearInterval(timer);
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          // A reconcile in flight finishes reading before the store closes under it.
          await reconciling;
        }
        return EXIT.ok;
      });
    });
}
