import { defineConfig } from "vitest/config";

// The receipt's layout in headless Chromium: run by .ci/checks/receipt-browser.sh, never by `pnpm test`, which
// must not need a browser.
export default defineConfig({
  test: { include: ["test/browser/**/*.browser.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
