import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The kit mutation check (run-kit-mutations.mjs runs it): apart from core's own tests, so `vitest run` in core does
 * not see the mutants' expected failures. The timeout is generous because CI runs two packages' tests at once on two
 * cores and a slow baseline case must not turn the check red; a case that does time out is reported as such and
 * never counts as catching a mutant (kit-verdict.ts), so a hung case cannot pass for a caught one.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.kit-mutations.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
});
