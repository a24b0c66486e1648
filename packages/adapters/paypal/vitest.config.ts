import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The fake is read from source so a change to it needs no rebuild of the private test-support package.
    alias: {
      "@org/payments-test-support/paypal-fake": fileURLToPath(
        new URL("../../test-support/src/paypal-fake/index.ts", import.meta.url),
      ),
    },
  },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
