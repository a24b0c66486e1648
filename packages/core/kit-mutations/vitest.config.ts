import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The kit mutation check (run-kit-mutations.mjs runs it): apart from core's own tests, so `vitest run` in core does
 * not see the mutants' expected failures. A mutant that hangs a case costs it a short timeout, not the default.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.kit-mutations.test.ts"],
    testTimeout: 5_000,
    hookTimeout: 10_000,
    maxWorkers: 2,
  },
});
