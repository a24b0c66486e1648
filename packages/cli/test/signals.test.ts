import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService, PaymentStore } from "@org/payments-core";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson, startCli } from "./support/run-cli.js";
import { paidPayment } from "./support/seed.js";

/** Preloaded into the CLI: the simulated provider's calls announce themselves, then take SLOW_PROVIDER_MS. */
const SLOW_PROVIDER = pathToFileURL(fileURLToPath(new URL("./fixtures/slow-provider.mjs", import.meta.url))).href;
const slow = (backend: Backend, ms: number) => ({ env: { ...backend.env, SLOW_PROVIDER_MS: String(ms) }, nodeArgs: ["--import", SLOW_PROVIDER] });

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SCOPE = "operator:ana";

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli stopped by a signal on ${name}`, () => {
    let backend: Backend;
    let store: PaymentStore;
    let service: PaymentService;
    let gateway: Awaited<ReturnType<Backend["open"]>>["gateway"];
    const record = (key: string) => store.transaction((tx) => tx.getIdempotencyRecord(SCOPE, key));
    const refundsAtProvider = (providerPaymentId: string | null) => gateway.listObjects().find((o) => o.id === providerPaymentId)?.refunds ?? [];

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ store, service, gateway } = await backend.open());
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it("Ctrl-C during a refund's provider call lets the call finish and settle: no lock is left, the refund is reported", async () => {
      const payment = await paidPayment(service, 5000);
      const running = startCli(["refund", payment.id, "--amount", "10.00", "--reason", "signal once", "--yes", "--json"], slow(backend, 1500));
      await until(() => running.stderr().includes("[slow-provider] refund in flight"), "the provider call");
      running.child.kill("SIGINT");
      const result = await running.result;
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`SIGINT: finishing the refund of ${payment.id} first`);
      const body = parseJson(result);
      expect(body).toMatchObject({ replayed: false, refund: { amount: 1000, status: "succeeded" } });
      expect(await record(body.idempotencyKey)).toMatchObject({ recoveryPoint: "finished", lockId: null });
      expect(refundsAtProvider(payment.providerPaymentId)).toHaveLength(1);
    });

    it("a second Ctrl-C stops at once, releases the lock and says how to resume; the re-run finishes the refund once, without waiting", async () => {
      const payment = await paidPayment(service, 5000);
      const args = ["refund", payment.id, "--amount", "20.00", "--reason", "signal twice", "--idempotency-key", `twice-${name}`, "--yes"];
      const running = startCli(args, slow(backend, 60_000));
      await until(() => running.stderr().includes("[slow-provider] refund in flight"), "the provider call");
      running.child.kill("SIGINT");
      await until(() => running.stderr().includes("SIGINT: finishing"), "the first signal's note");
      running.child.kill("SIGINT");
      const result = await running.result;
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code, result.stderr).toBe(EXIT.interrupted);
      expect(result.stderr).toContain(`the refund of ${payment.id} (key twice-${name}, scope ${SCOPE}): the provider may or may not have acted; its lock is released`);
      expect(result.stderr).toContain("re-run the same command");
      expect(await record(`twice-${name}`)).toMatchObject({ recoveryPoint: "gateway_pending", lockId: null, lockedAt: null });

      const started = Date.now();
      const rerun = await startCli(args, { env: backend.env }).result;
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(8_000); // nothing to wait out: the lock was released
      expect(rerun.stderr).toContain("resuming an interrupted refund");
      expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 2000, amountRefundReserved: 0 });
      expect(refundsAtProvider(payment.providerPaymentId)).toHaveLength(1);
    });

    it("Ctrl-C during sweep --apply finishes the cancel in flight and starts no other (exit 130)", async () => {
      const first = await paidPayment(service, 2500, { captureMethod: "manual" });
      const second = await paidPayment(service, 2600, { captureMethod: "manual" });
      const running = startCli(["sweep", "--within", "8d", "--apply", "--yes", "--json"], slow(backend, 1500));
      await until(() => running.stderr().includes("[slow-provider] cancel in flight"), "the first cancel");
      running.child.kill("SIGINT");
      const result = await running.result;
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code, result.stderr).toBe(EXIT.interrupted);
      const results = Object.fromEntries(parseJson(result).authorizations.map((a: { paymentId: string; result: string }) => [a.paymentId, a.result]));
      expect(Object.values(results).sort()).toEqual(["canceled", "not attempted (stopped)"]);
      const statuses = [(await service.getPayment(first.id)).status, (await service.getPayment(second.id)).status].sort();
      expect(statuses).toEqual(["authorized", "canceled"]);
      expect(result.stderr.match(/\[slow-provider\] cancel in flight/g)).toHaveLength(1);
      const locks = await store.transaction(async (tx) =>
        Promise.all([first, second].map((p) => tx.getIdempotencyRecord(SCOPE, `cli-sweep-cancel:${p.id}`))),
      );
      for (const lock of locks) expect(lock?.lockId ?? null).toBeNull();
    });

    it(
      "a re-run waits out the lock of a process that died mid-refund (past the old 10 s), then takes over and finishes it once",
      async () => {
        const payment = await paidPayment(service, 5000);
        const args = ["refund", payment.id, "--amount", "30.00", "--reason", "holder died", "--idempotency-key", "died", "--yes"];
        const crashed = startCli(args, slow(backend, 60_000));
        await until(() => crashed.stderr().includes("[slow-provider] refund in flight"), "the provider call");
        crashed.child.kill("SIGKILL");
        await crashed.result;
        // The dead holder took its lock 49 s ago: it can still be held legitimately for 11 s more (lockTimeoutMs 60 s).
        await store.transaction(async (tx) => {
          const held = await tx.getIdempotencyRecord(SCOPE, "died");
          expect(held).toMatchObject({ recoveryPoint: "gateway_pending" });
          expect(held!.lockId).not.toBeNull();
          expect(await tx.updateIdempotencyRecord({ ...held!, lockedAt: new Date(Date.now() - 49_000).toISOString() }, held!.lockId)).toBe(true);
        });
        const backdatedAt = Date.now();
        const started = Date.now();
        const rerun = await startCli(args, { env: backend.env }).result;
        const waited = Date.now() - started;
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(waited).toBeGreaterThan(10_000);
        // The age is read when the re-run first meets the lock, which a loaded machine delays by seconds past the 49 s
        // backdating: it lies between 49 s and the time since then, and age + wait is the 60 s lock timeout (rounded).
        const note = new RegExp(`the refund of ${payment.id} is in progress elsewhere \\(locked (\\d+)s ago\\): waiting for it to finish, at most (\\d+)s`).exec(rerun.stderr);
        expect(note, rerun.stderr).not.toBeNull();
        const [age, left] = [Number(note![1]), Number(note![2])];
        expect(age).toBeGreaterThanOrEqual(49);
        expect(age).toBeLessThanOrEqual(49 + Math.ceil((Date.now() - backdatedAt) / 1000));
        expect([60, 61]).toContain(age + left);
        expect(rerun.stdout).toContain(`refunded USD 30.00 on ${payment.id}`);
        expect(refundsAtProvider(payment.providerPaymentId)).toHaveLength(1);
        expect(await record("died")).toMatchObject({ recoveryPoint: "finished", lockId: null });
      },
      40_000,
    );
  });
}
