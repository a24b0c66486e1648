import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { paidPayment } from "./support/seed.js";

const HOST = fileURLToPath(new URL("./fixtures/host-writer.mjs", import.meta.url));

function runHost(backend: Backend, count: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOST, backend.url, backend.stateFile, String(count)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("payments-cli sharing a SQLite file with a running host", () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createBackend("sqlite");
    expect((await backend.cli(["migrate"])).code).toBe(0);
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it("refunds exactly once per payment while a host process writes the same database", async () => {
    const { service, gateway } = await backend.open();
    const targets = [];
    for (let i = 0; i < 6; i++) targets.push(await paidPayment(service, 5000));
    const host = runHost(backend, 25);
    // Each target twice, concurrently with the host: the second run of each must replay, not refund again.
    const runs = await Promise.all(
      targets.flatMap((p) => [0, 1].map(() => backend.cli(["refund", p.id, "--amount", "12.34", "--reason", "shared file", "--yes", "--json"]))),
    );
    const hostResult = await host;
    expect(hostResult.code, hostResult.stderr).toBe(0);
    const { ids } = JSON.parse(hostResult.stdout) as { ids: string[] };
    expect(ids).toHaveLength(25);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    for (const target of targets) {
      const results = runs.map((r) => parseJson(r)).filter((r) => r.payment.id === target.id);
      expect(results.map((r) => r.replayed).sort()).toEqual([false, true]);
      expect(await service.getPayment(target.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1234, amountRefundReserved: 0 });
      expect(gateway.listObjects().find((o) => o.id === target.providerPaymentId)!.refunds).toHaveLength(1);
    }
    for (const id of ids) {
      expect(await service.getPayment(id)).toMatchObject({ status: "partially_refunded", amountRefunded: 100 });
      expect(gateway.chargesFor(id)).toBe(1);
    }
    // The CLI and the host agree about everything afterwards.
    const reconciled = await backend.cli(["reconcile", "--provider", "simulated", "--since", "1h", "--json"]);
    expect(parseJson(reconciled).drifts).toEqual([]);
    expect(reconciled.code).toBe(0);
  });
});
