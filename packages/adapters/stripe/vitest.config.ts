import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The fake is read from source so a change to it needs no rebuild of the private test-support package.
    alias: {
      "@org/payments-test-support/stripe-fake": fileURLToPath(
        new URL("../../test-support/src/stripe-fake/index.ts", import.meta.url),
      ),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/assert-wire-schema.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
