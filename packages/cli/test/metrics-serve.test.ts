import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { type RunningCli, startCli } from "./support/run-cli.js";
import { paidPayment, plant } from "./support/seed.js";

async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The value of one sample line of a scrape (`name{labels} value`), or undefined when the series is absent. */
function sampleValue(scrape: string, series: string): number | undefined {
  const line = scrape.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli metrics serve on ${name}`, () => {
    let backend: Backend;
    let running: RunningCli | undefined;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
    });
    afterAll(async () => {
      running?.child.kill("SIGKILL");
      await backend?.dispose();
    });

    it("serves the fleet's store gauges and reconcile drift on its own port, no per-request metrics, and stops on SIGTERM", async () => {
      const { service, store } = await backend.open();
      await paidPayment(service, 2500);
      const behind = await paidPayment(service, 4000);
      // Local state behind the provider's (a lost webhook): drift a reconcile with --apply would correct.
      await plant(store, behind.id, { status: "processing" });

      running = startCli(["metrics", "serve", "--port", "0", "--cache", "1s", "--reconcile-every", "1h"], { env: backend.env });
      const url = await until(() => /serving store metrics on (http:\/\/\S+\/metrics)/.exec(running!.stderr())?.[1], "the listening note");
      const scrape = async () => {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        return response.text();
      };

      // The first reconcile runs at start; its gauge appears once it finished.
      const text = await until(async () => {
        const body = await scrape();
        return sampleValue(body, 'payments_reconcile_unresolved_drifts{provider="simulated"}') !== undefined ? body : null;
      }, "the first reconcile run");
      expect(sampleValue(text, 'payments_reconcile_unresolved_drifts{provider="simulated"}')).toBe(1);
      expect(sampleValue(text, 'payments_reconcile_last_run_timestamp_seconds{provider="simulated"}')).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(sampleValue(text, "payments_store_up")).toBe(1);
      expect(sampleValue(text, 'payments_store_payments{status="succeeded",provider="simulated"}')).toBe(1);
      expect(sampleValue(text, 'payments_store_payments{status="processing",provider="simulated"}')).toBe(1);
      expect(sampleValue(text, 'payments_store_captured_minor_units_total{currency="USD"}')).toBe(6500);
      expect(sampleValue(text, 'payments_store_outbox_events{status="dead"}')).toBe(0);
      // Its own process metrics, and nothing per request: it serves none.
      expect(text).toMatch(/^process_cpu_seconds_total /m);
      expect(text).not.toContain("payments_http_request_duration_seconds");
      expect(text).not.toContain("payments_operations_total");
      // Read only: the dry run corrected nothing.
      expect((await service.getPayment(behind.id)).status).toBe("processing");

      expect((await fetch(url.replace(/\/metrics$/, "/health"))).status).toBe(200);
      expect((await fetch(url.replace(/\/metrics$/, "/other"))).status).toBe(404);

      running.child.kill("SIGTERM");
      const result = await running.result;
      running = undefined;
      expect(result.code, result.stderr).toBe(EXIT.ok);
      await expect(fetch(url)).rejects.toThrow();
    });

    it("refuses a reconcile interval that would hammer the providers, before opening anything", async () => {
      const result = await backend.cli(["metrics", "serve", "--port", "0", "--reconcile-every", "10s"]);
      expect(result.code).toBe(EXIT.usage);
      expect(result.stderr).toContain("--reconcile-every must be at least 1m");
    });
  });
}
