import { defineConfig } from "vitest/config";

export default defineConfig({
  // The suites spawn the built binary many times. Two files at a time: the CLI's suites are the last to finish in
  // CI, where they then have both cores (one at a time took 387 s there, two 212 s on the same machine); more would
  // only queue behind the spawned processes.
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: true, maxWorkers: 2 },
});
