import { defineConfig } from "vitest/config";

export default defineConfig({
  // The suites spawn the built binary many times; run files one after another so two cores are enough.
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
});
